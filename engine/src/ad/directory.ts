// Reads what the sync needs from AD: users and groups under the root container (paged, only the
// needed attributes, ranged `member` for large groups), and who holds given logon names anywhere
// in the domain. Produces the planner's ActualState; never writes.
import type { Entry } from 'ldapts';
import type { ActualState, AdGroup, AdUser, AnchorProofState } from './model';
import { guidText, proofFitsObject } from './anchorproof';
import { ridFromBytes } from './binary';
import { decodeAnchor, isUnderDn, lower } from './names';
import { escapeFilterValue } from './escape';
import { type AdSession } from './session';
import { allStrings, attributeValue, binaryAttribute, rangedKey, textAttribute } from './entry';
import { checkForestUpns } from './global-catalog';
import { readAttributeLimits, type AttributeLimits } from './schema-limits';
import { isDisabled, uacOf } from './uac';

export const DEFAULT_ANCHOR_ATTRIBUTE = 'adminDescription';
const PAGE_SIZE = 500;
/**
 * Groups come with their member lists (a group of everyone holds every account's DN): a page of a
 * few groups keeps what one answer brings into memory small (docs/memory.md). Paging costs one
 * round trip per page, and a scope has far fewer groups than users.
 */
const GROUP_PAGE_SIZE = 10;
const NAME_LOOKUP_CHUNK = 100;

export interface ReadOptions {
  rootDN: string;
  anchorAttribute?: string;
  /**
   * Logon names (sAMAccountName or UPN) the plan may create: their holders anywhere in the domain
   * are looked up. A function lets the caller read JumpCloud meanwhile: it is called only once the
   * root's users and groups are read.
   */
  candidateNames?: string[] | (() => Promise<string[]>);
  /** The sync's anchor key: anchors are checked against their proof (unchecked without a key). */
  anchorKey?: Buffer | null;
  /** The schema's attribute limits when the caller holds them already (the agent reads them once). */
  attributeLimits?: AttributeLimits;
  /**
   * The values the caller already holds for an anchored account (JumpCloud's id, username, names,
   * e-mail): an equal value read from AD shares that string instead of keeping a copy of its own
   * (docs/memory.md). Undefined for an id it does not know (yet).
   */
  knownValues?: (jcId: string) => readonly string[] | undefined;
}

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

/** isCriticalSystemObject, or a SID whose RID is one of the well-known ones (below 1000). */
function isCritical(entry: Entry): boolean {
  if (textAttribute(entry, 'isCriticalSystemObject').toUpperCase() === 'TRUE') return true;
  const sid = binaryAttribute(entry, 'objectSid');
  if (!sid) return false;
  const rid = ridFromBytes(sid);
  return Number.isFinite(rid) && rid < FIRST_ORDINARY_RID;
}

/**
 * adminCount=1, or critical (isCriticalSystemObject, or a well-known RID when objectSid was read):
 * an account or group the sync's password, offboarding and removal paths never touch.
 */
export function isProtectedEntry(entry: Entry): boolean {
  return textAttribute(entry, 'adminCount') === '1' || isCritical(entry);
}

/** The anchor, checked against its proof (the objectGUID is read for that, and not kept). */
function anchorOf(entry: Entry, anchorAttribute: string, anchorKey: Buffer | null) {
  const decoded = decodeAnchor(textAttribute(entry, anchorAttribute));
  const anchor = decoded === 'foreign' ? null : decoded;
  let proof: AnchorProofState = 'unchecked';
  if (anchor && anchorKey) {
    const objectGuid = guidText(binaryAttribute(entry, 'objectGUID'));
    proof = !anchor.proof ? 'missing' : proofFitsObject(anchorKey, { objectGuid, dn: entry.dn }, anchor.jcId, anchor.proof) ? 'valid' : 'invalid';
  }
  return { anchor, foreignAnchor: decoded === 'foreign', critical: isCritical(entry), proof };
}

/**
 * An account as the planner needs it. Built in one literal (one shape, every field in the object
 * itself), and equal values share one string (CN and sAMAccountName, mail and UPN): a full
 * reconcile holds 20,000 of these (docs/memory.md).
 */
