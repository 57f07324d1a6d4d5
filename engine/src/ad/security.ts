// Reads what the delegation checks need from AD: an object's security descriptor (with the
// SD_FLAGS control, docs/ldap.md), an account with its SID and tokenGroups, the domain SID and
// NetBIOS name, and groups by name. Never writes (writes go through ./writer.ts).
import { BerWriter, Control, type Entry } from 'ldapts';
import { EngineError, ExitCode } from '../errors';
import { binaryValues, SecurityDescriptorError, sidFromBytes } from './binary';
import { parseSecurityDescriptor, type SecurityDescriptor } from './sd';
import { escapeFilterValue } from './escape';
import { type AdSession } from './session';
import { allStrings, attributeValue, binaryAttribute, firstString, intAttribute, textAttribute } from './entry';
import { uacOf } from './uac';

const SD_FLAGS_OID = '1.2.840.113556.1.4.801';
export const SD_FLAG = { Owner: 0x1, Group: 0x2, Dacl: 0x4, Sacl: 0x8 } as const;
const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** LDAP_SERVER_SD_FLAGS_OID: which parts of nTSecurityDescriptor to read or write. */
export class SdFlagsControl extends Control {
  constructor(readonly flags: number) {
    super(SD_FLAGS_OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.flags);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

/** Reads and parses the DACL (default) of `dn`; a malformed descriptor is an EngineError. */
export async function readSecurityDescriptor(session: AdSession, dn: string, flags: number = SD_FLAG.Dacl): Promise<SecurityDescriptor> {
  const [entry] = await session.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['nTSecurityDescriptor'] }, 'read the security descriptor', [
    new SdFlagsControl(flags),
  ]);
  const raw = binaryAttribute(entry, 'nTSecurityDescriptor');
  if (!entry || !raw) {
    throw new EngineError(
      'Delegation.SecurityDescriptorUnreadable',
      `The account ${session.dc.bindDN} cannot read the permissions of ${dn} (no nTSecurityDescriptor came back).`,
      {
        category: 'PermissionDenied',
        exitCode: ExitCode.AuthFailed,
        target: dn,
      },
    );
  }
  try {
    return parseSecurityDescriptor(raw);
  } catch (err) {
    if (!(err instanceof SecurityDescriptorError)) throw err;
    throw new EngineError('Delegation.BadSecurityDescriptor', `The security descriptor of ${dn} is malformed: ${err.message}.`, {
      category: 'InvalidData',
      exitCode: ExitCode.Unreachable,
      target: dn,
      details: { problem: err.problem, offset: err.offset, length: raw.length },
    });
  }
}

export interface DomainInfo {
  dn: string;
  sid: string;
  dnsName: string;
  netbiosName: string | null;
}

