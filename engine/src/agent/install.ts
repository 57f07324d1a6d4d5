// Install, upgrade and uninstall of the sync agent's files, and its process when no service
// manager runs it (a Linux host without systemd): start detached, wait until it reports, stop.
// Registering a Windows service or a systemd unit is the module's job (InvokeJCAgentService).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  lchownSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { EngineError, ExitCode, badRequest } from '../errors';
import {
  AGENT_SERVICE_ACCOUNT,
  AGENT_SERVICE_NAME,
  agentPaths,
  checkAgentSettings,
  protectorFor,
  protectProxy,
  readAgentConfig,
  SECRET_PURPOSE,
  syncSettingsSchema,
  writeAgentConfig,
  type AgentConfig,
  type AgentMode,
  type AgentPaths,
  type LdapSettings,
  type SyncSettings,
} from './config';
import type { SecretProtector } from '../config/protect';
import {
  currentPosixOwner,
  lookupPosixUser,
  secureFolder,
  SID,
  virtualAccountSid,
  type FolderPolicy,
  type SecureFolderOutcome,
  type SyncStdinRunner,
} from '../config/folder';
import { defaultStateDir } from '../config/paths';
import { FileJournal } from '../sync/journal';
import type { ProxySetting, Region } from '../jumpcloud/connection';
import { ENGINE_VERSION } from '../version';
import { ATOMIC_TEMP_PATTERN, atomicTempName } from '../util/files';
import { peekAgentState, type AgentState } from './state';

export interface InstallSettings {
  serverType: 'dc' | 'member';
  domainController: string | undefined;
  ldap: LdapSettings;
  rootUserDN: string;
  domain: string;
  bindDN: string;
  bindPassword: string;
  /** `apiKey`: no connect key (the public API and Directory Insights only). */
  mode: AgentMode;
  /** Required in the channel mode, refused in the API-key mode. */
  connectKey: string | null;
  jumpcloud: {
    baseUrl?: string;
    region?: Region;
    insightsBaseUrl?: string;
    orgId?: string;
    caFile?: string;
    timeoutMs: number;
    apiKey: string;
    proxy?: ProxySetting;
  };
  sync: Partial<SyncSettings>;
  /** The anchor key (base64), stored protected; null: anchors are taken as they are. */
  anchorKey?: string | null;
  /** A staging agent (journals what it would do, writes nothing). */
  staging?: boolean;
}

export interface InstallOutcome {
  paths: AgentPaths;
  upgraded: boolean;
  config: AgentConfig;
  /** What a fresh install created (removed again on rollback). */
  created: string[];
}

/** Who the install folder is for, and how far an existing one may be repaired. */
export interface FolderSettings {
  /** Reset owner and access of an existing folder that grants more or belongs to someone else (-Force). */
  force?: boolean;
  /** POSIX: the dedicated account the agent runs as (the folder and its secrets are its own); default: the installing account. */
  serviceUser?: string | null;
  platform?: NodeJS.Platform;
  /** Windows: the thin layer's runner (tests replace it). */
  run?: SyncStdinRunner;
  /** Windows: the service whose virtual account gets modify access; default JumpCloudADISync (the rehearsal's has its own name). */
  serviceName?: string;
}

/**
 * The install folder's policy. Windows: SYSTEM, Administrators (full) and the service's virtual
 * account NT SERVICE\JumpCloudADISync (modify), owner Administrators. POSIX: 0700, owned by the
 * agent's dedicated user (or the installing account).
 */
export function agentFolderPolicy(settings: FolderSettings = {}): FolderPolicy {
  const service = settings.serviceName ?? AGENT_SERVICE_NAME;
  const base = {
    label: "agent's install folder",
    writerSid: virtualAccountSid(service),
    writerName: service === AGENT_SERVICE_NAME ? AGENT_SERVICE_ACCOUNT : `NT SERVICE\\${service}`,
    ownerSids: [SID.administrators, SID.system],
  };
  if ((settings.platform ?? process.platform) === 'win32' || !settings.serviceUser) return { ...base, ...currentPosixOwner() };
  const user = lookupPosixUser(settings.serviceUser);
  if (!user) {
    throw new EngineError(
      'Agent.ServiceUserNotFound',
      `The agent's account '${settings.serviceUser}' does not exist on this host. Create it first (useradd --system --no-create-home --shell /usr/sbin/nologin ${settings.serviceUser}; Install-JCSyncAgent does this), then install again.`,
      {
        category: 'ObjectNotFound',
        exitCode: ExitCode.BadRequest,
        target: settings.serviceUser,
      },
    );
  }
  return { ...base, uid: user.uid, gid: user.gid };
}