function toUser(entry: Entry, anchorAttribute: string, anchorKey: Buffer | null, knownValues?: ReadOptions['knownValues']): AdUser {
  const { anchor, foreignAnchor, critical, proof } = anchorOf(entry, anchorAttribute, anchorKey);
  const known = anchor ? knownValues?.(anchor.jcId) : undefined;
  const value = (name: string) => {
    const text = textAttribute(entry, name);
    return known?.find((k) => k === text) ?? text;
  };
  if (anchor && known) anchor.jcId = known.find((k) => k === anchor.jcId) ?? anchor.jcId;
  const sAMAccountName = value('sAMAccountName');
  const cn = value('cn');
  const userPrincipalName = value('userPrincipalName');
  const mail = value('mail');
  return {
    dn: entry.dn,
    anchor,
    foreignAnchor,
    critical,
    proof,
    cn: cn === sAMAccountName ? sAMAccountName : cn,
    sAMAccountName,
    userPrincipalName,
    givenName: value('givenName'),
    sn: value('sn'),
    displayName: textAttribute(entry, 'displayName'),
    mail: mail === userPrincipalName ? userPrincipalName : mail,
    disabled: isDisabled(uacOf(entry)),
    passwordSet: (textAttribute(entry, 'pwdLastSet') || '0') !== '0',
    protected: textAttribute(entry, 'adminCount') === '1',
  };
}

/** A group as the planner needs it (one shape, as toUser); `members` as read. */
function toGroup(entry: Entry, anchorAttribute: string, anchorKey: Buffer | null, members: string[]): AdGroup {
  const { anchor, foreignAnchor, critical, proof } = anchorOf(entry, anchorAttribute, anchorKey);
  const sAMAccountName = textAttribute(entry, 'sAMAccountName');
  const cn = textAttribute(entry, 'cn');
  return {
    dn: entry.dn,
    anchor,
    foreignAnchor,
    critical,
    proof,
    cn: cn === sAMAccountName ? sAMAccountName : cn,
    sAMAccountName,
    description: textAttribute(entry, 'description'),
    members,
    protected: textAttribute(entry, 'adminCount') === '1',
  };
}

/** All values of `member`, following AD's range retrieval (member;range=0-1499) when the group is large. */
export async function membersOf(session: AdSession, entry: Entry): Promise<string[]> {
  const ranged = rangedKey(entry, 'member');
  if (!ranged) return allStrings(attributeValue(entry, 'member'));
  const members = allStrings(entry[ranged]);
  let key = ranged;
  while (!/-\*$/.test(key)) {
    const next = members.length;
    const [page] = await session.search(
      entry.dn,
      { scope: 'base', filter: '(objectClass=group)', attributes: [`member;range=${next}-*`] },
      'read group members',
    );
    if (!page) break;
    const found = rangedKey(page, 'member');
    if (!found) break;
    members.push(...allStrings(page[found]));
    key = found;
  }
  return members;
}

/** The accounts the sync reads and manages: users, not computers or contacts. */
const ACCOUNTS_FILTER = '(&(objectCategory=person)(objectClass=user))';

/** Whether the root read's searches (ACCOUNTS_FILTER; groups) return this entry. */
function readByRootSearch(entry: Entry): boolean {
  const classes = allStrings(attributeValue(entry, 'objectClass')).map(lower);
  if (classes.includes('group')) return true;
  return classes.includes('user') && lower(textAttribute(entry, 'objectCategory')).startsWith('cn=person,');
}

