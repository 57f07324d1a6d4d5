// prerequisites: the product guide's checklist, run. One JumpCloudADI.PrerequisiteResult per item
// (Pass / Warn / Fail, what was found, the remedy). A check that cannot run because an earlier one
// failed (no bind, no JumpCloud key) says "Not checked" with the reason, as a Warn.
import { arch, platform, release, version } from 'node:os';
import * as z from 'zod';
import { escapeFilterValue } from '../../ad/escape';
import { matchDomain, parseAdiDN } from '../../ad/rootdn';
import { AdSession, defaultPort } from '../../ad/session';
import { textAttribute } from '../../ad/entry';
import { probeTls } from '../../ad/tlsprobe';
import { dcSchema } from '../../config/request';
import { assessAccount, assessDelegation, grantCommandFor, loadDelegationContext, type DelegationContext } from '../../delegation/inspect';
import { jumpcloudConnectionSchema, resolveEndpoints } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import type { JumpCloudClient } from '../../jumpcloud/client';
import { classifyHost } from '../../prerequisites/host';
import { findDomain, gatherDesired } from '../../sync/gather';
import type { DesiredUser } from '../../sync/model';
import { defineCommand } from '../command';
import { asEngineError, EngineError, ExitCode } from '../../errors';
import { alignAll, readAdPolicies } from './policy-alignment';

type Status = 'Pass' | 'Warn' | 'Fail';

interface Item {
  Item: string;
  Category: string;
  Title: string;
  Status: Status;
  Detail: string;
  Remedy: string | null;
}

const NAME_LOOKUP_CHUNK = 100;
const LISTED = 10;

