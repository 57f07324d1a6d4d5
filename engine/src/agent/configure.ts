// Changing the settings of an installed agent (agent-configure, Set-JCSyncAgent) without a
// reinstall: the request's values are checked against the installed config and turned into the
// next config plus the list of changes. Pure: opening and protecting secrets, verifying against
// the DC and JumpCloud, and the one atomic rewrite are the command's (cli/commands/agent-configure.ts).
// Settings that define what the agent manages (server type, ADI domain, root container, anchor
// attribute, mode, service account, connect key) are refused here with the way to change them.
import { resolve } from 'node:path';
import * as z from 'zod';
import { EngineError, ExitCode } from '../errors';
import { checkAgentSettings, syncSettingsSchema, type AgentConfig, type LdapSettings, type SyncSettings } from './config';
import { PROXY_FROM_ENVIRONMENT, proxySettingSchema, type ProxySetting } from '../jumpcloud/connection';
import { serverTypeChangeError } from './install';
import { ANCHOR_KEY_PROBLEM, parseAnchorKey } from '../ad/anchorproof';

const sync = syncSettingsSchema.shape;

/** The sync settings a running install may change, with the config schema's own bounds (no defaults: absent = unchanged). */
const changeableSyncSchema = z.strictObject({
  fullReconcileMinutes: sync.fullReconcileMinutes.unwrap().optional(),
  offboardPollSeconds: sync.offboardPollSeconds.unwrap().optional(),
  insightsPollSeconds: sync.insightsPollSeconds.unwrap().optional(),
  debounceMs: sync.debounceMs.unwrap().optional(),
  maxDebounceMs: sync.maxDebounceMs.unwrap().optional(),
  maxDisableCount: sync.maxDisableCount.unwrap().optional(),
  maxDisablePercent: sync.maxDisablePercent.unwrap().optional(),
  quarantineAfterFailures: sync.quarantineAfterFailures.unwrap().optional(),
  retryBaseSeconds: sync.retryBaseSeconds.unwrap().optional(),
  concurrency: sync.concurrency.unwrap().optional(),
  logLevel: sync.logLevel.unwrap().optional(),
  safetyWindowHours: sync.safetyWindowHours.unwrap().optional(),
  /** The whole deny list (replaces the installed one; [] empties it). */
  privilegedGroups: sync.privilegedGroups.unwrap().optional(),
  /** Not changeable: refused when it differs from the installed one. */
  anchorAttribute: sync.anchorAttribute.unwrap().optional(),
});

export const agentConfigureParamsSchema = z.strictObject({
  installPath: z.string().min(1).max(1024),
  /** A proxy block as in the jumpcloud block, `environment`, or null to connect directly. Replaces the whole proxy setting. */
  proxy: proxySettingSchema.nullable().optional(),
  /** A new JumpCloud API key (protected at rest). */
  jumpcloudApiKey: z.string().min(1).max(1024).optional(),
  /** The anchor key (base64, 32 bytes; docs/anchor-trust.md), protected at rest: the same on every agent and Invoke-JCSync run. */
  anchorKey: z
    .string()
    .max(128)
    .refine((k) => parseAnchorKey(k) !== null, ANCHOR_KEY_PROBLEM)
    .optional(),
  /** How long the agent waits for each JumpCloud request. */
  jumpcloudTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  sync: changeableSyncSchema.optional(),
  /** false: a staging agent goes live (applies what it journaled as staged); true: back to staging. */
  staging: z.boolean().optional(),
  domainController: z.string().min(1).max(255).optional(),
  /** Merged into the installed ldap settings; port or caFile null removes it (the mode's default port, the system's CAs). */
  ldap: z
    .strictObject({
      mode: z.enum(['ldaps', 'starttls', 'ldap']).optional(),
      port: z.number().int().min(1).max(65535).nullable().optional(),
      caFile: z.string().min(1).max(4096).nullable().optional(),
      timeoutMs: z.number().int().min(100).max(600_000).optional(),
      allowInsecure: z.boolean().optional(),
      insecureRiskAcknowledged: z.boolean().optional(),
    })
    .optional(),
  // Not changeable in place: refused (with the way to change them) when they differ from the installed values.
  serverType: z.enum(['dc', 'member']).optional(),
  domain: z.string().min(1).max(1024).optional(),
  rootUserDN: z.string().min(1).max(4096).optional(),
  mode: z.enum(['channel', 'apiKey']).optional(),
  serviceAccount: z.strictObject({ bindDN: z.string().min(1).max(1024).optional(), password: z.string().min(1).max(1024).optional() }).optional(),
  connectKey: z.string().min(1).max(512).optional(),
  /** Check what can be checked before writing: a new API key or proxy with one JumpCloud call, a new DC or LDAP setting with a bind. */
  verify: z.boolean().default(true),
  whatIf: z.boolean().default(false),
});
export type AgentConfigureParams = z.infer<typeof agentConfigureParamsSchema>;

