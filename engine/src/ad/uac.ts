// userAccountControl (MS-ADTS 2.2.16): the flags the engine reads and writes, and the one reader of
// the attribute.
import type { Entry } from 'ldapts';
import { textAttribute } from './entry';

export const UAC_ACCOUNTDISABLE = 0x2;
export const UAC_NORMAL_ACCOUNT = 0x200;
export const UAC_DONT_EXPIRE_PASSWD = 0x10000;

/**
 * An entry's userAccountControl, its name in any case; `fallback` when the entry or the value is
 * missing or not a number (readers of a flag pass 0; the writer, which sets one bit and writes the
 * rest back, passes NORMAL_ACCOUNT).
 */
export function uacOf(entry: Entry | null | undefined, fallback = 0): number {
  const uac = Number.parseInt(textAttribute(entry, 'userAccountControl'), 10);
  return Number.isNaN(uac) ? fallback : uac;
}

/** The account is disabled (ACCOUNTDISABLE set). */
export function isDisabled(uac: number): boolean {
  return (uac & UAC_ACCOUNTDISABLE) !== 0;
}
