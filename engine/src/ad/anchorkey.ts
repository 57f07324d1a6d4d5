// Where the anchor key (./anchorproof.ts) lives when the administrator hands none: an object in
// the root container, CN=jcsync-anchor-key, its `info` attribute holding the key, created by the
// sync's own bind with an explicit, protected DACL (inheritance off; full control for the account
// that made it, Domain Admins, Enterprise Admins, SYSTEM and BUILTIN\Administrators; nobody else
// may read it). Every read checks that descriptor before the key is used, so a key object planted
// with a readable DACL (whose key its planter knows) is refused. Read here, created through
// ./writer.ts. docs/anchor-trust.md says why, and what the check cannot see.
import { createHash } from 'node:crypto';
import type { Entry } from 'ldapts';
import { EngineError, ExitCode } from '../errors';
import { newAnchorKey, parseAnchorKey } from './anchorproof';
import { ACE_TYPE, encodeSecurityDescriptor, isParsedAce, parseSecurityDescriptor, type SecurityDescriptor } from './sd';
import { findAccount, readDomainInfo, readGroupSids, SD_FLAG, SdFlagsControl } from './security';
import { SecurityDescriptorError } from './binary';
import { escapeFilterValue } from './escape';
import { type AdSession } from './session';
import { binaryAttribute, textAttribute } from './entry';
import type { AdWriter } from './writer';

const KEY_OBJECT_NAME = 'jcsync-anchor-key';
/** SE_DACL_PROTECTED: the DACL inherits nothing from the container. */
const SE_DACL_PROTECTED = 0x1000;
const FULL_CONTROL = 0x000f01ff;
const SYSTEM = 'S-1-5-18';
const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';
/** Access-allowed ACE types (plain, object, callback, callback object). */
const ALLOW_TYPES = new Set<number>([
  ACE_TYPE.AccessAllowed,
  ACE_TYPE.AccessAllowedObject,
  ACE_TYPE.AccessAllowedCallback,
  ACE_TYPE.AccessAllowedCallbackObject,
]);

export const anchorKeyDn = (rootDN: string) => `CN=${KEY_OBJECT_NAME},${rootDN}`;

/** The sAMAccountName of a new key object: unique per root, like the ledger's (20 characters at most). */
function anchorKeyAccountName(rootDN: string): string {
  return `jcsync-akey-${createHash('sha256').update(rootDN.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 6)}`;
}

/** Who reads the key: the bind account's SID, whether it is an administrator, and the domain's SID. */
export interface KeyReader {
  sid: string;
  isAdmin: boolean;
  domainSid: string;
}

/** The administrators' SIDs: SYSTEM, BUILTIN\Administrators, Administrator (500), Domain Admins (512), Enterprise Admins (519). */
function administratorSids(domainSid: string): Set<string> {
  return new Set([SYSTEM, BUILTIN_ADMINISTRATORS, `${domainSid}-500`, `${domainSid}-512`, `${domainSid}-519`]);
}

/**
 * Why the key object's security descriptor does not keep the key to the sync (null when it does):
 * the DACL must be present, protected (no inheritance from the container) and grant nothing to
 * anyone but the administrators and the sync's account; the owner (who may always rewrite the
 * DACL) must be one of those too. The sync's account is the reader itself; an administrator
 * reading a key that a service account made accepts that one other account (the service
 * account), never two. Deny ACEs are harmless and allowed.
 */
export function keyDescriptorProblem(sd: SecurityDescriptor, reader: KeyReader): string | null {
  const admins = administratorSids(reader.domainSid);
  const trusted = (sid: string) => admins.has(sid) || sid === reader.sid;
  if (sd.daclIsNull || !sd.dacl) return 'it has no DACL (everyone may read it)';
  if (!(sd.control & SE_DACL_PROTECTED)) return 'its DACL inherits permissions from the container (inheritance must be off)';
  const others = new Set<string>();
  for (const ace of sd.dacl.aces) {
    if (!ALLOW_TYPES.has(ace.type) && isParsedAce(ace)) continue;
    if (!isParsedAce(ace)) return `its DACL holds an ACE of type 0x${ace.type.toString(16)} this engine cannot check`;
    if (!trusted(ace.sid)) others.add(ace.sid);
  }
  if (sd.owner === null) return 'it has no owner';
  if (!trusted(sd.owner)) others.add(sd.owner);
  if (others.size === 0) return null;
  const list = [...others].join(', ');
  if (!reader.isAdmin) return `it grants access to (or is owned by) ${list}, not only this account (${reader.sid}) and the administrators`;
  if (others.size > 1) return `it grants access to (or is owned by) more than one account besides the administrators: ${list}`;
  return null;
}

