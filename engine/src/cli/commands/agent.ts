// The sync agent's local life cycle, driven by Install-/Uninstall-/Start-/Stop-/Get-JCSyncAgent
// and Get-JCSyncHistory: agent-install (fresh or upgrade), agent-uninstall, agent-start /
// agent-stop (the detached process on hosts without a service manager), agent-wait (until a
// started agent reports), agent-status, agent-history.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { ANCHOR_KEY_PROBLEM, parseAnchorKey } from '../../ad/anchorproof';
import { AdSession } from '../../ad/session';
import { parseAdiDN } from '../../ad/rootdn';
import { filterHistory } from '../../agent/history';
import {
  installAgent,
  processAlive,
  runningPid,
  serverTypeChangeError,
  spawnAgent,
  statusRecord,
  stopAgentProcess,
  uninstallFiles,
  upgradeAgent,
  waitForAgent,
  type InstallOutcome,
} from '../../agent/install';
import {
  AGENT_MODES,
  REHEARSAL_SERVICE_PATTERN,
  agentPaths,
  checkAgentSettings,
  ldapFieldsSchema,
  readAgentConfig,
  type AgentConfig,
} from '../../agent/config';
import { jumpcloudConnectionSchema } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import { findDomain } from '../../sync/gather';
import { FileJournal } from '../../sync/journal';
import { ENGINE_VERSION } from '../../version';
import type { CommandContext } from '../command';
import { defineCommand } from '../command';
import { badRequest, EngineError, ExitCode, type ErrorId } from '../../errors';

const installPathSchema = z.string().min(1).max(1024);

const agentInstallParamsSchema = z.strictObject({
  installPath: installPathSchema,
  /** The engine executable to copy into the install folder (the module passes its own). */
  engineFile: z.string().min(1).max(4096),
  /** The Windows service host to copy next to the engine (the module passes it on Windows). */
  serviceHostFile: z.string().min(1).max(4096).optional(),
  serverType: z.enum(['dc', 'member']).optional(),
  domainController: z.string().min(1).max(255).optional(),
  ldap: ldapFieldsSchema.prefault({}),
  rootUserDN: z.string().min(1).max(4096).optional(),
  domain: z.string().min(1).max(1024).optional(),
  serviceAccount: z.strictObject({ bindDN: z.string().min(1).max(1024), password: z.string().min(1).max(1024) }).optional(),
  /** `channel` (the default) needs connectKey; `apiKey` refuses it (public API and Directory Insights only, no passwords). */
  mode: z.enum(AGENT_MODES).optional(),
  connectKey: z.string().min(1).max(512).optional(),
  /** The anchor key (base64, 32 bytes; New-JCSyncAnchorKey), the same on every agent and Invoke-JCSync. */
  anchorKey: z
    .string()
    .max(128)
    .refine((k) => parseAnchorKey(k) !== null, ANCHOR_KEY_PROBLEM)
    .optional(),
  /** A staging agent: plans and journals what it would do, writes nothing to AD, suspends nothing (agent-configure staging=false: live). */
  staging: z.boolean().optional(),
  jumpcloud: jumpcloudConnectionSchema.optional(),
  sync: z
    .strictObject({
      fullReconcileMinutes: z.number().min(1).max(1440).optional(),
      offboardPollSeconds: z.number().min(1).max(60).optional(),
      insightsPollSeconds: z.number().min(1).max(300).optional(),
      debounceMs: z.number().int().min(0).max(10_000).optional(),
      retryBaseSeconds: z.number().min(0.1).max(3600).optional(),
      quarantineAfterFailures: z.number().int().min(1).max(100).optional(),
      logLevel: z.enum(['error', 'warning', 'info', 'verbose', 'debug']).optional(),
    })
    .prefault({}),
  /** Bind to the DC with the service account, find the root container, find the ADI domain in JumpCloud. */
  verify: z.boolean().default(true),
  /** Reset owner and access of an install folder (or %ProgramData%\JumpCloudADI) that grants more or belongs to someone else. */
  force: z.boolean().default(false),
  /** POSIX: the dedicated account the agent runs as (it must exist); its folder and secrets become its own. */
  serviceUser: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a POSIX user name')
    .optional(),
  /** Windows: the service the folder's ACL is for (its virtual account); only the rehearsal's own name besides the default. */
  serviceName: z.string().regex(REHEARSAL_SERVICE_PATTERN, 'must be a rehearsal service name (JumpCloudADISync-Rehearsal-<time>)').optional(),
  whatIf: z.boolean().default(false),
});