/**
 * Makes or checks the install folder (and, on Windows, %ProgramData%\JumpCloudADI) before any
 * secret is written. An upgrade may reset the access of its own folder (a LocalSystem-era install
 * kept what it inherited) but not take over a folder someone else owns. On POSIX, files already
 * there pass to the agent's account.
 */
export function secureAgentFolders(installPath: string, settings: FolderSettings, upgrading: boolean): SecureFolderOutcome[] {
  const platform = settings.platform ?? process.platform;
  let policy = agentFolderPolicy(settings);
  if (upgrading && platform !== 'win32' && !settings.serviceUser && process.getuid?.() === 0) {
    // root upgrading without naming the account: the folder's account stays (a link is still refused below).
    const stats = lstatSync(installPath, { throwIfNoEntry: false });
    if (stats?.isDirectory()) policy = { ...policy, uid: stats.uid, gid: stats.gid };
  }
  const outcomes = [secureFolder(installPath, { policy, platform, run: settings.run, force: settings.force ?? false, repairAccess: upgrading })];
  if (platform === 'win32') {
    const state = defaultStateDir(process.env, 'win32');
    outcomes.push(
      secureFolder(state, {
        policy: { ...policy, label: "engine's state folder", writerSid: null },
        platform,
        run: settings.run,
        force: settings.force ?? false,
        repairAccess: true,
      }),
    );
  } else if (policy.uid !== (process.getuid?.() ?? 0)) {
    adoptInstalledFiles(agentPaths(installPath, platform), policy.uid, policy.gid);
  }
  return outcomes;
}

/** POSIX: the agent's files (not the binaries) pass to its account; links are never followed. */
function adoptInstalledFiles(paths: AgentPaths, uid: number, gid: number): void {
  const files = [paths.config, paths.keyFile, paths.state, paths.pid, ...FileJournal.files(paths.journal), resolve(paths.log, '..')];
  for (const file of files) {
    if (!existsSync(file)) continue;
    lchownSync(file, uid, gid);
    if (file === resolve(paths.log, '..') && lstatSync(file).isDirectory()) for (const name of readdirSync(file)) lchownSync(resolve(file, name), uid, gid);
  }
}

/** DC ↔ member server in place is refused, as in the product: uninstall first. */
export function serverTypeChangeError(installed: AgentConfig['serverType'], requested: AgentConfig['serverType'], installPath: string): EngineError {
  const name = (t: string) => (t === 'dc' ? 'a domain controller' : 'a member server');
  return new EngineError(
    'Agent.ServerTypeChange',
    `The agent in ${installPath} is installed for ${name(installed)}; changing it to ${name(requested)} in place is not supported. Uninstall first (Uninstall-JCSyncAgent), then install for the new server type.`,
    { category: 'InvalidOperation', exitCode: ExitCode.BadRequest, target: installPath },
  );
}

/** Copies the engine executable into the install folder (temp file + rename: never half a binary). */
function copyEngine(engineFile: string, target: string): void {
  if (!existsSync(engineFile)) throw badRequest('Agent.EngineMissing', `The engine executable to install, ${engineFile}, does not exist.`, engineFile);
  copyExecutable(engineFile, target);
}

/** Copies the Windows service host (jcadi-service.exe) into the install folder, as the engine. */
function copyServiceHost(serviceHostFile: string, target: string): void {
  if (!existsSync(serviceHostFile)) {
    throw badRequest(
      'Agent.ServiceHostMissing',
      `The Windows service host to install, ${serviceHostFile}, does not exist: it ships next to jcadi-engine.exe (npm run build makes it).`,
      serviceHostFile,
    );
  }
  copyExecutable(serviceHostFile, target);
}