/** The descriptor a new key object gets (see the header): the owner is the creator, or Domain Admins for an administrator. */
export function newKeyDescriptor(reader: KeyReader): Buffer {
  const domainAdmins = `${reader.domainSid}-512`;
  const holders = [...(reader.isAdmin ? [] : [reader.sid]), domainAdmins, `${reader.domainSid}-519`, SYSTEM, BUILTIN_ADMINISTRATORS];
  return encodeSecurityDescriptor({
    revision: 1,
    control: SE_DACL_PROTECTED,
    owner: reader.isAdmin ? domainAdmins : reader.sid,
    group: domainAdmins,
    sacl: null,
    dacl: {
      revision: 2,
      aces: holders.map((sid) => ({
        type: ACE_TYPE.AccessAllowed,
        flags: 0,
        mask: FULL_CONTROL,
        sid,
        objectType: null,
        inheritedObjectType: null,
        extra: Buffer.alloc(0),
      })),
    },
    daclIsNull: false,
    saclIsNull: false,
  });
}

/** Who a bind account is changes rarely: read once an hour per DC and account, not on every agent cycle (each opens a session). */
const READER_TTL_MS = 60 * 60_000;
const readers = new Map<string, { at: number; reader: Promise<KeyReader> }>();

/** The bind account of `session` as a key reader. */
function keyReader(session: AdSession): Promise<KeyReader> {
  const cacheKey = `${session.dc.host}:${session.port}:${session.dc.bindDN.toLowerCase()}`;
  const cached = readers.get(cacheKey);
  let found = cached && Date.now() - cached.at < READER_TTL_MS ? cached.reader : undefined;
  if (!found) {
    found = (async () => {
      const domain = await readDomainInfo(session);
      const account = await findAccount(session, session.dc.bindDN, domain.dn);
      if (!account?.sid)
        throw new EngineError(
          'AnchorKey.Unsafe',
          `The bind account ${session.dc.bindDN} cannot be found in AD, so the anchor key's permissions cannot be checked.`,
          {
            category: 'SecurityError',
            exitCode: ExitCode.AuthFailed,
            target: session.dc.bindDN,
          },
        );
      const { sids } = await readGroupSids(session, account, domain);
      const admins = administratorSids(domain.sid);
      return { sid: account.sid, isAdmin: admins.has(account.sid) || sids.some((s) => admins.has(s)), domainSid: domain.sid };
    })();
    readers.set(cacheKey, { at: Date.now(), reader: found });
    found.catch(() => readers.delete(cacheKey));
  }
  return found;
}

export type AnchorKeySource = 'explicit' | 'directory' | 'created' | 'pending';

export interface ResolvedAnchorKey {
  key: Buffer;
  /**
   * explicit: -AnchorKey; directory: read from the key object; created: made by this call;
   * pending: none exists and none was made (a plan): the key the next real sync will create.
   */
  source: AnchorKeySource;
  dn: string;
}

const KEY_ERROR = { category: 'SecurityError', exitCode: ExitCode.Refused } as const;

/** Whether any anchor under the root carries a proof (then a missing key is never made anew). */
async function anyProvenAnchor(session: AdSession, rootDN: string, anchorAttribute: string): Promise<boolean> {
  const found = await session.search(
    rootDN,
    { scope: 'sub', filter: `(${anchorAttribute}=${escapeFilterValue('JumpCloud:')}*proof=*)`, attributes: ['cn'], sizeLimit: 1 },
    'look for proven anchors',
  );
  return found.length > 0;
}

