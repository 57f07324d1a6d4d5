// Automated offboarding: an administrator disables a managed account in AD, and the agent
// suspends the user in JumpCloud. AD change tracking: the objects under the root container whose
// uSNChanged passed the last watermark (the DC's highestCommittedUSN), with the DC's
// invocationID kept to notice a restore (then everything is looked at again). The sync marks its
// own disables in the anchor (;syncDisabled), so a disabled account without that mark was
// disabled by someone else.
import { allStrings, firstString, type AdSession } from '../ad/session';
import { decodeAnchor } from '../sync/names';

const UAC_ACCOUNTDISABLE = 0x2;
const PAGE_SIZE = 500;

export interface UsnWatermark {
  invocationId: string;
  highestCommittedUsn: string;
}

export interface ManagedUserState {
  dn: string;
  jcId: string;
  sAMAccountName: string;
  disabled: boolean;
  syncDisabled: boolean;
  protected: boolean;
  /** whenChanged of the account, when AD gave it. */
  changedAt: Date | null;
}

/** A whole-directory scan (no usable watermark) acts only on accounts changed this recently. */
export const FULL_SCAN_WINDOW_MS = 60 * 60_000;

/** AD GeneralizedTime (20301231235959.0Z) as a Date, or null. */
export function parseGeneralizedTime(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, se));
}

/** The DC's invocationID (hex) and highestCommittedUSN, read before the changes so none is missed. */
export async function readWatermark(session: AdSession): Promise<UsnWatermark> {
  const [dse] = await session.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['dsServiceName', 'highestCommittedUSN'] }, 'read the rootDSE');
  const highest = firstString(dse?.highestCommittedUSN);
  const serviceDn = firstString(dse?.dsServiceName);
  let invocationId = '';
  if (serviceDn) {
    const [ntds] = await session.ldapClient
      .search(serviceDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId'] })
      .then((r) => r.searchEntries)
      .catch(() => []);
    const raw = ntds?.invocationId;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (Buffer.isBuffer(value)) invocationId = value.toString('hex');
  }
  return { invocationId, highestCommittedUsn: /^\d+$/.test(highest) ? highest : '0' };
}

/** Where to look from: after the saved watermark, or everything (null) after a restore or a DC change. */
export function scanStart(saved: { dc: string; invocationId: string; highestCommittedUsn: string } | null, dc: string, now: UsnWatermark): string | null {
  if (!saved || saved.dc !== dc || saved.invocationId !== now.invocationId) return null;
  if (BigInt(saved.highestCommittedUsn) > BigInt(now.highestCommittedUsn)) return null;
  return saved.highestCommittedUsn;
}

/** Managed users under the root changed after `sinceUsn` (all managed users when null). */
export async function changedManagedUsers(session: AdSession, rootDN: string, anchorAttribute: string, sinceUsn: string | null): Promise<ManagedUserState[]> {
  const usnFilter = sinceUsn === null ? '' : `(uSNChanged>=${(BigInt(sinceUsn) + 1n).toString()})`;
  const filter = `(&(objectCategory=person)(objectClass=user)(${anchorAttribute}=JumpCloud:*)${usnFilter})`;
  const users: ManagedUserState[] = [];
  for await (const page of session.searchPaged(rootDN, { scope: 'sub', filter, attributes: ['sAMAccountName', 'userAccountControl', 'adminCount', 'whenChanged', anchorAttribute] }, PAGE_SIZE)) {
    for (const entry of page) {
      const key = Object.keys(entry).find((k) => k.toLowerCase() === anchorAttribute.toLowerCase());
      const anchor = decodeAnchor(key ? (allStrings(entry[key])[0] ?? '') : '');
      if (!anchor || anchor === 'foreign') continue;
      const uac = Number.parseInt(firstString(entry.userAccountControl) || '0', 10);
      users.push({
        dn: entry.dn,
        jcId: anchor.jcId,
        sAMAccountName: firstString(entry.sAMAccountName),
        disabled: (uac & UAC_ACCOUNTDISABLE) !== 0,
        syncDisabled: anchor.syncDisabled,
        protected: firstString(entry.adminCount) === '1',
        changedAt: parseGeneralizedTime(firstString(entry.whenChanged)),
      });
    }
  }
  return users;
}

/**
 * Which users to suspend in JumpCloud (disabled in AD by someone other than the sync, not yet
 * offboarded), and which offboarded marks to forget (the account is enabled again, or the sync
 * itself disabled it since, so a later disable is a new offboarding). `notBefore` (a scan without
 * watermark, e.g. a standby that just took over) leaves alone accounts that last changed before
 * it: they were offboarded long ago, and a user an administrator deliberately reactivated in
 * JumpCloud since must not be suspended again.
 */
export function offboardDecisions(changed: ManagedUserState[], offboarded: Record<string, string>, notBefore: Date | null = null): { suspend: ManagedUserState[]; forget: string[] } {
  const suspend: ManagedUserState[] = [];
  const forget: string[] = [];
  for (const user of changed) {
    const disabledByAdmin = user.disabled && !user.syncDisabled && !user.protected;
    if (disabledByAdmin) {
      const recent = notBefore === null || (user.changedAt !== null && user.changedAt.getTime() >= notBefore.getTime());
      if (!(user.jcId in offboarded) && recent) suspend.push(user);
    } else if (user.jcId in offboarded) {
      forget.push(user.jcId);
    }
  }
  return { suspend, forget };
}