function installRecord(outcome: InstallOutcome): Record<string, unknown> {
  const c = outcome.config;
  return {
    InstallPath: outcome.paths.installPath,
    Upgraded: outcome.upgraded,
    Version: c.installedVersion,
    ServerType: c.serverType === 'dc' ? 'DC' : 'MemberServer',
    DomainController: c.domainController,
    LdapMode: c.ldap.mode.toUpperCase(),
    Domain: c.domain,
    RootUserDN: c.rootUserDN,
    ServiceAccount: c.serviceAccount.bindDN,
    Mode: c.mode === 'apiKey' ? 'ApiKey' : 'AgentChannel',
    Staging: c.staging,
    PasswordSync: c.mode === 'apiKey' ? 'not synced in API-key mode' : 'synced',
    ConnectKeyExchanged: c.mode === 'apiKey' ? null : c.agent !== undefined,
    SecretsProtection: c.serviceAccount.password.scheme,
    EnginePath: outcome.paths.engine,
    ServiceHostPath: existsSync(outcome.paths.serviceHost) ? outcome.paths.serviceHost : null,
    ConfigFile: outcome.paths.config,
    LogFile: outcome.paths.log,
  };
}

/** The wizard's online checks: the service account binds, the root container exists, JumpCloud knows the domain. */
async function verifyInstall(
  settings: { dc: Parameters<typeof AdSession.open>[0]; rootLdapDN: string; domain: string; jumpcloud: z.infer<typeof jumpcloudConnectionSchema> },
  ctx: CommandContext,
) {
  const session = await AdSession.open(settings.dc);
  try {
    if (!(await session.readObject(settings.rootLdapDN, ['objectClass']))) {
      throw new EngineError(
        'RootDN.NotFound',
        `The root user container ${settings.rootLdapDN} does not exist on ${session.where}, or the service account cannot read it.`,
        {
          category: 'ObjectNotFound',
          exitCode: ExitCode.BadRequest,
          target: settings.rootLdapDN,
        },
      );
    }
  } finally {
    await session.close();
  }
  const client = await openJumpCloud(settings.jumpcloud, ctx);
  try {
    await findDomain(client, settings.domain);
  } finally {
    client.close();
  }
}