export async function readActualState(session: AdSession, options: ReadOptions): Promise<ActualState> {
  const anchorAttribute = options.anchorAttribute ?? DEFAULT_ANCHOR_ATTRIBUTE;
  const anchorKey = options.anchorKey ?? null;
  const dse = await session.rootDse();
  const common = ['adminCount', 'isCriticalSystemObject', 'objectGUID', 'objectSid', anchorAttribute];
  const userAttributes = ['cn', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'userAccountControl', 'pwdLastSet', ...common];
  const users: AdUser[] = [];
  for await (const page of session.searchPaged(options.rootDN, { scope: 'sub', filter: ACCOUNTS_FILTER, attributes: userAttributes }, PAGE_SIZE)) {
    for (const entry of page) users.push(toUser(entry, anchorAttribute, anchorKey, options.knownValues));
  }
  const userDns = new Map(users.map((u) => [u.dn, u.dn]));
  const groups: AdGroup[] = [];
  for await (const page of session.searchPaged(
    options.rootDN,
    { scope: 'sub', filter: '(objectClass=group)', attributes: ['cn', 'sAMAccountName', 'description', 'member', ...common] },
    GROUP_PAGE_SIZE,
  )) {
    for (const entry of page) {
      // A member that is an account under the root shares its DN string with that account.
      const members = (await membersOf(session, entry)).map((dn) => userDns.get(dn) ?? dn);
      groups.push(toGroup(entry, anchorAttribute, anchorKey, members));
    }
  }
  userDns.clear();

  const accountNames = new Map<string, string>();
  const principalNames = new Map<string, string>();
  const anchoredOutside = new Map<string, string>();
  for (const object of [...users, ...groups]) accountNames.set(lower(object.sAMAccountName), object.dn);
  for (const user of users) if (user.userPrincipalName) principalNames.set(lower(user.userPrincipalName), user.dn);
  const suffix = dnsNameOf(dse.defaultNamingContext);
  // A logon name is also a UPN (name@suffix): both must be free. (A loop, not a list of every
  // candidate: a no-op reconcile of 20,000 users knows them all.)
  const unknownNames = new Set<string>();
  const noteIfUnknown = (name: string) => {
    const key = lower(name);
    if (!accountNames.has(key) && !principalNames.has(key)) unknownNames.add(key);
  };
  const candidateNames = typeof options.candidateNames === 'function' ? await options.candidateNames() : (options.candidateNames ?? []);
  for (const name of candidateNames) {
    noteIfUnknown(name);
    if (!name.includes('@')) noteIfUnknown(`${name}@${suffix}`);
  }
  const unknown = [...unknownNames];
  // UPNs no object under the root holds: asked in the domain here and, when the forest calls for it, in the global catalog below.
  const upnCandidates = unknown.filter((n) => n.includes('@'));
  for (let i = 0; i < unknown.length; i += NAME_LOOKUP_CHUNK) {
    const chunk = unknown.slice(i, i + NAME_LOOKUP_CHUNK);
    const terms = chunk.map((n) => `(sAMAccountName=${escapeFilterValue(n)})(userPrincipalName=${escapeFilterValue(n)})`).join('');
    for await (const page of session.searchPaged(
      dse.defaultNamingContext,
      { scope: 'sub', filter: `(|${terms})`, attributes: ['sAMAccountName', 'userPrincipalName', 'objectClass', 'objectCategory', anchorAttribute] },
      PAGE_SIZE,
    )) {
      for (const entry of page) {
        // The root's objects are the ones its read above found. One found here appeared after that
        // read: a write the DC finished late for a connection already gone (an interrupted run),
        // or another writer at the same moment. It is neither an account moved out of the root nor
        // a holder elsewhere: the plan is made from the root read, the DC refuses a name taken in
        // the meantime, and the next run reads the object whole.
        const inRoot = isUnderDn(entry.dn, options.rootDN);
        if (inRoot && readByRootSearch(entry)) continue;
        const sam = textAttribute(entry, 'sAMAccountName');
        const upn = textAttribute(entry, 'userPrincipalName');
        const anchor = decodeAnchor(textAttribute(entry, anchorAttribute));
        if (anchor && anchor !== 'foreign' && !inRoot) anchoredOutside.set(lower(entry.dn), anchor.jcId);
        if (sam) accountNames.set(lower(sam), entry.dn);
        if (upn) principalNames.set(lower(upn), entry.dn);
      }
    }
  }
  // UPNs are unique in the whole forest on Windows: holders in other domains come from the global catalog.
  const forest = await checkForestUpns(session, dse, upnCandidates);
  for (const [upn, dn] of forest.holders) if (!principalNames.has(upn)) principalNames.set(upn, dn);
  const attributeLimits = options.attributeLimits ?? (await readAttributeLimits(session, dse));
  return { rootDN: options.rootDN, upnSuffix: suffix, users, groups, accountNames, principalNames, anchoredOutside, attributeLimits, upnScope: forest.scope };
}

// ---- a targeted read: only the objects a slice of JumpCloud maps to -------------------------

