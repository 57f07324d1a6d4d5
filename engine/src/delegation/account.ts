// The product guide's rules for the sync service account, as checks over facts read from AD.
// Pure: the facts come in, one verdict per rule goes out.
import { PROTECTED_BUILTIN_SIDS, PROTECTED_DOMAIN_RIDS } from './rights';
import { isDisabled, UAC_DONT_EXPIRE_PASSWD } from '../ad/uac';

/** The name the guide forbids for the account, and for a group it must not belong to. */
export const FORBIDDEN_NAME = 'jumpcloud';

export interface AccountFacts {
  dn: string;
  samAccountName: string;
  userAccountControl: number;
  adminCount: number;
  /** tokenGroups: every group SID the account holds, nested ones included. */
  groupSids: string[];
  /** Security groups named JumpCloud (sAMAccountName or cn) in the domain. */
  jumpCloudGroups: Array<{ dn: string; sid: string }>;
}

type RuleStatus = 'Pass' | 'Warn' | 'Fail';

export interface RuleResult {
  id: 'NotPrivileged' | 'NotProtected' | 'LogonName' | 'NotInJumpCloudGroup' | 'PasswordNeverExpires' | 'Enabled';
  title: string;
  status: RuleStatus;
  detail: string;
  remedy: string | null;
}

/** The protected groups among the account's group SIDs, by name. */
export function privilegedGroupsOf(groupSids: readonly string[]): string[] {
  const names = new Set<string>();
  for (const raw of groupSids) {
    const sid = raw.toUpperCase();
    const builtin = PROTECTED_BUILTIN_SIDS[sid];
    if (builtin) names.add(builtin);
    const match = /^S-1-5-21-\d+-\d+-\d+-(\d+)$/.exec(sid);
    const domainGroup = match ? PROTECTED_DOMAIN_RIDS[Number(match[1])] : undefined;
    if (domainGroup) names.add(domainGroup);
  }
  return [...names].sort();
}

export function checkAccountRules(facts: AccountFacts): RuleResult[] {
  const name = facts.samAccountName;
  const privileged = privilegedGroupsOf(facts.groupSids);
  const held = new Set(facts.groupSids.map((s) => s.toUpperCase()));
  const jumpCloudMemberships = facts.jumpCloudGroups.filter((g) => held.has(g.sid.toUpperCase()));
  const neverExpires = (facts.userAccountControl & UAC_DONT_EXPIRE_PASSWD) !== 0;
  const disabled = isDisabled(facts.userAccountControl);
  return [
    {
      id: 'NotPrivileged',
      title: 'Not a Domain Admin or member of another privileged group',
      status: privileged.length === 0 ? 'Pass' : 'Fail',
      detail: privileged.length === 0 ? `${name} is in no privileged group.` : `${name} is a member (directly or nested) of ${privileged.join(', ')}.`,
      remedy:
        privileged.length === 0 ? null : `Remove ${name} from ${privileged.join(', ')}: the sync account must be a standard user with delegated rights only.`,
    },
    {
      id: 'NotProtected',
      title: 'Not a protected account (adminCount=1)',
      status: facts.adminCount === 1 ? 'Fail' : 'Pass',
      detail:
        facts.adminCount === 1
          ? `${name} has adminCount=1: AD treats it as protected (AdminSDHolder) and strips inherited permissions from it.`
          : `${name} is not protected (adminCount is not 1).`,
      remedy:
        facts.adminCount === 1
          ? `After removing ${name} from every privileged group, clear adminCount (Set-ADUser ${name} -Clear adminCount) and re-enable permission inheritance on the account.`
          : null,
    },
    {
      id: 'LogonName',
      title: 'Logon name is not "JumpCloud"',
      status: name.toLowerCase() === FORBIDDEN_NAME ? 'Fail' : 'Pass',
      detail: name.toLowerCase() === FORBIDDEN_NAME ? 'The logon name is "JumpCloud", which the product does not allow.' : `The logon name is "${name}".`,
      remedy: name.toLowerCase() === FORBIDDEN_NAME ? 'Create a service account with another logon name (New-JCSyncServiceAccount uses jcsync).' : null,
    },
    {
      id: 'NotInJumpCloudGroup',
      title: 'Not a member of a "JumpCloud" security group',
      status: jumpCloudMemberships.length === 0 ? 'Pass' : 'Fail',
      detail:
        jumpCloudMemberships.length === 0
          ? `${name} is not a member of a group named JumpCloud.`
          : `${name} is a member of ${jumpCloudMemberships.map((g) => g.dn).join('; ')}.`,
      remedy: jumpCloudMemberships.length === 0 ? null : `Remove ${name} from ${jumpCloudMemberships.map((g) => g.dn).join('; ')}.`,
    },
    {
      id: 'PasswordNeverExpires',
      title: 'Password set to never expire',
      status: neverExpires ? 'Pass' : 'Fail',
      detail: neverExpires
        ? 'The password never expires (DONT_EXPIRE_PASSWD).'
        : `The password of ${name} expires with the domain policy; the agent stops when it does.`,
      remedy: neverExpires ? null : `Set-ADUser ${name} -PasswordNeverExpires $true (rotate it with Reset-JCSyncServiceAccountPassword instead).`,
    },
    {
      id: 'Enabled',
      title: 'Account enabled',
      status: disabled ? 'Warn' : 'Pass',
      detail: disabled ? `${name} is disabled: the agent cannot bind with it.` : `${name} is enabled.`,
      remedy: disabled ? `Enable-ADAccount ${name}` : null,
    },
  ];
}