export const agentInstallCommand = defineCommand({
  name: 'agent-install',
  description: 'Install the sync agent into a folder (or upgrade the one there): engine, validated config with protected secrets.',
  params: agentInstallParamsSchema,
  async run(params, ctx) {
    const installPath = resolve(params.installPath);
    const paths = agentPaths(installPath);
    const upgrading = peekConfigExists(paths.config);
    if (upgrading) {
      if (params.whatIf) {
        const config = readAgentConfig(paths.config);
        if (params.serverType && params.serverType !== config.serverType) throw serverTypeChangeError(config.serverType, params.serverType, installPath);
        ctx.reporter.log('info', `What if: would upgrade the agent in ${installPath} to ${ENGINE_VERSION}, keeping its config.`);
        return { exitCode: ExitCode.Ok, summary: { whatIf: true, upgrade: true } };
      }
      const outcome = upgradeAgent(installPath, params.engineFile, params.serverType, params.serviceHostFile, {
        force: params.force,
        serviceUser: params.serviceUser ?? null,
      });
      const ignored = (['connectKey', 'anchorKey', 'rootUserDN', 'domain', 'serviceAccount', 'domainController', 'staging'] as const).filter(
        (k) => params[k] !== undefined,
      );
      if (params.mode !== undefined && params.mode !== outcome.config.mode) {
        ctx.reporter.log(
          'warning',
          `The agent in ${installPath} is installed in the ${outcome.config.mode === 'apiKey' ? 'API-key' : 'agent-channel'} mode and keeps it; to change the mode, uninstall first (Uninstall-JCSyncAgent), then install again.`,
        );
      }
      if (ignored.length > 0)
        ctx.reporter.log(
          'warning',
          `Upgrade of an existing install: its config is kept; ${ignored.join(', ')} given now ${ignored.length === 1 ? 'is' : 'are'} not used.`,
        );
      ctx.reporter.record('JumpCloudADI.SyncAgentInstall', installRecord(outcome));
      return { exitCode: ExitCode.Ok, summary: { upgraded: true } };
    }

    const mode = params.mode ?? 'channel';
    const missing = (
      ['serverType', 'rootUserDN', 'domain', 'serviceAccount', ...(mode === 'channel' ? (['connectKey'] as const) : []), 'jumpcloud'] as const
    ).filter((k) => params[k] === undefined);
    if (missing.length > 0) throw badRequest('Request.Invalid', `A new install needs ${missing.map((m) => `params.${m}`).join(', ')}.`, missing.join(','));
    if (mode === 'apiKey' && params.connectKey !== undefined) {
      throw badRequest(
        'Agent.ConnectKeyMode',
        'The API-key mode takes no connect key: give either a connect key (the agent-channel mode) or the API-key mode, not both.',
        'connectKey',
      );
    }
    const serverType = params.serverType as 'dc' | 'member';
    const settings = {
      serverType,
      domainController: params.domainController,
      ldap: params.ldap,
      rootUserDN: params.rootUserDN as string,
      domain: params.domain as string,
    };
    const problem = checkAgentSettings(settings);
    if (problem) throw problem;
    const jumpcloud = params.jumpcloud as z.infer<typeof jumpcloudConnectionSchema>;
    const serviceAccount = params.serviceAccount as { bindDN: string; password: string };
    const domainController = params.domainController ?? 'localhost';
    if (params.verify) {
      ctx.reporter.progress({ activity: 'Installing the sync agent', status: 'Checking the domain controller and JumpCloud', percent: 10 });
      await verifyInstall(
        {
          dc: { host: domainController, ...params.ldap, bindDN: serviceAccount.bindDN, bindPassword: serviceAccount.password },
          rootLdapDN: parseAdiDN(settings.rootUserDN, 'root').ldapDN as string,
          domain: settings.domain,
          jumpcloud,
        },
        ctx,
      );
    }
    if (params.whatIf) {
      ctx.reporter.log(
        'info',
        `What if: would install the sync agent ${ENGINE_VERSION} into ${installPath} for ${settings.domain} (${serverType === 'dc' ? 'domain controller' : 'member server'}${mode === 'apiKey' ? ', API-key mode' : ''}).`,
      );
      return { exitCode: ExitCode.Ok, summary: { whatIf: true, upgrade: false } };
    }
    ctx.reporter.progress({ activity: 'Installing the sync agent', status: `Writing ${installPath}`, percent: 60 });
    const outcome = await installAgent(
      installPath,
      params.engineFile,
      {
        ...settings,
        domainController,
        bindDN: serviceAccount.bindDN,
        bindPassword: serviceAccount.password,
        mode,
        connectKey: params.connectKey ?? null,
        anchorKey: params.anchorKey ?? null,
        staging: params.staging ?? false,
        jumpcloud: { ...jumpcloud, baseUrl: jumpcloud.baseUrl, region: jumpcloud.region },
        sync: params.sync,
      },
      undefined,
      params.serviceHostFile,
      { force: params.force, serviceUser: params.serviceUser ?? null, ...(params.serviceName ? { serviceName: params.serviceName } : {}) },
    );
    ctx.reporter.progress({ activity: 'Installing the sync agent', status: 'Installed', percent: 100, completed: true });
    ctx.reporter.record('JumpCloudADI.SyncAgentInstall', installRecord(outcome));
    return { exitCode: ExitCode.Ok, summary: { upgraded: false } };
  },
});

function peekConfigExists(file: string): boolean {
  try {
    readAgentConfig(file);
    return true;
  } catch (err) {
    if (err instanceof EngineError && err.id === 'Agent.NotInstalled') return false;
    throw new EngineError('Agent.ConfigInvalid', `${(err as Error).message} Uninstall first (Uninstall-JCSyncAgent), then install again.`, {
      exitCode: ExitCode.BadRequest,
      category: 'InvalidData',
      target: file,
    });
  }
}