function list(names: readonly string[]): string {
  return names.length <= LISTED ? names.join(', ') : `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
}

function notChecked(item: Omit<Item, 'Status' | 'Detail' | 'Remedy'>, reason: string, remedy: string | null = null): Item {
  return { ...item, Status: 'Warn', Detail: `Not checked: ${reason}`, Remedy: remedy };
}

/** AD accounts holding these logon names anywhere in the domain, or sitting under the root container, with adminCount=1. */
async function protectedAccounts(session: AdSession, domainDn: string, rootDn: string, usernames: readonly string[]): Promise<string[]> {
  const found = new Map<string, string>();
  for (let i = 0; i < usernames.length; i += NAME_LOOKUP_CHUNK) {
    const terms = usernames
      .slice(i, i + NAME_LOOKUP_CHUNK)
      .map((n) => `(sAMAccountName=${escapeFilterValue(n)})`)
      .join('');
    for await (const page of session.searchPaged(domainDn, { scope: 'sub', filter: `(&(adminCount=1)(|${terms}))`, attributes: ['sAMAccountName'] })) {
      for (const e of page) found.set(e.dn.toLowerCase(), textAttribute(e, 'sAMAccountName') || e.dn);
    }
  }
  for await (const page of session.searchPaged(rootDn, {
    scope: 'sub',
    filter: '(&(adminCount=1)(|(objectClass=user)(objectClass=group)))',
    attributes: ['sAMAccountName'],
  })) {
    for (const e of page) found.set(e.dn.toLowerCase(), textAttribute(e, 'sAMAccountName') || e.dn);
  }
  return [...found.values()].sort();
}

export const prerequisitesCommand = defineCommand({
  name: 'prerequisites',
  description: 'Run the prerequisite checklist of the product guide and report each item.',
  params: z.strictObject({
    dc: dcSchema,
    rootUserDN: z.string().min(1).max(4096),
    serviceAccount: z.string().min(1).max(1024).default('jcsync'),
    jumpcloud: jumpcloudConnectionSchema.optional(),
    /** The ADI domain in JumpCloud (id or DC=example;DC=com); default: the Root User DN's domain. */
    domain: z.string().min(1).max(1024).optional(),
  }),
  async run(params, ctx) {
    const { reporter } = ctx;
    const activity = 'Checking prerequisites';
    const items: Item[] = [];
    const add = (item: Item) => {
      items.push(item);
      reporter.record('JumpCloudADI.PrerequisiteResult', { ...item });
    };
    const step = (status: string, percent: number) => reporter.progress({ activity, status, percent });

    // --- this host ------------------------------------------------------------------------
    step('Host', 2);
    const host = classifyHost({ platform: platform(), release: release(), version: version(), arch: arch() });
    add({
      Item: 'Host.OperatingSystem',
      Category: 'Host',
      Title: 'Supported 64-bit Windows Server',
      Status: host.status,
      Detail: host.detail,
      Remedy: host.remedy,
    });

    // --- JumpCloud ------------------------------------------------------------------------
    step('JumpCloud', 8);
    const jcItem = { Item: 'JumpCloud.Reachable', Category: 'JumpCloud', Title: 'JumpCloud reachable over HTTPS (443)' };
    let client: JumpCloudClient | null = null;
    if (!params.jumpcloud) {
      add(notChecked(jcItem, 'no JumpCloud API key was given.', 'Give -JumpCloudApiKey to check JumpCloud, the password policy and the users in scope.'));
    } else {
      const url = new URL(resolveEndpoints(params.jumpcloud).baseUrl);
      const port = url.port || '443';
      const opened = await openJumpCloud(params.jumpcloud, ctx);
      try {
        const started = Date.now();
        const org = await opened.currentOrganization();
        client = opened;
        add({
          ...jcItem,
          Status: 'Pass',
          Detail: `Reached ${url.origin} (port ${port}) in ${Date.now() - started} ms; organization ${org.displayName ?? org._id}.`,
          Remedy: null,
        });
      } catch (thrown) {
        opened.close();
        const err = asEngineError(thrown);
        const auth = err.id === 'JumpCloud.AuthFailed' || err.id === 'JumpCloud.Forbidden';
        add({
          ...jcItem,
          Status: 'Fail',
          Detail: `${err.message} (${err.id})`,
          Remedy: auth
            ? 'Use the API key of the dedicated JumpCloud administrator created for the ADI.'
            : `Allow outbound HTTPS from this server to ${url.host} on port ${port} (proxy and firewall).`,
        });
      }
    }

    // --- Root User DN (syntax) ------------------------------------------------------------
    const root = parseAdiDN(params.rootUserDN, 'root');
    const rootItem = { Item: 'RootDN.Valid', Category: 'Root container', Title: 'Root User DN in the ADI format' };
    if (!root.isValid || !root.ldapDN) {
      add({
        ...rootItem,
        Status: 'Fail',
        Detail: root.problems.join(' '),
        Remedy: 'Use the ADI form with semicolons and capital CN/OU/DC, e.g. OU=Corporate Users;DC=example;DC=com (Test-JCRootDN explains each problem).',
      });
    } else {
      add({ ...rootItem, Status: 'Pass', Detail: `${params.rootUserDN} is ${root.ldapDN} in LDAP form.`, Remedy: null });
    }

    let desiredUsers: DesiredUser[] | null = null;
    const domainItem = { Item: 'JumpCloud.Domain', Category: 'JumpCloud', Title: 'ADI domain registered in JumpCloud' };
    const domainName = params.domain ?? root.domain;
    if (!client) add(notChecked(domainItem, 'JumpCloud was not reached.'));
    else if (!domainName) add(notChecked(domainItem, 'the Root User DN is not valid, so its domain is unknown.'));
    else {
      try {
        step('ADI domain and users in scope', 15);
        const domain = await findDomain(client, domainName);
        const parsedDomain = parseAdiDN(domain.domain, 'domain');
        const match = root.isValid && parsedDomain.isValid ? matchDomain(root, parsedDomain) : { underDomain: true, problem: null };
        desiredUsers = (await gatherDesired(client, domain.id)).users;
        add({
          ...domainItem,
          Status: match.underDomain ? 'Pass' : 'Fail',
          Detail: match.underDomain ? `${domain.domain} (${domain.id}), ${desiredUsers.length} user(s) in scope.` : (match.problem ?? ''),
          Remedy: match.underDomain ? null : 'The Root User DN must lie in the ADI domain, with the same case.',
        });
      } catch (thrown) {
        const err = asEngineError(thrown);
        add({
          ...domainItem,
          Status: 'Fail',
          Detail: `${err.message} (${err.id})`,
          Remedy: `Create the ADI domain ${domainName} in the JumpCloud Admin Portal (Directory Integrations → Active Directory).`,
        });
      }
    }

    // --- domain controller: LDAPS and certificate, bind -----------------------------------
    step('LDAPS on the domain controller', 25);
    const ldapsPort = params.dc.mode === 'ldaps' ? (params.dc.port ?? 636) : 636;
    const tlsItem = { Item: 'DC.Ldaps', Category: 'Domain controller', Title: 'LDAPS with a valid, trusted certificate' };
    try {
      const tls = await probeTls(params.dc, ldapsPort);
      const status: Status = tls.daysUntilExpiry < 30 ? 'Warn' : 'Pass';
      add({
        ...tlsItem,
        Status: status,
        Detail: `${params.dc.host}:${ldapsPort} speaks ${tls.protocol ?? 'TLS'}; certificate ${tls.subject} from ${tls.issuer}, valid until ${tls.validTo} (${tls.daysUntilExpiry} days).`,
        Remedy: status === 'Warn' ? 'Renew the domain controller certificate before it expires.' : null,
      });
    } catch (thrown) {
      const err = asEngineError(thrown);
      add({
        ...tlsItem,
        Status: 'Fail',
        Detail: `${err.message} (${err.id})`,
        Remedy:
          'Install LDAPS on the domain controller (a certificate from a CA this server trusts, naming the DC as it is addressed) and open port 636; pass the CA with -CertificateAuthorityFile if needed.',
      });
    }
    if (params.dc.mode !== 'ldaps') {
      reporter.log(
        'warning',
        `The checks bind with ${params.dc.mode} on port ${params.dc.port ?? defaultPort(params.dc.mode)}; the product strongly recommends LDAPS for the agent.`,
      );
    }

    step('Binding to the domain controller', 35);
    const bindItem = { Item: 'DC.Bind', Category: 'Domain controller', Title: 'Bind to the domain controller' };
    let session: AdSession | null = null;
    let interrupted = false;
    try {
      session = await AdSession.open(params.dc);
      add({ ...bindItem, Status: 'Pass', Detail: `Bound to ${params.dc.host} as ${params.dc.bindDN} (${params.dc.mode}).`, Remedy: null });
    } catch (thrown) {
      const err = asEngineError(thrown);
      add({
        ...bindItem,
        Status: 'Fail',
        Detail: `${err.message} (${err.id})`,
        Remedy: 'Check the server name, the port, the credentials and the CA (Test-JCDomainController shows the details).',
      });
    }

    try {
      const rootExistsItem = { Item: 'RootDN.Exists', Category: 'Root container', Title: 'Root user container exists' };
      const accountItem = { Item: 'ServiceAccount.Exists', Category: 'Service account', Title: `Service account ${params.serviceAccount} exists` };
      let rootExists = false;
      if (!session) add(notChecked(rootExistsItem, 'the bind to the domain controller failed.'));
      else if (!root.ldapDN) add(notChecked(rootExistsItem, 'the Root User DN is not valid.'));
      else {
        const dse = await session.rootDse();
        rootExists = (await session.readObject(root.ldapDN, ['distinguishedName'])) !== null;
        const inDomain = root.ldapDN.toLowerCase().endsWith(dse.defaultNamingContext.toLowerCase());
        add({
          ...rootExistsItem,
          Status: rootExists && inDomain ? 'Pass' : 'Fail',
          Detail: !inDomain
            ? `${root.ldapDN} is not in this DC's domain (${dse.defaultNamingContext}).`
            : rootExists
              ? `${root.ldapDN} exists.`
              : `${root.ldapDN} does not exist (or ${params.dc.bindDN} cannot see it).`,
          Remedy: rootExists && inDomain ? null : 'Create the container (or correct the Root User DN) in the domain the agent syncs.',
        });
      }

      // --- service account and delegation -------------------------------------------------
      step('Service account and delegation', 50);
      let delegation: DelegationContext | null = null;
      const delegationItem = { Item: 'Delegation', Category: 'Delegation', Title: 'Delegated control of the root container' };
      let delegationProblem: Item | null = null;
      if (!session || !rootExists || !root.ldapDN) add(notChecked(accountItem, 'the root container could not be read.'));
      else {
        try {
          delegation = await loadDelegationContext(session, params.rootUserDN, params.serviceAccount);
          add({ ...accountItem, Status: 'Pass', Detail: `${delegation.account.dn} (${delegation.account.sid}).`, Remedy: null });
        } catch (thrown) {
          const err = asEngineError(thrown);
          if (err.id === 'ServiceAccount.NotFound' || err.id === 'ServiceAccount.Ambiguous') {
            add({
              ...accountItem,
              Status: 'Fail',
              Detail: err.message,
              Remedy: `New-JCSyncServiceAccount -Path '${params.rootUserDN}' (First Name JumpCloud, Last Name Sync, logon jcsync), then Grant-JCSyncDelegation.`,
            });
          } else if (err.exitCode === ExitCode.AuthFailed || err.exitCode === ExitCode.BadRequest) {
            // e.g. Delegation.SecurityDescriptorUnreadable: the bind account may not read the DACL.
            add(notChecked(accountItem, `${err.message} (${err.id})`));
            delegationProblem = {
              ...delegationItem,
              Status: 'Fail',
              Detail: `${err.message} (${err.id})`,
              Remedy:
                'Run the checklist with an account that can read the permissions of the root container and the service account (for example a Domain Admin).',
            };
          } else throw err;
        }
      }
      if (delegation && session) {
        for (const rule of await assessAccount(session, delegation)) {
          add({
            Item: `ServiceAccount.${rule.id}`,
            Category: 'Service account',
            Title: rule.title,
            Status: rule.status,
            Detail: rule.detail,
            Remedy: rule.remedy,
          });
        }
        for (const assessment of assessDelegation(delegation)) {
          const missing = assessment.missing;
          add({
            Item: `Delegation.${assessment.task.id}`,
            Category: 'Delegation',
            Title: assessment.task.title,
            Status: assessment.granted ? 'Pass' : 'Fail',
            Detail: assessment.granted ? 'Granted.' : `Missing: ${missing.map((m) => `${m.description} [${m.rights}]`).join('; ')}.`,
            Remedy: assessment.granted ? null : grantCommandFor(delegation, [assessment.task.id]),
          });
        }
      } else {
        add(delegationProblem ?? notChecked(delegationItem, 'the service account or the root container could not be read.'));
      }

      // --- password policy ----------------------------------------------------------------
      step('Password policies', 70);
      const policyItem = { Item: 'PasswordPolicy.Alignment', Category: 'Password policy', Title: 'JumpCloud and AD password policies aligned' };
      if (!client) add(notChecked(policyItem, 'JumpCloud was not reached.'));
      else if (!session) add(notChecked(policyItem, 'the bind to the domain controller failed.'));
      else {
        const policy = await client.getPasswordPolicy();
        const ad = await readAdPolicies(session, rootExists ? root.ldapDN : null, reporter);
        const findings = alignAll(policy, ad.policies);
        const mismatches = findings.filter((f) => f.status === 'Mismatch');
        const warnings = findings.filter((f) => f.status === 'Warning');
        add({
          ...policyItem,
          Status: mismatches.length ? 'Fail' : warnings.length ? 'Warn' : 'Pass',
          Detail: mismatches.length
            ? `AD can refuse passwords JumpCloud accepts: ${mismatches.map((f) => `${f.adPolicy} ${f.rule}: ${f.detail}`).join(' ')}`
            : warnings.length
              ? warnings.map((f) => `${f.adPolicy} ${f.rule}: ${f.detail}`).join(' ')
              : 'Every password JumpCloud accepts meets the AD policies.',
          Remedy: mismatches.length || warnings.length ? 'Test-JCPasswordPolicyAlignment lists each rule with the setting to change on either side.' : null,
        });
      }

      // --- users in scope -----------------------------------------------------------------
      step('Users in scope', 85);
      const namesItem = { Item: 'Users.FirstAndLastName', Category: 'Users', Title: 'Users in scope have a first and a last name' };
      const protectedItem = { Item: 'Users.Protected', Category: 'Users', Title: 'No protected (adminCount=1) accounts in scope' };
      if (!desiredUsers) {
        add(notChecked(namesItem, 'the users in scope could not be read from JumpCloud.'));
        add(notChecked(protectedItem, 'the users in scope could not be read from JumpCloud.'));
      } else {
        const unnamed = desiredUsers.filter((u) => !u.firstName.trim() || !u.lastName.trim()).map((u) => u.username);
        add({
          ...namesItem,
          Status: unnamed.length ? 'Fail' : 'Pass',
          Detail: unnamed.length
            ? `${unnamed.length} user(s) without a first or last name will not sync: ${list(unnamed)}.`
            : `All ${desiredUsers.length} user(s) in scope have both names.`,
          Remedy: unnamed.length ? 'Fill in First Name and Last Name of these users in JumpCloud.' : null,
        });
        if (!session || !root.ldapDN || !rootExists) add(notChecked(protectedItem, 'AD could not be read.'));
        else {
          const dse = await session.rootDse();
          const protectedNames = await protectedAccounts(
            session,
            dse.defaultNamingContext,
            root.ldapDN,
            desiredUsers.map((u) => u.username),
          );
          add({
            ...protectedItem,
            Status: protectedNames.length ? 'Warn' : 'Pass',
            Detail: protectedNames.length
              ? `${protectedNames.length} protected account(s) the sync will never manage: ${list(protectedNames)}.`
              : 'No in-scope user maps to a protected AD account, and none sits in the root container.',
            Remedy: protectedNames.length
              ? 'Unbind these users from the ADI domain in JumpCloud (privileged AD accounts are not managed from JumpCloud), or use separate non-privileged accounts.'
              : null,
          });
        }
      }
    } catch (thrown) {
      // A failure past the bind (a DC gone mid-run): report it, keep the items already found.
      if (!(thrown instanceof EngineError) || thrown.exitCode === ExitCode.Internal) throw thrown;
      reporter.error(thrown, false);
      interrupted = true;
    } finally {
      await session?.close();
      client?.close();
    }

    reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
    const count = (s: Status) => items.filter((i) => i.Status === s).length;
    return {
      exitCode: interrupted ? ExitCode.PartialFailure : ExitCode.Ok,
      summary: {
        interrupted,
        pass: count('Pass'),
        warn: count('Warn'),
        fail: count('Fail'),
        failed: items.filter((i) => i.Status === 'Fail').map((i) => i.Item),
      },
    };
  },
});