async function readKeyObject(session: AdSession, dn: string): Promise<Entry | null> {
  try {
    const [entry] = await session.search(
      dn,
      {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['info', 'objectClass', 'nTSecurityDescriptor'],
      },
      'read the anchor key',
      [new SdFlagsControl(SD_FLAG.Owner | SD_FLAG.Group | SD_FLAG.Dacl)],
    );
    return entry ?? null;
  } catch (err) {
    if (err instanceof EngineError && err.details.ldapCode === 32) return null;
    throw err;
  }
}

function checkedKey(entry: Entry, reader: KeyReader, dn: string): Buffer {
  const bytes = binaryAttribute(entry, 'nTSecurityDescriptor');
  let problem: string | null;
  try {
    problem = bytes ? keyDescriptorProblem(parseSecurityDescriptor(bytes), reader) : 'its permissions cannot be read by this account';
  } catch (err) {
    if (!(err instanceof SecurityDescriptorError)) throw err;
    problem = `its security descriptor is malformed (${err.message})`;
  }
  if (problem)
    throw new EngineError(
      'AnchorKey.Unsafe',
      `The anchor key object ${dn} is not kept to the sync: ${problem}. The sync does not use it. If an administrator did not create it this way, someone may know the key: ` +
        'delete the object and, if anchors already carry proofs, hand the key explicitly (-AnchorKey) or reseal them (docs/anchor-trust.md, "When the key object is wrong or gone").',
      { ...KEY_ERROR, target: dn },
    );
  const key = parseAnchorKey(textAttribute(entry, 'info'));
  if (!key) throw new EngineError('AnchorKey.Unsafe', `The anchor key object ${dn} holds no 32-byte key in its info attribute.`, { ...KEY_ERROR, target: dn });
  return key;
}

/**
 * The key the sync proves anchors with: the explicit one when given; else the key object's, its
 * permissions checked; else, when no anchor under the root carries a proof yet, a new one (made
 * and stored when `create`, only planned otherwise). A missing key object while proofs exist is
 * an error, never a new key: a new key would disown every object the sync manages.
 */
export async function resolveAnchorKey(
  session: AdSession,
  writer: AdWriter | null,
  options: {
    rootDN: string;
    anchorAttribute: string;
    explicit: Buffer | null;
    create: boolean;
    /** -AdoptExisting: the administrator reviews every anchor anyway, so a lost key may be made anew (every object is then adopted again). */
    reseal?: boolean;
  },
): Promise<ResolvedAnchorKey> {
  const dn = anchorKeyDn(options.rootDN);
  if (options.explicit) return { key: options.explicit, source: 'explicit', dn };
  // Both reads at once (the reader's four round trips beside the key object's); the reader's error comes first.
  const readingEntry = readKeyObject(session, dn);
  readingEntry.catch(() => undefined); // awaited below, after the reader
  const reader = await keyReader(session);
  const entry = await readingEntry;
  if (entry) return { key: checkedKey(entry, reader, dn), source: 'directory', dn };
  if (!options.reseal && (await anyProvenAnchor(session, options.rootDN, options.anchorAttribute)))
    throw new EngineError(
      'AnchorKey.Missing',
      `Anchors under ${options.rootDN} carry proofs, but the anchor key object ${dn} is gone (deleted), or ${session.dc.bindDN} may not read it. ` +
        'The sync never makes a new key silently: it would disown every object it manages. Restore the object from the AD Recycle Bin or a backup; ' +
        'for a key this account may not read, grant it with Grant-JCSyncDelegation; else review Get-JCSyncPlan -AdoptExisting and run ' +
        'Invoke-JCSync -AdoptExisting, which makes a new key and seals the reviewed objects again (docs/anchor-trust.md, "When the key object is wrong or gone").',
      { ...KEY_ERROR, target: dn },
    );
  const key = newAnchorKey();
  if (!options.create || !writer) return { key, source: 'pending', dn };
  const created = await writer.createAnchorKey(dn, KEY_OBJECT_NAME, anchorKeyAccountName(options.rootDN), key.toString('base64'), newKeyDescriptor(reader));
  if (created) return { key, source: 'created', dn };
  // Made meanwhile by another agent (then readable), or there all along but hidden from this account.
  const again = await readKeyObject(session, dn);
  if (again) return { key: checkedKey(again, reader, dn), source: 'directory', dn };
  throw new EngineError(
    'AnchorKey.Missing',
    `The anchor key object ${dn} exists but ${session.dc.bindDN} may not read it (an administrator made it, or someone else did). ` +
      'Grant this account with Grant-JCSyncDelegation (it gives the service account the key), or delete the object if nobody of yours made it.',
    { ...KEY_ERROR, target: dn },
  );
}