export const agentUninstallCommand = defineCommand({
  name: 'agent-uninstall',
  description: 'Remove an installed sync agent (it must be stopped); with a jumpcloud block, also revoke its agent record.',
  params: z.strictObject({ installPath: installPathSchema, jumpcloud: jumpcloudConnectionSchema.optional(), keepHistory: z.boolean().default(false) }),
  async run(params, ctx) {
    const paths = agentPaths(resolve(params.installPath));
    let config: AgentConfig | null = null;
    try {
      config = readAgentConfig(paths.config);
    } catch (err) {
      if (err instanceof EngineError && err.id === 'Agent.NotInstalled') throw err;
      ctx.reporter.log('warning', `${(err as Error).message} Removing the files anyway.`);
    }
    const pid = runningPid(paths);
    if (pid !== null) {
      throw new EngineError('Agent.Running', `The sync agent in ${paths.installPath} is running (process ${pid}); stop it first (Stop-JCSyncAgent).`, {
        category: 'InvalidOperation',
        exitCode: ExitCode.BadRequest,
        target: paths.installPath,
      });
    }
    let revoked = false;
    if (params.jumpcloud && config?.agent) {
      const client = await openJumpCloud(params.jumpcloud, ctx);
      try {
        await client.deleteAgent(config.agent.domainId, config.agent.agentId);
        revoked = true;
      } catch (err) {
        if (!(err instanceof EngineError && err.id === 'JumpCloud.NotFound')) throw err;
      } finally {
        client.close();
      }
    }
    const removed = uninstallFiles(paths, params.keepHistory);
    ctx.reporter.record('JumpCloudADI.SyncAgentUninstall', {
      InstallPath: paths.installPath,
      AgentId: config?.agent?.agentId ?? null,
      AgentRevoked: revoked,
      Removed: removed,
    });
    return { exitCode: ExitCode.Ok, summary: { removed: removed.length, revoked } };
  },
});

const waitParams = {
  installPath: installPathSchema,
  timeoutSeconds: z.number().min(1).max(600).default(60),
};

function waitFailure(paths: ReturnType<typeof agentPaths>, reason: string, lastError: { id: string; message: string } | null | undefined): EngineError {
  if (lastError) {
    // The agent recorded the id of one of its own EngineErrors (so a catalogued id) in its state file.
    return new EngineError(lastError.id as ErrorId, `The sync agent in ${paths.installPath} did not start: ${lastError.message}`, {
      category: lastError.id.startsWith('JumpCloud.ConnectKey') ? 'InvalidArgument' : 'InvalidOperation',
      exitCode: lastError.id.startsWith('JumpCloud.ConnectKey') || lastError.id.startsWith('Agent.') ? ExitCode.BadRequest : ExitCode.Unreachable,
      target: paths.installPath,
    });
  }
  return new EngineError(
    'Agent.StartTimeout',
    `The sync agent in ${paths.installPath} ${reason === 'timeout' ? 'did not report in time' : 'exited'} (see ${paths.log}).`,
    {
      category: 'OperationTimeout',
      exitCode: ExitCode.Unreachable,
      target: paths.installPath,
    },
  );
}

export const agentWaitCommand = defineCommand({
  name: 'agent-wait',
  description: 'Wait until an agent started by a service manager reports connected (or failed).',
  params: z.strictObject({ ...waitParams, since: z.iso.datetime({ offset: true }) }),
  async run(params, ctx) {
    const paths = agentPaths(resolve(params.installPath));
    const outcome = await waitForAgent(paths, { since: new Date(params.since), timeoutMs: params.timeoutSeconds * 1000 });
    if (!outcome.ready) throw waitFailure(paths, outcome.reason, outcome.state?.lastError);
    ctx.reporter.record('JumpCloudADI.SyncAgentStatus', statusRecord(paths));
    return { exitCode: ExitCode.Ok, summary: { ready: true } };
  },
});

export const agentStartCommand = defineCommand({
  name: 'agent-start',
  description: 'Start the installed agent as a detached process (hosts without a service manager) and wait until it reports.',
  params: z.strictObject(waitParams),
  async run(params, ctx) {
    const paths = agentPaths(resolve(params.installPath));
    readAgentConfig(paths.config);
    const already = runningPid(paths);
    if (already !== null) {
      ctx.reporter.log('info', `The sync agent in ${paths.installPath} is already running (process ${already}).`);
      ctx.reporter.record('JumpCloudADI.SyncAgentStatus', statusRecord(paths));
      return { exitCode: ExitCode.Ok, summary: { started: false } };
    }
    const since = new Date();
    const child = spawnAgent(paths);
    const outcome = await waitForAgent(paths, { since, timeoutMs: params.timeoutSeconds * 1000, exited: child.exited });
    if (!outcome.ready) {
      if (processAlive(child.pid) && outcome.reason === 'timeout')
        ctx.reporter.log('warning', `The agent (process ${child.pid}) keeps running but has not reached JumpCloud yet.`);
      throw waitFailure(paths, outcome.reason, outcome.state?.lastError);
    }
    ctx.reporter.record('JumpCloudADI.SyncAgentStatus', statusRecord(paths));
    return { exitCode: ExitCode.Ok, summary: { started: true, pid: child.pid } };
  },
});