interface SliceReadOptions {
  rootDN: string;
  anchorAttribute?: string;
  /** JumpCloud ids of the users the plan decides about: their anchored accounts. */
  userIds: string[];
  /** JumpCloud ids of the groups the plan looks at: their anchored groups. */
  groupIds: string[];
  /** Groups whose whole membership the plan decides (the others get the slice users' edges only). */
  fullGroupIds: string[];
  /** The users whose every edge the plan decides (the named ones): the groups holding them are read. */
  edgeUserIds: string[];
  /**
   * Where each anchored object was last seen (`user:<jcId>` / `group:<jcId>` → DN), kept by the
   * agent from its full reconciles and applied plans: an object is then read at its DN (one base
   * read) instead of by its anchor, which AD does not index (a scan of every account). An object
   * neither at its hinted DN nor under its wanted name is looked for by anchor unless `hintsComplete`
   * (the hints hold every anchored object under the root: then it has none).
   */
  hints?: Map<string, string>;
  hintsComplete?: boolean;
  /** Names the plan may create or rename to (usernames, group names): who holds them. */
  candidateNames: string[];
  /** The anchor key: only proven anchors count (as in readActualState). */
  anchorKey?: Buffer | null;
  /** The schema's attribute limits when the caller holds them already (the agent reads them once). */
  attributeLimits?: AttributeLimits;
}

interface ActualSlice extends ActualState {
  /** Anchored groups under the root that hold one of the slice's users, by JumpCloud id. */
  groupsHoldingSliceUsers: string[];
}

const ANCHOR_CHUNK = 40;

/** Every anchor value of a JumpCloud id (the flags make four), as exact LDAP filter terms. */
function anchorTerms(attribute: string, ids: string[]): string {
  const a = escapeFilterValue(attribute);
  return ids
    .flatMap((id) => ['', ';syncDisabled', ';offboarded', ';syncDisabled;offboarded'].map((flags) => `(${a}=${escapeFilterValue(`JumpCloud:${id}${flags}`)})`))
    .join('');
}

/**
 * The AD side of a targeted plan: the accounts and groups anchored to the slice's JumpCloud ids,
 * the groups under the root that hold those accounts (their edges only), the objects under the
 * root that hold a name the slice wants (as unanchored candidates, or as occupied DNs when they
 * belong to objects outside the slice), and the holders of those names anywhere in the domain.
 * Never reads the whole root container; the cost follows the slice, not the directory.
 */
