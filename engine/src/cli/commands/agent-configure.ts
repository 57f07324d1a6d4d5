// agent-configure (Set-JCSyncAgent): changes the settings of an installed agent in place. Every
// value is checked first (agent/configure.ts), what can be verified is verified (a new API key or
// proxy: one authenticated JumpCloud call through it; a new DC or LDAP setting: a bind with the
// configured service account), then agent.json is rewritten once, atomically (temp + rename,
// 0600), with new secrets protected as the install protects them. Restarting a running agent is
// the caller's (the module restarts it through the service manager).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAdiDN } from '../../ad/rootdn';
import { AdSession, readCaFile } from '../../ad/session';
import { planConfigChange, agentConfigureParamsSchema, type ConfigChangePlan } from '../../agent/configure';
import { runningPid } from '../../agent/install';
import {
  agentPaths,
  dcConfigOf,
  openAgentSecrets,
  protectorFor,
  protectProxy,
  proxySettingOf,
  readAgentConfig,
  SECRET_PURPOSE,
  writeAgentConfig,
  type AgentConfig,
} from '../../agent/config';
import type { ProxySetting } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import { findDomain } from '../../sync/gather';
import type { CommandContext } from '../command';
import { defineCommand } from '../command';
import { EngineError, ExitCode } from '../../errors';

/** One JumpCloud call with the next key and proxy (it authenticates, and goes through the proxy). */
async function verifyJumpCloud(config: AgentConfig, apiKey: string, proxy: ProxySetting | undefined, ctx: CommandContext): Promise<void> {
  const j = config.jumpcloud;
  const client = await openJumpCloud(
    {
      baseUrl: j.baseUrl,
      region: j.region,
      insightsBaseUrl: j.insightsBaseUrl,
      orgId: j.orgId,
      caFile: j.caFile,
      timeoutMs: j.timeoutMs,
      apiKey,
      ...(proxy !== undefined ? { proxy } : {}),
    },
    ctx,
  );
  try {
    await findDomain(client, config.domain);
  } finally {
    client.close();
  }
}

/** A bind to the next DC with the configured service account, and its root container. */
async function verifyDomainController(config: AgentConfig, bindPassword: string): Promise<void> {
  if (config.ldap.caFile) readCaFile(config.ldap.caFile);
  const session = await AdSession.open(dcConfigOf(config, bindPassword));
  try {
    const rootLdapDN = parseAdiDN(config.rootUserDN, 'root').ldapDN as string;
    if (!(await session.readObject(rootLdapDN, ['objectClass']))) {
      throw new EngineError(
        'RootDN.NotFound',
        `The root user container ${rootLdapDN} does not exist on ${session.where}, or the service account cannot read it.`,
        {
          category: 'ObjectNotFound',
          exitCode: ExitCode.BadRequest,
          target: rootLdapDN,
        },
      );
    }
  } finally {
    await session.close();
  }
}

export const agentConfigureCommand = defineCommand({
  name: 'agent-configure',
  description:
    "Change an installed agent's settings (proxy, API key, sync intervals and limits, log level, DC and LDAP) with one atomic rewrite of its config.",
  params: agentConfigureParamsSchema,
  async run(params, ctx) {
    const installPath = resolve(params.installPath);
    const paths = agentPaths(installPath);
    const original = readAgentConfig(paths.config);
    const originalText = readFileSync(paths.config, 'utf8');
    const protector = protectorFor(paths);
    const opened = await openAgentSecrets(original, protector);
    const oldProxy = proxySettingOf(original, opened.proxyPassword);
    const plan: ConfigChangePlan = planConfigChange(original, params, { apiKey: opened.apiKey, proxy: oldProxy, anchorKey: opened.anchorKey }, installPath);
    if (params.ldap?.caFile) readCaFile(plan.next.ldap.caFile as string);

    const verify = params.verify && plan.changes.length > 0;
    if (verify && plan.checkDomainController) {
      ctx.reporter.progress({ activity: 'Changing the sync agent settings', status: `Binding to ${plan.next.domainController}`, percent: 20 });
      await verifyDomainController(plan.next, opened.bindPassword);
    }
    if (verify && plan.checkJumpCloud) {
      ctx.reporter.progress({ activity: 'Changing the sync agent settings', status: 'Checking JumpCloud', percent: 50 });
      await verifyJumpCloud(original, plan.apiKey ?? opened.apiKey, plan.proxy ? plan.proxy.setting : oldProxy, ctx);
    }
    const running = runningPid(paths) !== null;
    for (const c of plan.changes)
      ctx.reporter.log('info', `${params.whatIf ? 'What if: would change' : 'Changing'} ${c.setting}: ${String(c.before)} -> ${String(c.after)}`);
    const record = {
      InstallPath: installPath,
      Changed: plan.changes.map((c) => ({ Setting: c.setting, Before: c.before, After: c.after })),
      Verified: verify,
      RestartRequired: running && plan.changes.length > 0,
    };
    if (params.whatIf) {
      // The same record, nothing written: the module prints one "What if:" line per change.
      ctx.reporter.record('JumpCloudADI.SyncAgentConfigChange', record);
      return { exitCode: ExitCode.Ok, summary: { whatIf: true, changes: plan.changes.length } };
    }

    if (plan.changes.length > 0) {
      const next = plan.next;
      if (plan.apiKey !== null) next.jumpcloud.apiKey = await protector.protect(plan.apiKey, SECRET_PURPOSE.apiKey);
      if (plan.anchorKey !== null) next.anchorKey = await protector.protect(plan.anchorKey, SECRET_PURPOSE.anchorKey);
      if (plan.proxy !== null) {
        const stored = await protectProxy(plan.proxy.setting, protector);
        if (stored === undefined) delete next.jumpcloud.proxy;
        else next.jumpcloud.proxy = stored;
      }
      // The agent itself rewrites its config (the connect key exchange, a password rotation): never write over such a change.
      if (readFileSync(paths.config, 'utf8') !== originalText) {
        throw new EngineError(
          'Agent.ConfigChanged',
          `The agent config ${paths.config} changed while the new settings were checked (the agent or another command wrote it); nothing was written: run the command again.`,
          {
            category: 'InvalidOperation',
            exitCode: ExitCode.BadRequest,
            target: paths.config,
          },
        );
      }
      writeAgentConfig(paths.config, next);
    } else {
      ctx.reporter.log('info', `The agent in ${installPath} already has these settings; its config is unchanged.`);
    }
    ctx.reporter.record('JumpCloudADI.SyncAgentConfigChange', record);
    return { exitCode: ExitCode.Ok, summary: { changes: plan.changes.length, running } };
  },
});