export async function readDomainInfo(session: AdSession): Promise<DomainInfo> {
  const dse = await session.rootDse();
  const [head] = await session.search(dse.defaultNamingContext, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectSid'] }, 'read the domain');
  const sidBytes = binaryAttribute(head, 'objectSid');
  if (!sidBytes)
    throw new EngineError('AD.OperationFailed', `The domain head ${dse.defaultNamingContext} returned no objectSid.`, {
      exitCode: ExitCode.Unreachable,
      target: dse.defaultNamingContext,
    });
  const partitions = `CN=Partitions,${dse.configurationNamingContext}`;
  const crossRefs = await session
    .search(
      partitions,
      { scope: 'one', filter: `(&(objectClass=crossRef)(nCName=${escapeFilterValue(dse.defaultNamingContext)}))`, attributes: ['nETBIOSName'] },
      'read the NetBIOS name',
    )
    .catch(() => [] as Entry[]);
  const dnsName = dse.defaultNamingContext
    .split(',')
    .filter((p) => /^\s*DC=/i.test(p))
    .map((p) => p.replace(/^\s*DC=/i, '').trim())
    .join('.');
  return {
    dn: dse.defaultNamingContext,
    sid: sidFromBytes(sidBytes),
    dnsName,
    netbiosName: firstString(crossRefs[0] ? attributeValue(crossRefs[0], 'nETBIOSName') : undefined) || null,
  };
}

export interface AccountEntry {
  dn: string;
  sid: string;
  samAccountName: string;
  userPrincipalName: string;
  userAccountControl: number;
  adminCount: number;
  primaryGroupId: number;
  memberOf: string[];
}

const ACCOUNT_ATTRIBUTES = ['objectSid', 'sAMAccountName', 'userPrincipalName', 'userAccountControl', 'adminCount', 'primaryGroupID', 'memberOf'];

function toAccount(entry: Entry): AccountEntry {
  const sid = binaryAttribute(entry, 'objectSid');
  return {
    dn: entry.dn,
    sid: sid ? sidFromBytes(sid) : '',
    samAccountName: textAttribute(entry, 'sAMAccountName'),
    userPrincipalName: textAttribute(entry, 'userPrincipalName'),
    userAccountControl: uacOf(entry),
    adminCount: intAttribute(entry, 'adminCount'),
    primaryGroupId: intAttribute(entry, 'primaryGroupID'),
    memberOf: allStrings(attributeValue(entry, 'memberOf')),
  };
}

/** The logon name as AD stores it: EXAMPLE\jcsync → jcsync; a UPN or a DN stays as given. */
function accountFilter(name: string): { base: 'dn'; dn: string } | { base: 'filter'; filter: string } {
  const trimmed = name.trim();
  if (/^(CN|OU|DC)=/i.test(trimmed) && trimmed.includes(',')) return { base: 'dn', dn: trimmed };
  const sam = trimmed.includes('\\') ? trimmed.slice(trimmed.lastIndexOf('\\') + 1) : trimmed;
  const terms = sam.includes('@')
    ? `(|(userPrincipalName=${escapeFilterValue(sam)})(sAMAccountName=${escapeFilterValue(sam.slice(0, sam.indexOf('@')))}))`
    : `(sAMAccountName=${escapeFilterValue(sam)})`;
  return { base: 'filter', filter: `(&(objectCategory=person)(objectClass=user)${terms})` };
}

/** Finds the account anywhere in the domain; null when it does not exist. */
export async function findAccount(session: AdSession, name: string, domainDn: string): Promise<AccountEntry | null> {
  const how = accountFilter(name);
  const options = { attributes: ACCOUNT_ATTRIBUTES };
  if (how.base === 'dn') {
    const [entry] = await session
      .search(how.dn, { scope: 'base', filter: '(objectClass=user)', ...options }, 'read the service account')
      .catch((err: unknown) => {
        if (err instanceof EngineError && err.details.ldapCode === 32) return [] as Entry[];
        throw err;
      });
    return entry ? toAccount(entry) : null;
  }
  const found = await session.search(domainDn, { scope: 'sub', filter: how.filter, sizeLimit: 2, ...options }, 'find the service account');
  if (found.length > 1) {
    throw new EngineError(
      'ServiceAccount.Ambiguous',
      `More than one account matches '${name}': ${found.map((e) => e.dn).join('; ')}. Name it by its distinguished name.`,
      {
        category: 'InvalidArgument',
        exitCode: ExitCode.BadRequest,
        target: name,
      },
    );
  }
  return found[0] ? toAccount(found[0]) : null;
}

/**
 * Every group SID the account holds: tokenGroups (base-scope read, docs/ldap.md), or, when the bind
 * account may not read it, the nested memberOf chain plus the primary group.
 */
export async function readGroupSids(
  session: AdSession,
  account: AccountEntry,
  domain: DomainInfo,
): Promise<{ sids: string[]; source: 'tokenGroups' | 'memberOf' }> {
  const [entry] = await session.search(account.dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['tokenGroups'] }, 'read tokenGroups');
  const token = binaryValues(attributeValue(entry, 'tokenGroups')).map(sidFromBytes);
  if (token.length > 0) return { sids: token, source: 'tokenGroups' };
  // account.dn came from AD, so it is already a DN in escaped form: only filter-escape it.
  const chain = await session.search(
    domain.dn,
    { scope: 'sub', filter: `(member:${IN_CHAIN}:=${escapeFilterValue(account.dn)})`, attributes: ['objectSid'] },
    'read group memberships',
  );
  const sids = chain.flatMap((e) => binaryValues(attributeValue(e, 'objectSid')).map(sidFromBytes));
  if (account.primaryGroupId) sids.push(`${domain.sid}-${account.primaryGroupId}`);
  return { sids, source: 'memberOf' };
}

/** Security groups named `name` (sAMAccountName or cn) in the domain, with their SIDs. */
export async function findGroupsNamed(session: AdSession, name: string, domainDn: string): Promise<Array<{ dn: string; sid: string }>> {
  const value = escapeFilterValue(name);
  const found = await session.search(
    domainDn,
    {
      scope: 'sub',
      filter: `(&(objectClass=group)(|(sAMAccountName=${value})(cn=${value})))`,
      attributes: ['objectSid'],
    },
    'find groups by name',
  );
  return found.flatMap((e) => binaryValues(attributeValue(e, 'objectSid')).map((sid) => ({ dn: e.dn, sid: sidFromBytes(sid) })));
}