function copyExecutable(source: string, target: string): void {
  if (resolve(source) === resolve(target)) return;
  // Exclusive, random temp name (COPYFILE_EXCL: nothing planted there is followed or reused).
  const tmp = atomicTempName(target);
  try {
    copyFileSync(source, tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, 0o755);
    renameRetrying(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Windows refuses to replace an executable while its process is still ending (a service that
 * has just reported "stopped"): a few retries within 5 s instead of a failed upgrade.
 */
function renameRetrying(from: string, to: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 25 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

/** An upgrade: the folder's access brought up to date, the binaries replaced, the config kept (only the engine version in it changes). */
export function upgradeAgent(
  installPath: string,
  engineFile: string,
  requestedType: AgentConfig['serverType'] | undefined,
  serviceHostFile?: string,
  folder: FolderSettings = {},
): InstallOutcome {
  const paths = agentPaths(installPath);
  const config = readAgentConfig(paths.config);
  if (requestedType && requestedType !== config.serverType) throw serverTypeChangeError(config.serverType, requestedType, installPath);
  secureAgentFolders(installPath, folder, true);
  copyEngine(engineFile, paths.engine);
  if (serviceHostFile) copyServiceHost(serviceHostFile, paths.serviceHost);
  const next: AgentConfig = { ...config, installedVersion: ENGINE_VERSION };
  writeAgentConfig(paths.config, next);
  return { paths, upgraded: true, config: next, created: [] };
}

/** A fresh install: folder, engine (and the Windows service host), key file, config with every secret protected. Rolled back on failure. */
export async function installAgent(
  installPath: string,
  engineFile: string,
  settings: InstallSettings,
  protector?: SecretProtector,
  serviceHostFile?: string,
  folder: FolderSettings = {},
): Promise<InstallOutcome> {
  const problem = checkAgentSettings(settings);
  if (problem) throw problem;
  if ((settings.mode === 'channel') !== (settings.connectKey !== null)) {
    throw badRequest(
      'Agent.ConnectKeyMode',
      settings.mode === 'channel' ? 'The agent-channel mode needs a connect key (New-JCSyncConnectKey).' : 'The API-key mode takes no connect key.',
      'connectKey',
    );
  }
  const paths = agentPaths(installPath);
  const created: string[] = [];
  // Before anything is written: the folder made (or checked) with the agent's access only.
  const [secured] = secureAgentFolders(installPath, folder, false);
  try {
    if (secured?.action === 'created') created.push(installPath);
    copyEngine(engineFile, paths.engine);
    created.push(paths.engine);
    if (serviceHostFile) {
      copyServiceHost(serviceHostFile, paths.serviceHost);
      created.push(paths.serviceHost);
    }
    const keyExisted = existsSync(paths.keyFile);
    const secrets = protector ?? protectorFor(paths, { create: true });
    const config: AgentConfig = {
      configVersion: 1,
      mode: settings.mode,
      staging: settings.staging ?? false,
      installedVersion: ENGINE_VERSION,
      installedAt: new Date().toISOString(),
      serverType: settings.serverType,
      domainController: settings.domainController ?? 'localhost',
      ldap: { ...settings.ldap, ...(settings.ldap.caFile ? { caFile: resolve(settings.ldap.caFile) } : {}) },
      domain: settings.domain,
      rootUserDN: settings.rootUserDN,
      serviceAccount: { bindDN: settings.bindDN, password: await secrets.protect(settings.bindPassword, SECRET_PURPOSE.bindPassword) },
      jumpcloud: {
        ...(settings.jumpcloud.baseUrl ? { baseUrl: settings.jumpcloud.baseUrl } : {}),
        ...(settings.jumpcloud.region ? { region: settings.jumpcloud.region } : {}),
        ...(settings.jumpcloud.insightsBaseUrl ? { insightsBaseUrl: settings.jumpcloud.insightsBaseUrl } : {}),
        ...(settings.jumpcloud.orgId ? { orgId: settings.jumpcloud.orgId } : {}),
        ...(settings.jumpcloud.caFile ? { caFile: resolve(settings.jumpcloud.caFile) } : {}),
        timeoutMs: settings.jumpcloud.timeoutMs,
        apiKey: await secrets.protect(settings.jumpcloud.apiKey, SECRET_PURPOSE.apiKey),
        ...(settings.jumpcloud.proxy !== undefined ? { proxy: await protectProxy(settings.jumpcloud.proxy, secrets) } : {}),
      },
      ...(settings.connectKey !== null ? { connectKey: await secrets.protect(settings.connectKey, SECRET_PURPOSE.connectKey) } : {}),
      sync: syncSettingsSchema.parse(settings.sync),
      ...(settings.anchorKey ? { anchorKey: await secrets.protect(settings.anchorKey, SECRET_PURPOSE.anchorKey) } : {}),
    };
    if (!keyExisted && existsSync(paths.keyFile)) created.push(paths.keyFile);
    writeAgentConfig(paths.config, config);
    created.push(paths.config);
    return { paths, upgraded: false, config, created };
  } catch (err) {
    for (const file of created.slice().reverse()) rmSync(file, { recursive: true, force: true });
    throw err;
  }
}

/** Every file of an installation, in removal order. */
function installedFiles(paths: AgentPaths, keepHistory: boolean): string[] {
  const files = [paths.pid, paths.state, paths.config, paths.keyFile, paths.engine, `${paths.engine}.new`, paths.serviceHost, `${paths.serviceHost}.new`];
  if (!keepHistory) files.push(...FileJournal.files(paths.journal), resolve(paths.log, '..'));
  return files;
}

export function uninstallFiles(paths: AgentPaths, keepHistory: boolean): string[] {
  const removed: string[] = [];
  for (const file of installedFiles(paths, keepHistory)) {
    if (!existsSync(file)) continue;
    // Retries: on Windows a service host that has just stopped may hold its executable a moment longer.
    rmSync(file, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    removed.push(file);
  }
  // Damaged state files set aside by the agent, and the folder itself once empty.
  if (existsSync(paths.installPath)) {
    for (const name of readdirSync(paths.installPath)) {
      if (/^state\.json\.damaged-\d+$|^agent\.json\.\d+\.tmp$|^state\.json\.\d+\.tmp$/.test(name) || ATOMIC_TEMP_PATTERN.test(name))
        rmSync(resolve(paths.installPath, name), { force: true });
    }
    if (readdirSync(paths.installPath).length === 0) {
      rmdirSync(paths.installPath);
      removed.push(paths.installPath);
    }
  }
  return removed;
}

// ---- the agent process (hosts without a service manager) --------------------------------

export function processAlive(pid: number | null | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the system says a process runs: its executable and its arguments (argv[0] first). */
export interface ProcessFacts {
  exe: string | null;
  argv: string[];
}

/** Linux: /proc/<pid>/exe and /proc/<pid>/cmdline; null when the process is gone or cannot be read. */
export function processFacts(pid: number): ProcessFacts | null {
  if (process.platform !== 'linux') return null;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    let exe: string | null = null;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
    } catch {
      // Another account's process without the right to read its exe link: judged by argv alone is not enough.
    }
    return { exe, argv };
  } catch {
    return null;
  }
}

/**
 * Is this process this installation's agent? Its executable is the installed engine (or the
 * engine it replaced in an upgrade, same path) and its arguments are `run --config <agent.json>`.
 * A pid file can outlive its process and the pid be reused: nothing else is ever signalled.
 */
export function isAgentProcess(facts: ProcessFacts | null, paths: AgentPaths): boolean {
  if (!facts || facts.exe === null) return false;
  const engine = realpathOrSelf(paths.engine);
  if (facts.exe !== engine && facts.exe !== resolve(paths.engine)) return false;
  const args = facts.argv.slice(1);
  const at = args.indexOf('run');
  return at >= 0 && args[at + 1] === '--config' && resolve(args[at + 2] ?? '') === resolve(paths.config);
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** The running agent's pid: from its pid file, when that process is alive and is this agent (Linux checks exe and arguments). */
export function runningPid(paths: AgentPaths): number | null {
  if (!existsSync(paths.pid)) return null;
  const pid = Number.parseInt(readFileSync(paths.pid, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || !processAlive(pid)) return null;
  if (process.platform === 'linux' && !isAgentProcess(processFacts(pid), paths)) return null;
  return pid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type WaitOutcome = { ready: true; state: AgentState } | { ready: false; state: AgentState | null; reason: 'failed' | 'exited' | 'timeout' };

/**
 * Waits until the agent (started at or after `since`) is connected, or failed, exited or timed out.
 * Connected: it exchanged its key (or had credentials) and JumpCloud answered a heartbeat; in
 * the API-key mode, JumpCloud knows its domain and Directory Insights answered.
 */
export async function waitForAgent(paths: AgentPaths, options: { since: Date; timeoutMs: number; exited?: () => boolean }): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let state: AgentState | null = null;
  for (;;) {
    state = peekAgentState(paths.state);
    const fresh = state && state.startedAt !== null && Date.parse(state.startedAt) >= options.since.getTime() - 1000;
    if (fresh && state) {
      if (state.status === 'failed') return { ready: false, state, reason: 'failed' };
      if ((state.status === 'running' || state.status === 'degraded') && state.connected) return { ready: true, state };
    }
    if (options.exited?.()) {
      await sleep(50);
      return { ready: false, state: peekAgentState(paths.state), reason: 'exited' };
    }
    if (Date.now() >= deadline) return { ready: false, state, reason: 'timeout' };
    await sleep(100);
  }
}

/** Starts `<install>/jcadi-engine run --config <install>/agent.json` detached from this process. */
export function spawnAgent(paths: AgentPaths): { pid: number; exited: () => boolean } {
  if (!existsSync(paths.engine))
    throw new EngineError('Agent.NotInstalled', `No engine at ${paths.engine}: the sync agent is not installed there.`, {
      exitCode: ExitCode.BadRequest,
      category: 'ObjectNotFound',
      target: paths.installPath,
    });
  const account = agentAccount(paths);
  const child = spawn(paths.engine, ['run', '--config', paths.config], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    cwd: paths.installPath,
    env: minimalEnv(),
    ...(account ?? {}),
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.on('error', () => {
    exited = true;
  });
  child.unref();
  if (!child.pid) throw new EngineError('Agent.StartFailed', `Cannot start ${paths.engine}.`, { exitCode: ExitCode.Internal, target: paths.engine });
  return { pid: child.pid, exited: () => exited };
}

/**
 * POSIX, started by root: the agent runs as the account its folder belongs to (the dedicated
 * user Install-JCSyncAgent made), as its systemd unit would; null: as the caller.
 */
function agentAccount(paths: AgentPaths): { uid: number; gid: number } | null {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return null;
  const folder = lstatSync(paths.installPath);
  return folder.isDirectory() && folder.uid !== 0 ? { uid: folder.uid, gid: folder.gid } : null;
}

/**
 * The agent's NODE_OPTIONS: empty, and set so that the caller's (--require, --inspect) never
 * reaches the agent. The engine sets its V8 flags itself at start (util/heap.ts), for every
 * launcher alike: flags in NODE_OPTIONS would make V8 reject the executable's code cache. The
 * Windows service host and the systemd unit set the same value (a unit test compares them).
 */
export const AGENT_NODE_OPTIONS = '';

/**
 * glibc's malloc settings for the engine on Linux, given by every launcher there: agent-start, the
 * systemd unit (module/Private/GetJCSystemdUnitText.ps1) and the module's exec (InvokeJCEngine.ps1);
 * a unit test compares them. Windows has no glibc: the service host sets none. A full reconcile
 * leaves native memory behind (TLS records, LDAP pages, socket buffers) that glibc otherwise keeps
 * resident: `MALLOC_ARENA_MAX=1`, every thread allocates from the one main arena instead of an
 * arena per thread; `MALLOC_MMAP_THRESHOLD_=65536`, a buffer of 64 KiB or more is its own mapping,
 * returned when freed (fixed: glibc's own threshold climbs to 32 MiB after such frees, so the next
 * big buffers stay in the heap); `MALLOC_TRIM_THRESHOLD_=131072` and `MALLOC_TOP_PAD_=0`, free
 * memory at the top of the heap goes back to the system from 128 KiB on, nothing padded.
 * Measured (docs/memory.md): the peak of a 20,000-user reconcile 146 → 127 MB, the same time.
 */
export const ENGINE_LINUX_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '65536',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_TOP_PAD_: '0',
};

/** The agent needs no environment of its own: everything is in its config. No secret is ever passed here. */
function minimalEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'SystemRoot', 'SYSTEMROOT', 'windir', 'TEMP', 'TMP', 'TZ', 'LANG'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  // Set, never inherited: a NODE_OPTIONS of the caller (--require, --inspect) does not reach the agent.
  env.NODE_OPTIONS = AGENT_NODE_OPTIONS;
  if (process.platform === 'linux') Object.assign(env, ENGINE_LINUX_ENV);
  return env;
}

/** SIGTERM, then wait for the graceful stop; SIGKILL only after the timeout. */
export async function stopAgentProcess(paths: AgentPaths, timeoutMs: number): Promise<{ pid: number | null; killed: boolean }> {
  const pid = runningPid(paths);
  if (pid === null) return { pid: null, killed: false };
  // Checked again right before each signal: only this agent's engine is ever signalled.
  const stillOurs = () => process.platform !== 'linux' || isAgentProcess(processFacts(pid), paths);
  if (!stillOurs()) return { pid: null, killed: false };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid) || !stillOurs()) return { pid, killed: false };
    await sleep(100);
  }
  if (!stillOurs()) return { pid, killed: false };
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(100);
  rmSync(paths.pid, { force: true });
  return { pid, killed: true };
}

// ---- status --------------------------------------------------------------------------------

export function statusRecord(paths: AgentPaths): Record<string, unknown> {
  const installed = existsSync(paths.config);
  const base = { ComputerName: hostname(), InstallPath: paths.installPath, Installed: installed };
  if (!installed) return { ...base, Status: 'NotInstalled' };
  let config: AgentConfig | null = null;
  let configProblem: string | null = null;
  try {
    config = readAgentConfig(paths.config);
  } catch (err) {
    configProblem = (err as Error).message;
  }
  const state = peekAgentState(paths.state);
  const pid = runningPid(paths);
  const running = pid !== null;
  const failures = Object.values(state?.failures ?? {});
  const quarantined = failures.filter((f) => f.quarantined);
  const status = !running ? (state?.status === 'failed' ? 'Failed' : 'Stopped') : state ? capital(state.status) : 'Starting';
  const apiKeyMode = config?.mode === 'apiKey';
  const role = !running || !state?.connected ? 'Unknown' : apiKeyMode ? 'Standalone' : state.primary ? 'Primary' : 'Standby';
  return {
    ...base,
    Version: config?.installedVersion ?? null,
    ServerType: config ? (config.serverType === 'dc' ? 'DC' : 'MemberServer') : null,
    Domain: config?.domain ?? null,
    RootUserDN: config?.rootUserDN ?? null,
    DomainController: config?.domainController ?? null,
    LdapMode: config ? config.ldap.mode.toUpperCase() : null,
    Mode: config ? (apiKeyMode ? 'ApiKey' : 'AgentChannel') : null,
    /** A staging agent journals what it would do (Get-JCSyncHistory, outcome Staged) and writes nothing. */
    Staging: config?.staging ?? null,
    PasswordSync: config ? (apiKeyMode ? 'not synced in API-key mode' : 'synced') : null,
    AgentId: config?.agent?.agentId ?? state?.agentId ?? null,
    ConnectKeyExchanged: config && !apiKeyMode ? config.agent !== undefined : null,
    Running: running,
    ProcessId: pid,
    Status: status,
    Connected: running && (state?.connected ?? false),
    Role: role,
    LastHeartbeat: state?.lastHeartbeatAt ?? null,
    LastFullReconcile: state?.lastFullReconcileAt ?? null,
    LastChange: state?.lastChangeAt ?? null,
    Cursor: (apiKeyMode ? state?.insights?.time : state?.cursor) ?? null,
    Pending: failures.length - quarantined.length,
    Failed: quarantined.length,
    Quarantined: quarantined.map((f) => ({
      Target: f.target,
      Kind: f.kind,
      JumpCloudId: f.jcId,
      Failures: f.count,
      Since: f.firstAt,
      LastError: f.lastError,
      ErrorId: f.errorId,
    })),
    Applied: state?.counters.applied ?? 0,
    PasswordsApplied: state?.counters.passwordsApplied ?? 0,
    PasswordsRejected: state?.counters.passwordsRejected ?? 0,
    Offboarded: state?.counters.offboarded ?? 0,
    Staged: state?.counters.staged ?? 0,
    SafetyHold: (state?.safetyHold ?? []).map((h) => ({
      Kind: h.kind,
      Held: h.planned,
      InWindow: h.windowCount,
      Limit: h.limit,
      Since: h.since,
      Message: h.message,
    })),
    LastError: configProblem ?? (state?.lastError ? `${state.lastError.id}: ${state.lastError.message}` : null),
    ConfigFile: paths.config,
    LogFile: paths.log,
    JournalFile: paths.journal,
  };
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
