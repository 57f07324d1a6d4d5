// What AD can hold: sAMAccountName, cn and UPN rules, and the anchor value codec.
import type { Anchor } from './model';

/** Characters AD refuses in sAMAccountName (docs/ad-writes.md), plus '@' which would break the UPN. */
const FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A UTF-16 surrogate without its partner: no UTF-8 encoding exists, the DC would store U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** LONE_SURROGATE for a test (no /g: no lastIndex carried from one call to the next). */
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);
const ONLY_DOTS_AND_SPACES = /^[. ]+$/;
const LEADING_BOM = /^\uFEFF/;
export const MAX_USER_SAM = 20;
export const MAX_GROUP_SAM = 64;
/** cn's rangeUpper in the AD schema. */
export const MAX_CN = 64;

/** Why AD could not hold this logon name, or null when it can. */
export function accountNameProblem(name: string, max: number, what: 'username' | 'group name'): string | null {
  if (name.trim() === '') return `the ${what} is empty`;
  if (name !== name.trim()) return `the ${what} '${name}' has leading or trailing spaces`;
  if (name.length > max) return `the ${what} '${name}' is ${name.length} characters long; AD allows at most ${max}`;
  if (CONTROL.test(name)) return `the ${what} contains a control character`;
  if (HAS_LONE_SURROGATE.test(name)) return `the ${what} contains broken Unicode (an unpaired surrogate), which AD cannot store as written`;
  if (name.startsWith('\uFEFF')) return `the ${what} starts with an invisible byte order mark (U+FEFF), which LDAP clients drop when reading`;
  const bad = FORBIDDEN.exec(name);
  if (bad) return `the ${what} '${name}' contains '${bad[0]}', which AD does not allow in a logon name`;
  if (name.endsWith('.')) return `the ${what} '${name}' ends with a period, which AD does not allow`;
  if (ONLY_DOTS_AND_SPACES.test(name)) return `the ${what} '${name}' has only periods and spaces`;
  return null;
}

/**
 * A text as it comes back from AD: an unpaired surrogate becomes U+FFFD (the DC gets UTF-8) and a
 * leading byte order mark is dropped (the LDAP client decodes values with a TextDecoder), so the
 * next plan compares like with like instead of rewriting the value on every run.
 */
export function storableText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(LEADING_BOM, '');
}

/**
 * JumpCloud:<id>, then the flags in this order: ;syncDisabled, ;offboarded, ;unbound, then the
 * proof (;proof=<mac>, ./anchorproof.ts) when the sync has an anchor key.
 */
const ANCHOR = /^JumpCloud:([A-Za-z0-9_-]{1,64})(;syncDisabled)?(;offboarded)?(;unbound)?(?:;proof=([A-Za-z0-9_-]{22}))?$/;

/** A fresh anchor (created, adopted, enabled or disabled by the sync) carries no offboarded mark. */
export function encodeAnchor(anchor: Omit<Anchor, 'offboarded'> & { offboarded?: boolean }): string {
  return `JumpCloud:${anchor.jcId}${anchor.syncDisabled ? ';syncDisabled' : ''}${anchor.offboarded ? ';offboarded' : ''}${anchor.unbound ? ';unbound' : ''}${anchor.proof ? `;proof=${anchor.proof}` : ''}`;
}

/**
 * A string of its own for an ASCII part of a longer one: V8 keeps a regex capture as a slice that
 * holds the whole value alive (a full reconcile keeps 20,000 anchors: about 2 MB).
 */
function ownCopy(ascii: string): string {
  return Buffer.from(ascii, 'latin1').toString('latin1');
}

/** Our anchor, 'foreign' for a value someone else wrote, or null when the attribute is empty. */
export function decodeAnchor(value: string): Anchor | 'foreign' | null {
  if (value === '') return null;
  const match = ANCHOR.exec(value);
  if (!match) return 'foreign';
  const anchor: Anchor = { jcId: ownCopy(match[1] as string), syncDisabled: match[2] !== undefined, offboarded: match[3] !== undefined };
  if (match[4] !== undefined) anchor.unbound = true;
  if (match[5] !== undefined) anchor.proof = ownCopy(match[5]);
  return anchor;
}

/** Every value the anchor of `jcId` can have without a proof (to find the object by an exact LDAP match). */
export function anchorValues(jcId: string): string[] {
  return [false, true].flatMap((syncDisabled) => [false, true].map((offboarded) => encodeAnchor({ jcId, syncDisabled, offboarded })));
}

/** An LDAP filter term matching every anchor value of `jcId`, proven or not (escaped for a filter). */
export function anchorFilterTerms(anchorAttribute: string, jcId: string, escape: (value: string) => string): string {
  const exact = anchorValues(jcId).map((v) => `(${anchorAttribute}=${escape(v)})`);
  return `(|${exact.join('')}(${anchorAttribute}=${escape(`JumpCloud:${jcId};`)}*))`;
}

export function lower(text: string): string {
  return text.toLowerCase();
}

/** Whether `dn` is below `parentDn` (not the parent itself), compared without case. */
export function isUnderDn(dn: string, parentDn: string): boolean {
  return lower(dn).endsWith(lower(`,${parentDn}`));
}
