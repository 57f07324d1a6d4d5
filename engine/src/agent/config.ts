// The sync agent's config file (agent.json in the install folder): what the install wizard asks,
// validated with zod, with every secret protected at rest (./protect.ts). In the agent-channel
// mode it holds the connect key before the first start; the agent exchanges it once and replaces
// it with its credentials (agent id, agent secret, X25519 private key), also protected. In the
// API-key mode it holds neither: the agent works with the public API (and Directory Insights)
// only. Writes are atomic and exclusive (random temp file created with 'wx', fsync, rename).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { DEFAULT_ANCHOR_ATTRIBUTE } from '../ad/directory';
import { parseAnchorKey } from '../ad/anchorproof';
import { matchDomain, parseAdiDN } from '../ad/rootdn';
import { EngineError, ExitCode, badRequest, type ErrorId } from '../errors';
import {
  httpsUrl,
  proxyBlockFields,
  PROXY_FROM_ENVIRONMENT,
  PROXY_PASSWORD_NEEDS_USERNAME,
  regionSchema,
  resolveEndpoints,
  resolveProxy,
  type ProxySetting,
  type ResolvedProxy,
} from '../jumpcloud/connection';
import type { DcConfig } from '../config/request';
import { platformProtector, protectedValueSchema, type ProtectedValue, type SecretProtector, type StdinRunner } from '../config/protect';
import { formatIssues } from '../config/validation';
import { writeFileAtomicSync as writeAtomic } from '../util/files';

const AGENT_CONFIG_FILE = 'agent.json';
const AGENT_KEY_FILE = 'agent.key';
const AGENT_STATE_FILE = 'state.json';
const AGENT_JOURNAL_FILE = 'journal.jsonl';
const AGENT_PID_FILE = 'agent.pid';
const AGENT_LOG_FILE = join('logs', 'agent.log');
/** The Windows service's name; it runs as the virtual account NT SERVICE\<name>. */
export const AGENT_SERVICE_NAME = 'JumpCloudADISync';
export const AGENT_SERVICE_ACCOUNT = `NT SERVICE\\${AGENT_SERVICE_NAME}`;
/**
 * A rehearsal's service (Invoke-JCSyncRehearsal): JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss>, so it
 * never collides with the production service and a left-over one is recognisable by its name.
 */
export const REHEARSAL_SERVICE_PATTERN = /^JumpCloudADISync-Rehearsal-[0-9]{8}-[0-9]{6}$/;
/** The Windows service host (engine/service-host), installed next to the engine on Windows. */
const SERVICE_HOST_FILE = 'jcadi-service.exe';

function engineFileName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'jcadi-engine.exe' : 'jcadi-engine';
}

/** The wizard's default destination folder. */
export function defaultInstallPath(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'C:\\Program Files\\JumpCloud\\AD Integration\\' : '/opt/jumpcloudadi';
}

/** The names of everything in an install folder, relative to it (`describe` reports them to the module). */
export function agentFileNames(platform: NodeJS.Platform = process.platform) {
  return {
    engine: engineFileName(platform),
    serviceHost: SERVICE_HOST_FILE,
    config: AGENT_CONFIG_FILE,
    keyFile: AGENT_KEY_FILE,
    state: AGENT_STATE_FILE,
    journal: AGENT_JOURNAL_FILE,
    pid: AGENT_PID_FILE,
    log: AGENT_LOG_FILE,
  };
}

/** Where everything of one installation lives. */
export function agentPaths(installPath: string, platform: NodeJS.Platform = process.platform) {
  const names = agentFileNames(platform);
  return {
    installPath,
    engine: join(installPath, names.engine),
    serviceHost: join(installPath, names.serviceHost),
    config: join(installPath, names.config),
    keyFile: join(installPath, names.keyFile),
    state: join(installPath, names.state),
    journal: join(installPath, names.journal),
    pid: join(installPath, names.pid),
    log: join(installPath, names.log),
  };
}
export type AgentPaths = ReturnType<typeof agentPaths>;

