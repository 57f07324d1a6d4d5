// service-account-create / service-account-rotate: the sync service account the product guide
// asks for (First Name JumpCloud, Last Name Sync, logon jcsync, password never expires) and the
// periodic rotation of its password. The password travels only in the request.
import * as z from 'zod';
import { parseAdiDN } from '../../ad/rootdn';
import { escapeDnValue, escapeFilterValue } from '../../ad/escape';
import { findAccount, readDomainInfo } from '../../ad/security';
import { AdSession } from '../../ad/session';
import { AdWriter } from '../../ad/writer';
import { isDisabled, UAC_DONT_EXPIRE_PASSWD, uacOf } from '../../ad/uac';
import { DEFAULT_ANCHOR_ATTRIBUTE } from '../../ad/directory';
import { AgentConfigPasswordStore } from '../../agent/service-password';
import { agentPaths, protectorFor, readAgentConfig } from '../../agent/config';
import { dcSchema } from '../../config/request';
import { FORBIDDEN_NAME } from '../../delegation/account';
import { requireAccount, requireContainer } from '../../delegation/inspect';
import { rotatePassword, type PasswordStore } from '../../delegation/rotation';
import { defineCommand } from '../command';
import { badRequest, EngineError, ExitCode } from '../../errors';

/** sAMAccountName rules for users (docs/ad-writes.md). */
const samAccountName = z
  .string()
  .min(1)
  .max(20, 'a logon name (sAMAccountName) has at most 20 characters')
  .regex(/^[^"/\\[\]:;|=,+*?<>@]+$/, 'a logon name cannot contain " / \\ [ ] : ; | = , + * ? < > or @')
  .refine((v) => ![...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'a logon name cannot contain control characters')
  .refine((v) => !v.endsWith('.'), 'a logon name cannot end with a period')
  .refine((v) => v.toLowerCase() !== FORBIDDEN_NAME, 'the logon name cannot be "JumpCloud" (product rule)');

const password = z.string().min(1).max(256);

/** A container in the ADI form (CN=Users;DC=example;DC=com) or the LDAP form (commas). */
function containerDn(value: string): string {
  if (!value.includes(';')) return value.trim();
  const parsed = parseAdiDN(value, 'root');
  if (!parsed.isValid || !parsed.ldapDN)
    throw badRequest('ServiceAccount.ContainerInvalid', `The container '${value}' is not valid: ${parsed.problems.join(' ')}`, value);
  return parsed.ldapDN;
}

export const serviceAccountCreateCommand = defineCommand({
  name: 'service-account-create',
  description: 'Create the sync service account (JumpCloud Sync, jcsync, password never expires) in a container.',
  params: z.strictObject({
    dc: dcSchema,
    container: z.string().min(1).max(4096),
    samAccountName: samAccountName.default('jcsync'),
    givenName: z.string().min(1).max(64).default('JumpCloud'),
    surname: z.string().min(1).max(64).default('Sync'),
    userPrincipalName: z
      .string()
      .min(3)
      .max(1024)
      .regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain')
      .optional(),
    description: z.string().max(1024).default('JumpCloud AD sync agent service account'),
    password,
    whatIf: z.boolean().default(false),
  }),
  async run(params, { reporter }) {
    const parent = containerDn(params.container);
    const session = await AdSession.open(params.dc);
    try {
      const domain = await readDomainInfo(session);
      await requireContainer(session, parent, 'container');
      const displayName = `${params.givenName} ${params.surname}`;
      const dn = `CN=${escapeDnValue(displayName)},${parent}`;
      const upn = params.userPrincipalName ?? `${params.samAccountName}@${domain.dnsName}`;
      const taken = await session.search(
        domain.dn,
        {
          scope: 'sub',
          filter: `(|(sAMAccountName=${escapeFilterValue(params.samAccountName)})(userPrincipalName=${escapeFilterValue(upn)})(distinguishedName=${escapeFilterValue(dn)}))`,
          attributes: ['sAMAccountName'],
        },
        'check the logon name',
      );
      if (taken.length > 0) {
        throw new EngineError(
          'ServiceAccount.Exists',
          `The logon name '${params.samAccountName}' (or ${upn}, or ${dn}) is already used by ${taken.map((e) => e.dn).join('; ')}.`,
          {
            category: 'ResourceExists',
            exitCode: ExitCode.PartialFailure,
            target: params.samAccountName,
          },
        );
      }
      const record = {
        SamAccountName: params.samAccountName,
        UserPrincipalName: upn,
        DistinguishedName: dn,
        GivenName: params.givenName,
        Surname: params.surname,
        DisplayName: displayName,
        Enabled: true,
        PasswordNeverExpires: true,
        Created: !params.whatIf,
      };
      if (params.whatIf) {
        reporter.record('JumpCloudADI.ServiceAccount', record);
        return { exitCode: ExitCode.Ok, summary: { created: false, whatIf: true } };
      }
      await new AdWriter(session, DEFAULT_ANCHOR_ATTRIBUTE).createServiceAccount(
        dn,
        {
          cn: displayName,
          sAMAccountName: params.samAccountName,
          userPrincipalName: upn,
          givenName: params.givenName,
          sn: params.surname,
          displayName,
          description: params.description,
        },
        params.password,
      );
      const created = await session.readObject(dn, ['userAccountControl']);
      const uac = uacOf(created);
      reporter.record('JumpCloudADI.ServiceAccount', {
        ...record,
        Enabled: !isDisabled(uac),
        PasswordNeverExpires: (uac & UAC_DONT_EXPIRE_PASSWD) !== 0,
      });
      reporter.log('info', `Created ${dn}. Next: Grant-JCSyncDelegation -ServiceAccount ${params.samAccountName}.`);
      return { exitCode: ExitCode.Ok, summary: { created: true, whatIf: false } };
    } finally {
      await session.close();
    }
  },
});

export const serviceAccountRotateCommand = defineCommand({
  name: 'service-account-rotate',
  description: "Set a new password for the sync service account in AD and in an installed agent's config, and verify it by binding.",
  params: z.strictObject({
    dc: dcSchema,
    serviceAccount: z.string().min(1).max(1024).default('jcsync'),
    newPassword: password,
    verifyBind: z.boolean().default(true),
    /** An installed agent that binds as this account: its encrypted config gets the new password too. */
    installPath: z.string().min(1).max(4096).optional(),
  }),
  async run(params, { reporter }) {
    const session = await AdSession.open(params.dc);
    try {
      const domain = await readDomainInfo(session);
      const account = await requireAccount(session, params.serviceAccount, domain);
      if (account.adminCount === 1) {
        reporter.log('warning', `${account.samAccountName} is a protected account (adminCount=1); the sync service account should be a standard user.`);
      }
      const stores: PasswordStore[] = [];
      if (params.installPath !== undefined) {
        const configFile = agentPaths(params.installPath).config;
        const agentConfig = readAgentConfig(configFile);
        const agentAccount = await findAccount(session, agentConfig.serviceAccount.bindDN, domain.dn);
        if (agentAccount?.dn.toLowerCase() !== account.dn.toLowerCase()) {
          throw new EngineError(
            'ServiceAccount.AgentAccountMismatch',
            `The agent in ${params.installPath} binds as ${agentConfig.serviceAccount.bindDN}, not as ${account.samAccountName}: its config is left alone. Rotate the account the agent binds as, or leave out the install path.`,
            { category: 'InvalidArgument', exitCode: ExitCode.BadRequest, target: configFile },
          );
        }
        stores.push(new AgentConfigPasswordStore(configFile, protectorFor(agentPaths(params.installPath))));
      }
      const writer = new AdWriter(session, DEFAULT_ANCHOR_ATTRIBUTE);
      const bindName = account.userPrincipalName || account.dn;
      const outcome = await rotatePassword(
        params.newPassword,
        {
          setPasswordInAd: (pw) => writer.setPassword(account.dn, pw),
          verifyBind: params.verifyBind
            ? async (pw) => {
                try {
                  const check = await AdSession.open({ ...params.dc, bindDN: bindName, bindPassword: pw });
                  await check.close();
                } catch (err) {
                  throw new EngineError(
                    'ServiceAccount.VerifyFailed',
                    `AD accepted the new password of ${account.samAccountName}, but a bind as ${bindName} with it failed: ${(err as Error).message}`,
                    {
                      category: 'AuthenticationError',
                      exitCode: ExitCode.PartialFailure,
                      target: account.dn,
                      cause: err,
                    },
                  );
                }
              }
            : undefined,
        },
        stores,
      );
      reporter.record('JumpCloudADI.ServiceAccountRotation', {
        ServiceAccount: account.samAccountName,
        DistinguishedName: account.dn,
        ChangedInAD: outcome.changedInAd,
        Verified: outcome.verified,
        UpdatedStores: outcome.committed,
        ChangedAt: new Date().toISOString(),
      });
      return { exitCode: ExitCode.Ok, summary: { changedInAd: true, verified: outcome.verified } };
    } finally {
      await session.close();
    }
  },
});