/** One changed setting; a secret is never shown, only that it changes. */
interface ConfigChange {
  setting: string;
  before: string | number | boolean | null;
  after: string | number | boolean | null;
}

const SECRET_SHOWN_AS = '(changed)';
const SECRET_SET = '(set)';

export interface ConfigChangePlan {
  /** The next config; its protected values are the installed ones until the command replaces them. */
  next: AgentConfig;
  changes: ConfigChange[];
  /** A new API key to protect, or null (unchanged). */
  apiKey: string | null;
  /** A new anchor key to protect, or null (unchanged). */
  anchorKey: string | null;
  /** The new proxy to protect (`setting` undefined: none), or null (unchanged). */
  proxy: { setting: ProxySetting | undefined } | null;
  /** JumpCloud must be asked again (a new key or proxy). */
  checkJumpCloud: boolean;
  /** The DC must be bound again (another DC or LDAP setting). */
  checkDomainController: boolean;
}

function notChangeable(setting: string, how: string, installPath: string): EngineError {
  return new EngineError('Agent.SettingNotChangeable', `${setting} of the installed agent cannot be changed in place: ${how}`, {
    category: 'InvalidOperation',
    exitCode: ExitCode.BadRequest,
    target: installPath,
  });
}

const REINSTALL = 'uninstall the agent (Uninstall-JCSyncAgent), then install it again (Install-JCSyncAgent) with the new value';

/** Refuses the settings that define what the agent manages, when they differ from the installed ones. */
function refuseUnchangeable(config: AgentConfig, params: AgentConfigureParams, installPath: string): void {
  if (params.serverType !== undefined && params.serverType !== config.serverType)
    throw serverTypeChangeError(config.serverType, params.serverType, installPath);
  if (params.domain !== undefined && params.domain !== config.domain)
    throw notChangeable('The ADI domain', `the objects the agent manages would change; ${REINSTALL}.`, installPath);
  if (params.rootUserDN !== undefined && params.rootUserDN !== config.rootUserDN)
    throw notChangeable('The Root User DN', `the objects the agent manages would change; ${REINSTALL}.`, installPath);
  if (params.sync?.anchorAttribute !== undefined && params.sync.anchorAttribute !== config.sync.anchorAttribute) {
    throw notChangeable('The anchor attribute', `it marks the objects the sync manages; ${REINSTALL}.`, installPath);
  }
  if (params.mode !== undefined && params.mode !== config.mode) {
    throw notChangeable(
      'The mode (agent channel or API key)',
      'uninstall the agent (Uninstall-JCSyncAgent), then install it in the other mode (with a connect key, or with -ApiKeyOnly).',
      installPath,
    );
  }
  if (params.serviceAccount?.password !== undefined) {
    throw notChangeable(
      "The service account's password",
      'use Reset-JCSyncServiceAccountPassword -InstallPath, which changes it in AD and in the agent config together.',
      installPath,
    );
  }
  if (params.serviceAccount?.bindDN !== undefined && params.serviceAccount.bindDN !== config.serviceAccount.bindDN) {
    throw notChangeable('The service account', `${REINSTALL}.`, installPath);
  }
  if (params.connectKey !== undefined) {
    throw notChangeable(
      'The connect key',
      `a connect key is used once, at the first start; to register the agent again, ${REINSTALL} and a new connect key (New-JCSyncConnectKey).`,
      installPath,
    );
  }
}

const DEFAULT_PORT: Record<LdapSettings['mode'], number> = { ldaps: 636, starttls: 389, ldap: 389 };

/** The proxy as the change list shows it: never its password. */
function describeProxySetting(setting: ProxySetting | undefined): string {
  if (setting === undefined) return 'none';
  if (setting === PROXY_FROM_ENVIRONMENT) return PROXY_FROM_ENVIRONMENT;
  const parts = [setting.url];
  if (setting.username !== undefined) parts.push(`user ${setting.username}`);
  if (setting.bypass.length > 0) parts.push(`bypass ${setting.bypass.join(',')}`);
  return parts.join(' ');
}

/**
 * The next config and what changes. `opened` holds the installed secrets the comparison needs
 * (the API key, the proxy password), opened by the caller.
 */