/** The LDAP fields as an install request gives them; the stored settings add the plain-LDAP rule. */
export const ldapFieldsSchema = z.strictObject({
  mode: z.enum(['ldaps', 'starttls', 'ldap']).default('ldaps'),
  port: z.number().int().min(1).max(65535).optional(),
  caFile: z.string().min(1).max(4096).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  allowInsecure: z.boolean().default(false),
  insecureRiskAcknowledged: z.boolean().default(false),
});

export const ldapSettingsSchema = ldapFieldsSchema.refine((l) => l.mode !== 'ldap' || (l.allowInsecure && l.insecureRiskAcknowledged), {
  message: 'plain LDAP sends passwords and user data unencrypted; it needs both allowInsecure and insecureRiskAcknowledged (use ldaps or starttls instead)',
  path: ['mode'],
});
export type LdapSettings = z.infer<typeof ldapSettingsSchema>;

export const syncSettingsSchema = z.strictObject({
  anchorAttribute: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name')
    .default(DEFAULT_ANCHOR_ATTRIBUTE),
  /** A full reconcile this often (and at start and on takeover), to catch anything missed. */
  fullReconcileMinutes: z
    .number()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** How often the primary looks for accounts an administrator disabled in AD (offboarding). */
  offboardPollSeconds: z.number().min(1).max(60).default(10),
  /** API-key mode: how often Directory Insights is asked for new events (the change signal). */
  insightsPollSeconds: z.number().min(1).max(300).default(10),
  /** Quiet time after a change event before the reconcile, so a burst is applied once. */
  debounceMs: z.number().int().min(0).max(10_000).default(250),
  /** The longest a burst may postpone the reconcile. */
  maxDebounceMs: z.number().int().min(0).max(60_000).default(2_000),
  maxDisableCount: z.number().int().min(0).default(500),
  maxDisablePercent: z.number().min(0).max(100).default(25),
  /** The rolling safety limit's window: maxDisableCount/maxDisablePercent also cap each kind of destructive change over it (sync/safety-limit.ts). */
  safetyWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** After this many failures in a row an object is quarantined: reported, no longer retried automatically. */
  quarantineAfterFailures: z.number().int().min(1).max(100).default(5),
  /** First retry delay of a failed object; it doubles on each failure (at most 15 minutes). */
  retryBaseSeconds: z.number().min(0.1).max(3600).default(15),
  concurrency: z.number().int().min(1).max(16).default(4),
  /** More privileged groups (DN, sAMAccountName or SID) besides the well-known ones: their members, transitively, are never changed. */
  privilegedGroups: z.array(z.string().min(1).max(1024)).max(200).default([]),
  logLevel: z.enum(['error', 'warning', 'info', 'verbose', 'debug']).default('info'),
});
export type SyncSettings = z.infer<typeof syncSettingsSchema>;

const agentCredentialsSchema = z.strictObject({
  agentId: z.string().min(1).max(128),
  domainId: z.string().min(1).max(128),
  orgId: z.string().min(1).max(128),
  exchangedAt: z.string(),
  agentSecret: protectedValueSchema,
  /** The agent's X25519 private key (PKCS#8 PEM): password events are sealed to it. */
  privateKey: protectedValueSchema,
});

const agentProxySchema = z.union([
  z.literal(PROXY_FROM_ENVIRONMENT),
  z
    .strictObject({ ...proxyBlockFields, password: protectedValueSchema.optional() })
    .refine((p) => p.password === undefined || p.username !== undefined, PROXY_PASSWORD_NEEDS_USERNAME),
]);
export type AgentProxy = z.infer<typeof agentProxySchema>;