/** True when anchors carry proofs and not one of them fits the key: the key is not the one they were made with. */
export function keyFitsNoProof(objects: ReadonlyArray<{ proof?: 'valid' | 'invalid' | 'missing' | 'unchecked' }>): boolean {
  let invalid = 0;
  for (const o of objects) {
    if (o.proof === 'valid') return false;
    if (o.proof === 'invalid') invalid++;
  }
  return invalid > 0;
}

/** The error for keyFitsNoProof. */
export function keyMismatchError(dn: string, source: AnchorKeySource): EngineError {
  return new EngineError(
    'AnchorKey.Mismatch',
    `No anchor proof under the root fits the anchor key ${source === 'explicit' ? 'given with -AnchorKey' : `in ${dn}`}: ` +
      'it is not the key the anchors were proven with (the key object was replaced, or the wrong key was handed). Nothing was changed. ' +
      'docs/anchor-trust.md, "When the key object is wrong or gone", says how to get back.',
    { ...KEY_ERROR, target: dn },
  );
}

/**
 * Makes `accountSid` the service account that may read the key object (Grant-JCSyncDelegation):
 * full control for it, and none for any other account besides the administrators (the key has
 * one service account; a former one loses it). The DACL stays protected. 'absent' when there is
 * no key object (the service account's first sync makes it), 'present' when nothing changes.
 */
export async function grantAnchorKey(session: AdSession, writer: AdWriter, rootDN: string, accountSid: string): Promise<'absent' | 'present' | 'granted'> {
  const dn = anchorKeyDn(rootDN);
  const entry = await readKeyObject(session, dn);
  const bytes = binaryAttribute(entry, 'nTSecurityDescriptor');
  if (!entry || !bytes) return 'absent';
  const sd = parseSecurityDescriptor(bytes);
  const reader = await keyReader(session);
  const admins = administratorSids(reader.domainSid);
  const aces = (sd.dacl?.aces ?? []).filter((ace) => !isParsedAce(ace) || !ALLOW_TYPES.has(ace.type) || admins.has(ace.sid) || ace.sid === accountSid);
  const holds = aces.some(
    (ace) => isParsedAce(ace) && ace.type === ACE_TYPE.AccessAllowed && ace.sid === accountSid && (ace.mask & FULL_CONTROL) === FULL_CONTROL,
  );
  const ownerFits = sd.owner !== null && (admins.has(sd.owner) || sd.owner === accountSid);
  if (holds && ownerFits && aces.length === (sd.dacl?.aces.length ?? 0) && sd.control & SE_DACL_PROTECTED) return 'present';
  if (!holds)
    aces.push({
      type: ACE_TYPE.AccessAllowed,
      flags: 0,
      mask: FULL_CONTROL,
      sid: accountSid,
      objectType: null,
      inheritedObjectType: null,
      extra: Buffer.alloc(0),
    });
  const descriptor = encodeSecurityDescriptor({
    ...sd,
    control: sd.control | SE_DACL_PROTECTED,
    // A former service account that owns the key could rewrite its DACL: Domain Admins own it then.
    owner: ownerFits ? null : `${reader.domainSid}-512`,
    group: null,
    sacl: null,
    saclIsNull: false,
    dacl: { revision: sd.dacl?.revision ?? 2, aces },
    daclIsNull: false,
  });
  await writer.setSecurityDescriptor(dn, descriptor, ownerFits ? SD_FLAG.Dacl : SD_FLAG.Dacl | SD_FLAG.Owner);
  return 'granted';
}