export function planConfigChange(
  config: AgentConfig,
  params: AgentConfigureParams,
  opened: { apiKey: string; proxy: ProxySetting | undefined; anchorKey?: Buffer | null },
  installPath: string,
): ConfigChangePlan {
  refuseUnchangeable(config, params, installPath);
  const changes: ConfigChange[] = [];
  const note = (setting: string, before: ConfigChange['before'] | undefined, after: ConfigChange['after'] | undefined) => {
    if (before !== after) changes.push({ setting, before: before ?? null, after: after ?? null });
  };

  // Sync settings.
  const nextSync: SyncSettings = { ...config.sync };
  for (const [key, value] of Object.entries(params.sync ?? {}) as Array<[keyof SyncSettings, SyncSettings[keyof SyncSettings] | undefined]>) {
    if (value === undefined || key === 'anchorAttribute') continue;
    // A list (privilegedGroups) is compared and shown as one line.
    const flat = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v) as ConfigChange['before'];
    note(`sync.${key}`, flat(config.sync[key]), flat(value));
    (nextSync as Record<string, unknown>)[key] = value;
  }

  const staging = params.staging ?? config.staging;
  note('staging', config.staging, staging);

  // The domain controller and the LDAP connection.
  const domainController = params.domainController ?? config.domainController;
  note('domainController', config.domainController, domainController);
  const nextLdap: LdapSettings = { ...config.ldap };
  const ldapIn = params.ldap ?? {};
  if (ldapIn.mode !== undefined) nextLdap.mode = ldapIn.mode;
  if (ldapIn.port === null) delete nextLdap.port;
  else if (ldapIn.port !== undefined) nextLdap.port = ldapIn.port;
  else if (nextLdap.mode !== config.ldap.mode && config.ldap.port === DEFAULT_PORT[config.ldap.mode]) delete nextLdap.port; // the old mode's default port: the new mode's default
  if (ldapIn.caFile === null) delete nextLdap.caFile;
  else if (ldapIn.caFile !== undefined) nextLdap.caFile = resolve(ldapIn.caFile);
  if (ldapIn.timeoutMs !== undefined) nextLdap.timeoutMs = ldapIn.timeoutMs;
  if (ldapIn.allowInsecure !== undefined) nextLdap.allowInsecure = ldapIn.allowInsecure;
  if (ldapIn.insecureRiskAcknowledged !== undefined) nextLdap.insecureRiskAcknowledged = ldapIn.insecureRiskAcknowledged;
  const ldapBefore = changes.length;
  for (const key of ['mode', 'port', 'caFile', 'timeoutMs', 'allowInsecure', 'insecureRiskAcknowledged'] as const)
    note(`ldap.${key}`, config.ldap[key], nextLdap[key]);
  const ldapChanged = changes.length > ldapBefore;
  const problem = checkAgentSettings({ rootUserDN: config.rootUserDN, domain: config.domain, serverType: config.serverType, domainController, ldap: nextLdap });
  if (problem) throw problem;

  // JumpCloud: the API key and the proxy (their secrets only as "(changed)").
  let apiKey: string | null = null;
  if (params.jumpcloudApiKey !== undefined && params.jumpcloudApiKey !== opened.apiKey) {
    apiKey = params.jumpcloudApiKey;
    changes.push({ setting: 'jumpcloud.apiKey', before: SECRET_SET, after: SECRET_SHOWN_AS });
  }
  let anchorKey: string | null = null;
  const wantedKey = params.anchorKey === undefined ? null : parseAnchorKey(params.anchorKey);
  if (wantedKey && !(opened.anchorKey && wantedKey.equals(opened.anchorKey))) {
    anchorKey = wantedKey.toString('base64');
    changes.push({ setting: 'anchorKey', before: opened.anchorKey ? SECRET_SET : null, after: SECRET_SHOWN_AS });
  }
  const timeoutMs = params.jumpcloudTimeoutMs ?? config.jumpcloud.timeoutMs;
  note('jumpcloud.timeoutMs', config.jumpcloud.timeoutMs, timeoutMs);
  let proxy: ConfigChangePlan['proxy'] = null;
  if (params.proxy !== undefined) {
    const setting = params.proxy ?? undefined;
    const before = describeProxySetting(opened.proxy);
    const after = describeProxySetting(setting);
    const passwordOf = (p: ProxySetting | undefined) => (typeof p === 'object' ? (p.password ?? null) : null);
    const passwordChanged = passwordOf(opened.proxy) !== passwordOf(setting);
    if (before !== after || passwordChanged) {
      proxy = { setting };
      note('jumpcloud.proxy', before, after);
      if (passwordChanged && typeof setting === 'object') {
        changes.push({
          setting: 'jumpcloud.proxy.password',
          before: passwordOf(opened.proxy) === null ? null : SECRET_SET,
          after: passwordOf(setting) === null ? null : SECRET_SHOWN_AS,
        });
      }
    }
  }

  const next: AgentConfig = { ...config, staging, domainController, ldap: nextLdap, sync: nextSync, jumpcloud: { ...config.jumpcloud, timeoutMs } };
  return {
    next,
    changes,
    apiKey,
    anchorKey,
    proxy,
    checkJumpCloud: apiKey !== null || proxy !== null,
    checkDomainController: ldapChanged || domainController !== config.domainController,
  };
}