export const agentStopCommand = defineCommand({
  name: 'agent-stop',
  description: 'Stop the agent process gracefully (SIGTERM; SIGKILL only after the timeout).',
  params: z.strictObject({ installPath: installPathSchema, timeoutSeconds: z.number().min(1).max(600).default(30) }),
  async run(params, ctx) {
    const paths = agentPaths(resolve(params.installPath));
    const stopped = await stopAgentProcess(paths, params.timeoutSeconds * 1000);
    if (stopped.pid === null) ctx.reporter.log('info', `The sync agent in ${paths.installPath} is not running.`);
    if (stopped.killed) ctx.reporter.log('warning', `The sync agent (process ${stopped.pid}) did not stop within ${params.timeoutSeconds} s and was killed.`);
    ctx.reporter.record('JumpCloudADI.SyncAgentStatus', statusRecord(paths));
    return { exitCode: ExitCode.Ok, summary: { stopped: stopped.pid !== null, killed: stopped.killed } };
  },
});

export const agentStatusCommand = defineCommand({
  name: 'agent-status',
  description:
    "This machine's sync agent (installed, running, connected, role, last heartbeat and reconcile, counts) and, with a jumpcloud block, every agent of its domain.",
  params: z.strictObject({ installPath: installPathSchema, jumpcloud: jumpcloudConnectionSchema.optional() }),
  async run(params, ctx) {
    const paths = agentPaths(resolve(params.installPath));
    const local = statusRecord(paths);
    ctx.reporter.record('JumpCloudADI.SyncAgentStatus', local);
    if (params.jumpcloud) {
      let config: AgentConfig | null = null;
      try {
        config = readAgentConfig(paths.config);
      } catch {
        config = null;
      }
      if (!config)
        throw new EngineError('Agent.NotInstalled', `No sync agent is installed in ${paths.installPath}: its domain is unknown.`, {
          category: 'ObjectNotFound',
          exitCode: ExitCode.BadRequest,
          target: paths.installPath,
        });
      const client = await openJumpCloud(params.jumpcloud, ctx);
      try {
        const domain = await findDomain(client, config.agent?.domainId ?? config.domain);
        for await (const agent of client.listAgents(domain.id)) {
          ctx.reporter.record('JumpCloudADI.SyncAgentInfo', {
            Domain: domain.domain,
            AgentId: agent.id,
            AgentType: agent.agentType ?? null,
            Hostname: agent.hostname || null,
            SourceIp: agent.source_ip || null,
            State: agent.state ?? null,
            Health: agent.state === 'active' ? 'Green' : agent.state === 'unsealed' ? 'Pending' : 'Red',
            Primary: domain.primaryAgent === agent.id,
            ContactAt: agent.contactAt ?? null,
            Version: agent.version || null,
            ThisMachine: agent.id === config.agent?.agentId,
          });
        }
      } finally {
        client.close();
      }
    }
    return { exitCode: ExitCode.Ok, summary: { installed: local.Installed, running: local.Running } };
  },
});

export const agentHistoryCommand = defineCommand({
  name: 'agent-history',
  description: 'The journal of applied operations, filtered by user, time, outcome and kind.',
  params: z
    .strictObject({
      installPath: installPathSchema.optional(),
      journalFile: z.string().min(1).max(4096).optional(),
      user: z.string().min(1).max(1024).optional(),
      since: z.iso.datetime({ offset: true }).optional(),
      until: z.iso.datetime({ offset: true }).optional(),
      outcome: z.enum(['applied', 'failed', 'reported', 'staged']).optional(),
      kind: z.string().min(1).max(64).optional(),
      last: z.number().int().min(1).max(1_000_000).optional(),
    })
    .refine((p) => (p.installPath === undefined) !== (p.journalFile === undefined), {
      message: 'give installPath or journalFile (one of them)',
      path: ['installPath'],
    }),
  async run(params, ctx) {
    const file = params.journalFile ? resolve(params.journalFile) : agentPaths(resolve(params.installPath as string)).journal;
    const entries = filterHistory(FileJournal.entries(file), {
      user: params.user,
      since: params.since ? new Date(params.since) : undefined,
      until: params.until ? new Date(params.until) : undefined,
      outcome: params.outcome,
      kind: params.kind,
      last: params.last,
    });
    for (const e of entries) {
      ctx.reporter.record('JumpCloudADI.SyncHistoryEntry', {
        Time: e.time,
        Kind: e.kind,
        Target: e.target,
        JumpCloudId: e.jcId,
        Outcome: e.outcome,
        Detail: e.detail,
        ErrorId: e.errorId ?? null,
        Run: e.run,
      });
    }
    return { exitCode: ExitCode.Ok, summary: { entries: entries.length, journalFile: file } };
  },
});