export async function readActualSlice(session: AdSession, options: SliceReadOptions): Promise<ActualSlice> {
  const anchorAttribute = options.anchorAttribute ?? DEFAULT_ANCHOR_ATTRIBUTE;
  const anchorKey = options.anchorKey ?? null;
  const dse = await session.rootDse();
  const common = ['adminCount', 'isCriticalSystemObject', 'objectGUID', 'objectSid', anchorAttribute];
  const userAttributes = ['cn', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'userAccountControl', 'pwdLastSet', ...common];
  const groupAttributes = ['cn', 'sAMAccountName', 'description', ...common];
  // memberOf (AD keeps it for every member): the groups holding a slice account, read by DN below.
  const sliceUserAttributes = [...userAttributes, 'memberOf'];
  const sliceUserIds = new Set(options.userIds);
  const sliceGroupIds = new Set(options.groupIds);
  const fullGroupIds = new Set(options.fullGroupIds);
  const users = new Map<string, AdUser>();
  /** Each slice account's memberOf (lower-case DN → group DNs); null when AD returned it ranged (over 1,500 groups). */
  const memberOfs = new Map<string, string[] | null>();
  const keepUser = (entry: Entry) => {
    users.set(lower(entry.dn), toUser(entry, anchorAttribute, anchorKey));
    memberOfs.set(lower(entry.dn), rangedKey(entry, 'memberOf') !== undefined ? null : allStrings(attributeValue(entry, 'memberOf')));
  };
  const groupEntries = new Map<string, Entry>();
  const occupied = new Set<string>();

  const searchAll = async (filter: string, attributes: string[], base = options.rootDN) => {
    const found: Entry[] = [];
    for await (const page of session.searchPaged(base, { scope: 'sub', filter, attributes }, PAGE_SIZE)) found.push(...page);
    return found;
  };
  // Anchored accounts and groups of the slice: at their hinted DN, else under their wanted name (below), else by anchor.
  const foundUsers = new Set<string>();
  const foundGroups = new Set<string>();
  const atHint = async (key: string, attributes: string[]): Promise<Entry | null> => {
    const dn = options.hints?.get(key);
    return dn ? session.readObject(dn, attributes) : null;
  };
  for (const id of sliceUserIds) {
    const entry = await atHint(`user:${id}`, sliceUserAttributes);
    if (entry && anchorOf(entry, anchorAttribute, anchorKey).anchor?.jcId === id) {
      keepUser(entry);
      foundUsers.add(id);
    }
  }
  for (const id of sliceGroupIds) {
    const entry = await atHint(`group:${id}`, groupAttributes);
    if (entry && anchorOf(entry, anchorAttribute, anchorKey).anchor?.jcId === id) {
      groupEntries.set(lower(entry.dn), entry);
      foundGroups.add(id);
    }
  }
  // Names the slice wants, under the root: unanchored candidates, or occupied by objects outside the slice.
  const names = [...new Set(options.candidateNames.map(lower))];
  for (let i = 0; i < names.length; i += NAME_LOOKUP_CHUNK) {
    const terms = names
      .slice(i, i + NAME_LOOKUP_CHUNK)
      .map((n) => `(sAMAccountName=${escapeFilterValue(n)})(cn=${escapeFilterValue(n)})`)
      .join('');
    for (const entry of await searchAll(`(&(|${ACCOUNTS_FILTER}(objectClass=group))(|${terms}))`, [...sliceUserAttributes, 'description', 'objectClass'])) {
      const key = lower(entry.dn);
      if (users.has(key) || groupEntries.has(key)) continue;
      const anchored = anchorOf(entry, anchorAttribute, anchorKey);
      const isGroup = allStrings(attributeValue(entry, 'objectClass')).some((c) => lower(c) === 'group');
      const inSlice = anchored.anchor !== null && (isGroup ? sliceGroupIds.has(anchored.anchor.jcId) : sliceUserIds.has(anchored.anchor.jcId));
      if (anchored.anchor !== null && !inSlice) occupied.add(entry.dn);
      else if (isGroup) {
        groupEntries.set(key, entry);
        if (anchored.anchor) foundGroups.add(anchored.anchor.jcId);
      } else {
        keepUser(entry);
        if (anchored.anchor) foundUsers.add(anchored.anchor.jcId);
      }
    }
  }
  // The rest by anchor (not indexed: a scan), unless the hints say there is none.
  if (!options.hintsComplete) {
    const ids = [...sliceUserIds].filter((id) => !foundUsers.has(id));
    for (let i = 0; i < ids.length; i += ANCHOR_CHUNK) {
      for (const entry of await searchAll(`(&${ACCOUNTS_FILTER}(|${anchorTerms(anchorAttribute, ids.slice(i, i + ANCHOR_CHUNK))}))`, sliceUserAttributes))
        keepUser(entry);
    }
    const gids = [...sliceGroupIds].filter((id) => !foundGroups.has(id));
    for (let i = 0; i < gids.length; i += ANCHOR_CHUNK) {
      for (const entry of await searchAll(`(&(objectClass=group)(|${anchorTerms(anchorAttribute, gids.slice(i, i + ANCHOR_CHUNK))}))`, groupAttributes))
        groupEntries.set(lower(entry.dn), entry);
    }
  }
  // Groups under the root holding a slice account: their edges with those accounts.
  const edgeUserIds = new Set(options.edgeUserIds);
  const sliceUserDns = [...users.values()].filter((u) => u.anchor && edgeUserIds.has(u.anchor.jcId)).map((u) => u.dn);
  const memberships = new Map<string, Set<string>>();
  const hold = (groupEntry: Entry, userDn: string): void => {
    const key = lower(groupEntry.dn);
    if (!anchorOf(groupEntry, anchorAttribute, anchorKey).anchor) return; // not the sync's group: never touched
    if (!groupEntries.has(key)) groupEntries.set(key, groupEntry);
    const held = memberships.get(key) ?? new Set<string>();
    held.add(userDn);
    memberships.set(key, held);
  };
  // From each account's memberOf: the groups among them that are under the root, found by their
  // DN (indexed), without reading any group's member list (a group of everyone holds thousands).
  const holders = new Map<string, string[]>();
  const ranged: string[] = [];
  for (const dn of sliceUserDns) {
    const memberOf = memberOfs.get(lower(dn));
    if (memberOf === null || memberOf === undefined) ranged.push(dn);
    else for (const g of memberOf) holders.set(lower(g), [...(holders.get(lower(g)) ?? []), dn]);
  }
  const groupDns = [...holders.keys()];
  for (let i = 0; i < groupDns.length; i += ANCHOR_CHUNK) {
    const terms = groupDns
      .slice(i, i + ANCHOR_CHUNK)
      .map((dn) => `(distinguishedName=${escapeFilterValue(dn)})`)
      .join('');
    for (const entry of await searchAll(`(&(objectClass=group)(|${terms}))`, groupAttributes))
      for (const userDn of holders.get(lower(entry.dn)) ?? []) hold(entry, userDn);
  }
  // An account in more groups than AD returns at once (memberOf ranged): the groups under the root that list it.
  for (let i = 0; i < ranged.length; i += ANCHOR_CHUNK) {
    const chunk = ranged.slice(i, i + ANCHOR_CHUNK);
    const terms = chunk.map((dn) => `(member=${escapeFilterValue(dn)})`).join('');
    const wanted = new Map(chunk.map((dn) => [lower(dn), dn]));
    for (const entry of await searchAll(`(&(objectClass=group)(|${terms}))`, [...groupAttributes, 'member'])) {
      for (const m of allStrings(attributeValue(entry, 'member'))) {
        const userDn = wanted.get(lower(m));
        if (userDn) hold(entry, userDn);
      }
    }
  }
  const groups: AdGroup[] = [];
  const holding: string[] = [];
  for (const [key, entry] of groupEntries) {
    const anchor = anchorOf(entry, anchorAttribute, anchorKey);
    const jcId = anchor.anchor?.jcId ?? null;
    let members: string[] = [];
    if (jcId && fullGroupIds.has(jcId)) {
      const [full] = await session.search(entry.dn, { scope: 'base', filter: '(objectClass=group)', attributes: ['member'] }, 'read group members');
      members = full ? await membersOf(session, full) : [];
    } else {
      members = [...(memberships.get(key) ?? [])];
    }
    if (jcId && memberships.has(key)) holding.push(jcId);
    groups.push(toGroup(entry, anchorAttribute, anchorKey, members));
  }

  const userList = [...users.values()];
  const accountNames = new Map<string, string>();
  const principalNames = new Map<string, string>();
  const anchoredOutside = new Map<string, string>();
  for (const object of [...userList, ...groups]) accountNames.set(lower(object.sAMAccountName), object.dn);
  for (const user of userList) if (user.userPrincipalName) principalNames.set(lower(user.userPrincipalName), user.dn);
  const suffix = dnsNameOf(dse.defaultNamingContext);
  const candidates = options.candidateNames.flatMap((n) => (n.includes('@') ? [n] : [n, `${n}@${suffix}`]));
  const unknown = [...new Set(candidates.map(lower))].filter((n) => !accountNames.has(n) && !principalNames.has(n));
  const upnCandidates = unknown.filter((n) => n.includes('@'));
  for (let i = 0; i < unknown.length; i += NAME_LOOKUP_CHUNK) {
    const terms = unknown
      .slice(i, i + NAME_LOOKUP_CHUNK)
      .map((n) => `(sAMAccountName=${escapeFilterValue(n)})(userPrincipalName=${escapeFilterValue(n)})`)
      .join('');
    for (const entry of await searchAll(`(|${terms})`, ['sAMAccountName', 'userPrincipalName', anchorAttribute], dse.defaultNamingContext)) {
      const sam = textAttribute(entry, 'sAMAccountName');
      const upn = textAttribute(entry, 'userPrincipalName');
      const anchor = decodeAnchor(textAttribute(entry, anchorAttribute));
      if (anchor && anchor !== 'foreign' && !isUnderDn(entry.dn, options.rootDN)) anchoredOutside.set(lower(entry.dn), anchor.jcId);
      if (sam) accountNames.set(lower(sam), entry.dn);
      if (upn) principalNames.set(lower(upn), entry.dn);
    }
  }
  // As in readActualState: the slice's new UPNs, looked up by exact value in the global catalog when the forest calls for it.
  const forest = await checkForestUpns(session, dse, upnCandidates);
  for (const [upn, dn] of forest.holders) if (!principalNames.has(upn)) principalNames.set(upn, dn);
  const attributeLimits = options.attributeLimits ?? (await readAttributeLimits(session, dse));
  return {
    rootDN: options.rootDN,
    upnSuffix: suffix,
    users: userList,
    groups,
    accountNames,
    principalNames,
    anchoredOutside,
    attributeLimits,
    upnScope: forest.scope,
    occupiedDns: [...occupied],
    groupsHoldingSliceUsers: holding,
  };
}
