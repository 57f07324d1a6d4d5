// Reads what the sync needs from AD: users and groups under the root container (paged, only the
// needed attributes, ranged `member` for large groups), and who holds given logon names anywhere
// in the domain. Produces the planner's ActualState; never writes.
import type { Entry } from 'ldapts';
import type { ActualState, AdGroup, AdUser, AnchorProofState } from './model';
import { guidText, proofMatches } from './anchorproof';
import { sidFromBytes } from './binary';
import { decodeAnchor, lower } from './names';
import { escapeFilterValue } from './escape';
import { allStrings, firstString, type AdSession } from './session';

export const DEFAULT_ANCHOR_ATTRIBUTE = 'adminDescription';
const UAC_ACCOUNTDISABLE = 0x2;
const PAGE_SIZE = 500;
const NAME_LOOKUP_CHUNK = 100;

export interface ReadOptions {
  rootDN: string;
  anchorAttribute?: string;
  /** Logon names (sAMAccountName or UPN) the plan may create: their holders anywhere in the domain are looked up. */
  candidateNames?: string[];
  /** The sync's anchor key: anchors are checked against their proof (unchecked without a key). */
  anchorKey?: Buffer | null;
}

/** Binary attributes the reader asks for (ldapts returns them as Buffers only when told). */
const BINARY = ['objectGUID', 'objectSid'];
/** Well-known accounts and groups (Administrator 500, Guest 501, krbtgt 502, Domain Admins 512, ...). */
const FIRST_ORDINARY_RID = 1000;

/** DNS name of a domain from its naming context: DC=example,DC=com → example.com. */
export function dnsNameOf(namingContext: string): string {
  return namingContext
    .split(',')
    .filter((part) => /^\s*DC=/i.test(part))
    .map((part) => part.replace(/^\s*DC=/i, '').trim())
    .join('.');
}

function attr(entry: Entry, name: string): Entry[string] | undefined {
  // Servers may return attribute names in a different case than requested.
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : entry[key];
}

function buffer(entry: Entry, name: string): Buffer | undefined {
  const value = attr(entry, name);
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : undefined;
}

/** isCriticalSystemObject, or a SID whose RID is one of the well-known ones (below 1000). */
function isCritical(entry: Entry): boolean {
  if (firstString(attr(entry, 'isCriticalSystemObject')).toUpperCase() === 'TRUE') return true;
  const sid = buffer(entry, 'objectSid');
  if (!sid) return false;
  const rid = Number(sidFromBytes(sid).split('-').pop());
  return Number.isFinite(rid) && rid < FIRST_ORDINARY_RID;
}

function anchorOf(entry: Entry, anchorAttribute: string, anchorKey: Buffer | null) {
  const decoded = decodeAnchor(firstString(attr(entry, anchorAttribute)));
  const anchor = decoded === 'foreign' ? null : decoded;
  const objectGuid = guidText(buffer(entry, 'objectGUID'));
  let proof: AnchorProofState = 'unchecked';
  if (anchor && anchorKey) proof = !anchor.proof ? 'missing' : proofMatches(anchorKey, objectGuid, anchor.jcId, anchor.proof) ? 'valid' : 'invalid';
  return { anchor, foreignAnchor: decoded === 'foreign', objectGuid, critical: isCritical(entry), proof };
}

function toUser(entry: Entry, anchorAttribute: string, anchorKey: Buffer | null): AdUser {
  const uac = Number.parseInt(firstString(attr(entry, 'userAccountControl')) || '0', 10);
  return {
    dn: entry.dn,
    ...anchorOf(entry, anchorAttribute, anchorKey),
    cn: firstString(attr(entry, 'cn')),
    sAMAccountName: firstString(attr(entry, 'sAMAccountName')),
    userPrincipalName: firstString(attr(entry, 'userPrincipalName')),
    givenName: firstString(attr(entry, 'givenName')),
    sn: firstString(attr(entry, 'sn')),
    displayName: firstString(attr(entry, 'displayName')),
    mail: firstString(attr(entry, 'mail')),
    disabled: (uac & UAC_ACCOUNTDISABLE) !== 0,
    passwordSet: (firstString(attr(entry, 'pwdLastSet')) || '0') !== '0',
    protected: firstString(attr(entry, 'adminCount')) === '1',
  };
}