/**
 * How the agent learns about changes: `channel` (JumpCloud's agent service: heartbeat, primary
 * election, change feed, sealed passwords; needs a connect key) or `apiKey` (the public API only:
 * Directory Insights as the change signal, periodic full reconciles, no passwords).
 */
export const AGENT_MODES = ['channel', 'apiKey'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

export const agentConfigSchema = z
  .strictObject({
    configVersion: z.literal(1),
    /** Configs written before the API-key mode existed are channel-mode configs. */
    mode: z.enum(AGENT_MODES).default('channel'),
    /** Engine version that wrote this install. */
    installedVersion: z.string().min(1).max(64),
    installedAt: z.string(),
    serverType: z.enum(['dc', 'member']),
    /** The DC to use: required on a member server; on a DC, this DC's name as its certificate names it. */
    domainController: z.string().min(1).max(255),
    ldap: ldapSettingsSchema,
    /** The ADI domain, as registered in JumpCloud (DC=example;DC=com). */
    domain: z.string().min(1).max(1024),
    /** ADI form (CN=Users;DC=example;DC=com). */
    rootUserDN: z.string().min(1).max(4096),
    serviceAccount: z.strictObject({
      bindDN: z.string().min(1).max(1024),
      password: protectedValueSchema,
      /** A new password staged by a rotation, until it is committed (engine/src/agent/service-password.ts). */
      pendingPassword: protectedValueSchema.optional(),
    }),
    jumpcloud: z.strictObject({
      baseUrl: httpsUrl.optional(),
      region: regionSchema.optional(),
      orgId: z
        .string()
        .regex(/^[0-9a-fA-F]{24}$/)
        .optional(),
      caFile: z.string().min(1).max(4096).optional(),
      /** Directory Insights base URL when it is not the region's (api.jumpcloud.com) or baseUrl. */
      insightsBaseUrl: httpsUrl.optional(),
      timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
      /** The public API key the agent reads users and groups with, and suspends offboarded users with. */
      apiKey: protectedValueSchema,
      /**
       * An HTTP proxy for every JumpCloud call, its password protected like the other secrets; or
       * `environment`: HTTPS_PROXY / NO_PROXY of the agent's process (on Windows, the machine's).
       */
      proxy: agentProxySchema.optional(),
    }),
    /** Channel mode: present until the first start exchanges it. */
    connectKey: protectedValueSchema.optional(),
    /** Channel mode: present once the connect key was exchanged. */
    agent: agentCredentialsSchema.optional(),
    sync: syncSettingsSchema.prefault({}),
    /**
     * A staging agent: runs the whole loop, plans and journals every operation it would apply
     * (outcome `staged`), writes nothing to AD and suspends nothing in JumpCloud.
     */
    staging: z.boolean().default(false),
    /**
     * The anchor key (ad/anchorproof.ts): with it, an anchor counts only with a valid proof and
     * every anchor the agent writes gets one. Absent: anchors are taken as they are.
     */
    anchorKey: protectedValueSchema.optional(),
  })
  .refine((c) => c.mode !== 'channel' || (c.connectKey === undefined) !== (c.agent === undefined), {
    message: 'holds either the connect key (before the first start) or the agent credentials (after it), exactly one of them',
    path: ['agent'],
  })
  .refine((c) => c.mode !== 'apiKey' || (c.connectKey === undefined && c.agent === undefined), {
    message: 'an API-key mode config holds no connect key and no agent credentials',
    path: ['mode'],
  });
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Secrets of the config, opened in memory only. */
export interface AgentSecrets {
  bindPassword: string;
  apiKey: string;
  connectKey: string | null;
  agentSecret: string | null;
  privateKeyPem: string | null;
  proxyPassword: string | null;
  anchorKey: Buffer | null;
}

function configError(id: ErrorId, message: string, target: string | null = null): EngineError {
  return new EngineError(id, message, { category: 'InvalidData', exitCode: ExitCode.BadRequest, target });
}

/** The checks the wizard makes offline; the first problem as an error an admin can act on, or null. */
export function checkAgentSettings(input: {
  rootUserDN: string;
  domain: string;
  serverType: 'dc' | 'member';
  domainController?: string | undefined;
  ldap: LdapSettings;
}): EngineError | null {
  const domain = parseAdiDN(input.domain, 'domain');
  if (!domain.isValid) return badRequest('ADIDomain.Invalid', `The ADI domain '${input.domain}' is not valid: ${domain.problems.join(' ')}`, input.domain);
  const root = parseAdiDN(input.rootUserDN, 'root');
  if (!root.isValid) return badRequest('RootDN.Invalid', `The Root User DN '${input.rootUserDN}' is not valid: ${root.problems.join(' ')}`, input.rootUserDN);
  const match = matchDomain(root, domain);
  if (!match.underDomain) return badRequest('RootDN.NotUnderDomain', match.problem ?? 'The Root User DN is not under the ADI domain.', input.rootUserDN);
  if (input.serverType === 'member' && !input.domainController) {
    return badRequest(
      'Agent.DomainControllerRequired',
      'A member server connects to a domain controller: give its FQDN (-DomainController dc1.example.com).',
      'domainController',
    );
  }
  if (input.ldap.mode === 'ldap' && !(input.ldap.allowInsecure && input.ldap.insecureRiskAcknowledged)) {
    return badRequest(
      'Agent.InsecureLdapNotAcknowledged',
      input.ldap.allowInsecure
        ? 'Plain LDAP sends passwords unencrypted: confirm that you understand the risk (-AcknowledgeInsecureLdapRisk), or use LDAPS.'
        : 'Plain LDAP is refused unless allowed (-AllowInsecureLdap) and the risk acknowledged (-AcknowledgeInsecureLdapRisk); use LDAPS.',
      'ldap.mode',
    );
  }
  return null;
}

export function readAgentConfig(file: string): AgentConfig {
  if (!existsSync(file))
    throw configError('Agent.NotInstalled', `No agent config at ${file}: the sync agent is not installed there (Install-JCSyncAgent).`, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw configError('Agent.ConfigInvalid', `The agent config ${file} is not valid JSON: ${(err as Error).message}`, file);
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) throw configError('Agent.ConfigInvalid', `The agent config ${file} is not valid: ${formatIssues(parsed.error)}`, file);
  return parsed.data;
}

/** Writes the config atomically (temp file, fsync, rename), readable by its owner only. */
export function writeAgentConfig(file: string, config: AgentConfig): void {
  const checked = agentConfigSchema.parse(config);
  writeFileAtomicSync(file, JSON.stringify(checked, null, 2) + '\n', 0o600);
}

/** Atomic, exclusive, never redirected (engine/src/util/files.ts); the folder is made if missing. */
export function writeFileAtomicSync(file: string, text: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeAtomic(file, text, mode);
}

export function protectorFor(
  paths: Pick<AgentPaths, 'keyFile'>,
  options: { create?: boolean; platform?: NodeJS.Platform; run?: StdinRunner } = {},
): SecretProtector {
  return platformProtector(paths.keyFile, { create: options.create ?? false, platform: options.platform, run: options.run });
}

/** Purposes (the authenticated field names) of the protected values. */
export const SECRET_PURPOSE = {
  bindPassword: 'serviceAccount.password',
  pendingBindPassword: 'serviceAccount.pendingPassword',
  apiKey: 'jumpcloud.apiKey',
  connectKey: 'connectKey',
  agentSecret: 'agent.agentSecret',
  privateKey: 'agent.privateKey',
  proxyPassword: 'jumpcloud.proxy.password',
  anchorKey: 'anchorKey',
} as const;

async function openAnchorKey(value: ProtectedValue | undefined, protector: SecretProtector): Promise<Buffer | null> {
  if (!value) return null;
  const key = parseAnchorKey(await protector.unprotect(value, SECRET_PURPOSE.anchorKey));
  if (!key) throw configError('Agent.ConfigInvalid', 'The anchor key in the agent config is not a 32-byte key.', 'anchorKey');
  return key;
}

export async function openAgentSecrets(config: AgentConfig, protector: SecretProtector): Promise<AgentSecrets> {
  const open = (value: ProtectedValue | undefined, purpose: string) => (value ? protector.unprotect(value, purpose) : Promise.resolve(null));
  return {
    bindPassword: await protector.unprotect(config.serviceAccount.password, SECRET_PURPOSE.bindPassword),
    apiKey: await protector.unprotect(config.jumpcloud.apiKey, SECRET_PURPOSE.apiKey),
    connectKey: await open(config.connectKey, SECRET_PURPOSE.connectKey),
    agentSecret: await open(config.agent?.agentSecret, SECRET_PURPOSE.agentSecret),
    privateKeyPem: await open(config.agent?.privateKey, SECRET_PURPOSE.privateKey),
    proxyPassword: await open(typeof config.jumpcloud.proxy === 'object' ? config.jumpcloud.proxy.password : undefined, SECRET_PURPOSE.proxyPassword),
    anchorKey: await openAnchorKey(config.anchorKey, protector),
  };
}

/** The config's proxy as a request block would give it (the password opened). */
export function proxySettingOf(config: AgentConfig, proxyPassword: string | null): ProxySetting | undefined {
  const proxy = config.jumpcloud.proxy;
  if (proxy === undefined || proxy === PROXY_FROM_ENVIRONMENT) return proxy;
  return {
    url: proxy.url,
    bypass: proxy.bypass,
    ...(proxy.username !== undefined ? { username: proxy.username } : {}),
    ...(proxyPassword !== null ? { password: proxyPassword } : {}),
  };
}

/** The proxy the agent's clients use: the config's, or its process environment when it says so. */
export function agentProxy(config: AgentConfig, proxyPassword: string | null, env: Record<string, string | undefined> = process.env): ResolvedProxy {
  return resolveProxy(proxySettingOf(config, proxyPassword), env, 'jumpcloud.proxy');
}

/** Protects a request's proxy block for agent.json. */
export async function protectProxy(setting: ProxySetting | undefined, protector: SecretProtector): Promise<AgentProxy | undefined> {
  if (setting === undefined || setting === PROXY_FROM_ENVIRONMENT) return setting;
  return {
    url: setting.url,
    bypass: setting.bypass,
    ...(setting.username !== undefined ? { username: setting.username } : {}),
    ...(setting.password !== undefined ? { password: await protector.protect(setting.password, SECRET_PURPOSE.proxyPassword) } : {}),
  };
}

/** The `dc` block the AD session takes, from the config and the opened password. */
export function dcConfigOf(config: AgentConfig, bindPassword: string): DcConfig {
  return {
    host: config.domainController,
    port: config.ldap.port,
    mode: config.ldap.mode,
    caFile: config.ldap.caFile,
    bindDN: config.serviceAccount.bindDN,
    bindPassword,
    timeoutMs: config.ldap.timeoutMs,
    allowInsecure: config.ldap.allowInsecure,
    insecureRiskAcknowledged: config.ldap.insecureRiskAcknowledged,
  };
}

export function jumpcloudBaseUrl(config: AgentConfig): string {
  return resolveEndpoints({ baseUrl: config.jumpcloud.baseUrl, region: config.jumpcloud.region }).baseUrl;
}

/** Where Directory Insights answers: the region's API host (api.jumpcloud.com), or baseUrl when one is set. */
export function jumpcloudInsightsUrl(config: AgentConfig): string {
  return resolveEndpoints({ baseUrl: config.jumpcloud.baseUrl, region: config.jumpcloud.region, insightsBaseUrl: config.jumpcloud.insightsBaseUrl })
    .insightsBaseUrl;
}
