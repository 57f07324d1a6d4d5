// Gathers what the delegation checks need from one AD session (root container, its DACL, the
// service account with its groups, the domain) and turns it into per-task and per-rule verdicts
// with their remedies. The reading is here; the judging is in ./assess.ts and ./account.ts.
import { EngineError, ExitCode, badRequest } from '../errors';
import { parseAdiDN } from '../ad/rootdn';
import { findAccount, findGroupsNamed, readDomainInfo, readGroupSids, readSecurityDescriptor, type AccountEntry, type DomainInfo } from '../ad/security';
import type { AdSession } from '../ad/session';
import { checkAccountRules, type RuleResult } from './account';
import { assessTask, type TaskAssessment } from './assess';
import { tokenOf } from './evaluate';
import type { SecurityDescriptor } from '../ad/sd';
import { DELEGATION_TASKS, type DelegationTask } from './tasks';

export interface DelegationContext {
  rootUserDN: string;
  rootDn: string;
  domain: DomainInfo;
  account: AccountEntry;
  groupSids: string[];
  groupSource: 'tokenGroups' | 'memberOf';
  descriptor: SecurityDescriptor;
  /** How tools name the account: EXAMPLE\jcsync. */
  trustee: string;
}

/** Parses an ADI-form Root User DN (CN=Users;DC=example;DC=com) to its LDAP form, or refuses. */
export function rootDnOf(rootUserDN: string): string {
  const parsed = parseAdiDN(rootUserDN, 'root');
  if (!parsed.isValid || !parsed.ldapDN)
    throw badRequest('RootDN.Invalid', `The Root User DN '${rootUserDN}' is not valid: ${parsed.problems.join(' ')}`, rootUserDN);
  return parsed.ldapDN;
}

export async function requireAccount(session: AdSession, name: string, domain: DomainInfo): Promise<AccountEntry> {
  const account = await findAccount(session, name, domain.dn);
  if (!account) {
    throw new EngineError('ServiceAccount.NotFound', `No user account '${name}' in ${domain.dn}. Create it with New-JCSyncServiceAccount.`, {
      category: 'ObjectNotFound',
      exitCode: ExitCode.BadRequest,
      target: name,
    });
  }
  return account;
}

export async function requireContainer(session: AdSession, dn: string, label: string): Promise<void> {
  if ((await session.readObject(dn, ['distinguishedName'])) === null) {
    throw new EngineError('RootDN.NotFound', `The ${label} ${dn} does not exist (or the account ${session.dc.bindDN} cannot see it).`, {
      category: 'ObjectNotFound',
      exitCode: ExitCode.BadRequest,
      target: dn,
    });
  }
}

export async function loadDelegationContext(session: AdSession, rootUserDN: string, serviceAccount: string): Promise<DelegationContext> {
  const rootDn = rootDnOf(rootUserDN);
  const domain = await readDomainInfo(session);
  await requireContainer(session, rootDn, 'root user container');
  const account = await requireAccount(session, serviceAccount, domain);
  const groups = await readGroupSids(session, account, domain);
  const descriptor = await readSecurityDescriptor(session, rootDn);
  const trustee = domain.netbiosName ? `${domain.netbiosName}\\${account.samAccountName}` : `${account.samAccountName}@${domain.dnsName}`;
  return { rootUserDN, rootDn, domain, account, groupSids: groups.sids, groupSource: groups.source, descriptor, trustee };
}

export function assessDelegation(ctx: DelegationContext, tasks: readonly DelegationTask[] = DELEGATION_TASKS): TaskAssessment[] {
  const token = tokenOf(ctx.account.sid, ctx.groupSids);
  return tasks.map((task) => assessTask(task, ctx.descriptor, token, ctx.account.sid, ctx.trustee));
}

export async function assessAccount(session: AdSession, ctx: DelegationContext): Promise<RuleResult[]> {
  const jumpCloudGroups = await findGroupsNamed(session, 'JumpCloud', ctx.domain.dn);
  return checkAccountRules({
    dn: ctx.account.dn,
    samAccountName: ctx.account.samAccountName,
    userAccountControl: ctx.account.userAccountControl,
    adminCount: ctx.account.adminCount,
    groupSids: ctx.groupSids,
    jumpCloudGroups,
  });
}

export function grantCommandFor(ctx: Pick<DelegationContext, 'rootUserDN' | 'account'>, taskIds: readonly string[]): string {
  return `Grant-JCSyncDelegation -RootUserDN '${ctx.rootUserDN}' -ServiceAccount '${ctx.account.samAccountName}' -Task ${taskIds.join(',')}`;
}

/** The record of one task for delegation-test and the prerequisite checklist. */
export function taskRecord(ctx: DelegationContext, assessment: TaskAssessment): Record<string, unknown> {
  const { task, missing } = assessment;
  const denied = missing.flatMap((m) => m.deniedBy);
  let remedy: string | null = null;
  if (missing.length > 0) {
    const dsacls = [...new Set(missing.map((m) => `dsacls "${ctx.rootDn}" ${m.dsacls}`))];
    remedy = `${grantCommandFor(ctx, [task.id])}   (or: ${dsacls.join(' ; ')})`;
    if (denied.length > 0)
      remedy = `Remove the deny ACE(s) ${[...new Set(denied)].join(' ')} from ${ctx.rootDn} first (a grant does not override a deny); then ${remedy}`;
  }
  return {
    Kind: 'Task',
    Check: task.id,
    Title: task.title,
    Status: assessment.granted ? 'Granted' : 'Missing',
    Detail: assessment.granted
      ? `Granted${assessment.wizardAcesPresent.every(Boolean) ? '' : " (through broader permissions, not only the wizard's ACEs)"}.`
      : `Missing: ${missing.map((m) => `${m.description} [${m.rights}]${m.deniedBy.length ? ' (denied explicitly)' : ''}`).join('; ')}.`,
    Missing: missing.map((m) => ({ Right: m.description, Rights: m.rights, DeniedBy: m.deniedBy, Ace: m.ace, Dsacls: m.dsacls })),
    GrantedThrough: assessment.grantedThrough,
    WizardAcesPresent: `${assessment.wizardAcesPresent.filter(Boolean).length} of ${assessment.wizardAcesPresent.length}`,
    Remedy: remedy,
    ServiceAccount: ctx.account.samAccountName,
    RootUserDN: ctx.rootUserDN,
  };
}

export function ruleRecord(ctx: DelegationContext, rule: RuleResult): Record<string, unknown> {
  return {
    Kind: 'Account',
    Check: rule.id,
    Title: rule.title,
    Status: rule.status,
    Detail: rule.detail,
    Missing: [],
    GrantedThrough: [],
    WizardAcesPresent: null,
    Remedy: rule.remedy,
    ServiceAccount: ctx.account.samAccountName,
    RootUserDN: ctx.rootUserDN,
  };
}