/** All values of `member`, following AD's range retrieval (member;range=0-1499) when the group is large. */
async function membersOf(session: AdSession, entry: Entry): Promise<string[]> {
  const ranged = Object.keys(entry).find((k) => /^member;range=/i.test(k));
  if (!ranged) return allStrings(attr(entry, 'member'));
  const members = allStrings(entry[ranged]);
  let key = ranged;
  while (!/-\*$/.test(key)) {
    const next = members.length;
    const [page] = await session.search(entry.dn, { scope: 'base', filter: '(objectClass=group)', attributes: [`member;range=${next}-*`] }, 'read group members');
    if (!page) break;
    const found = Object.keys(page).find((k) => /^member;range=/i.test(k));
    if (!found) break;
    members.push(...allStrings(page[found]));
    key = found;
  }
  return members;
}

export async function readActualState(session: AdSession, options: ReadOptions): Promise<ActualState> {
  const anchorAttribute = options.anchorAttribute ?? DEFAULT_ANCHOR_ATTRIBUTE;
  const anchorKey = options.anchorKey ?? null;
  const dse = await session.rootDse();
  const common = ['adminCount', 'isCriticalSystemObject', ...BINARY, anchorAttribute];
  const userAttributes = ['cn', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'userAccountControl', 'pwdLastSet', ...common];
  const users: AdUser[] = [];
  for await (const page of session.searchPaged(options.rootDN, { scope: 'sub', filter: '(&(objectCategory=person)(objectClass=user))', attributes: userAttributes, explicitBufferAttributes: BINARY }, PAGE_SIZE)) {
    for (const entry of page) users.push(toUser(entry, anchorAttribute, anchorKey));
  }
  const groups: AdGroup[] = [];
  for await (const page of session.searchPaged(options.rootDN, { scope: 'sub', filter: '(objectClass=group)', attributes: ['cn', 'sAMAccountName', 'description', 'member', ...common], explicitBufferAttributes: BINARY }, PAGE_SIZE)) {
    for (const entry of page) {
      groups.push({
        dn: entry.dn,
        ...anchorOf(entry, anchorAttribute, anchorKey),
        cn: firstString(attr(entry, 'cn')),
        sAMAccountName: firstString(attr(entry, 'sAMAccountName')),
        description: firstString(attr(entry, 'description')),
        members: await membersOf(session, entry),
        protected: firstString(attr(entry, 'adminCount')) === '1',
      });
    }
  }

  const accountNames = new Map<string, string>();
  const principalNames = new Map<string, string>();
  const anchoredOutside = new Map<string, string>();
  for (const object of [...users, ...groups]) accountNames.set(lower(object.sAMAccountName), object.dn);
  for (const user of users) if (user.userPrincipalName) principalNames.set(lower(user.userPrincipalName), user.dn);
  const suffix = dnsNameOf(dse.defaultNamingContext);
  // A logon name is also a UPN (name@suffix): both must be free.
  const candidates = (options.candidateNames ?? []).flatMap((n) => (n.includes('@') ? [n] : [n, `${n}@${suffix}`]));
  const unknown = [...new Set(candidates.map(lower))].filter((n) => !accountNames.has(n) && !principalNames.has(n));
  for (let i = 0; i < unknown.length; i += NAME_LOOKUP_CHUNK) {
    const chunk = unknown.slice(i, i + NAME_LOOKUP_CHUNK);
    const terms = chunk.map((n) => `(sAMAccountName=${escapeFilterValue(n)})(userPrincipalName=${escapeFilterValue(n)})`).join('');
    for await (const page of session.searchPaged(dse.defaultNamingContext, { scope: 'sub', filter: `(|${terms})`, attributes: ['sAMAccountName', 'userPrincipalName', anchorAttribute] }, PAGE_SIZE)) {
      for (const entry of page) {
        const sam = firstString(attr(entry, 'sAMAccountName'));
        const upn = firstString(attr(entry, 'userPrincipalName'));
        const anchor = decodeAnchor(firstString(attr(entry, anchorAttribute)));
        if (anchor && anchor !== 'foreign') anchoredOutside.set(lower(entry.dn), anchor.jcId);
        if (sam) accountNames.set(lower(sam), entry.dn);
        if (upn) principalNames.set(lower(upn), entry.dn);
      }
    }
  }
  return { rootDN: options.rootDN, upnSuffix: suffix, users, groups, accountNames, principalNames, anchoredOutside };
}
