// wine64 for the Windows pieces: a private prefix with its own wine session kept alive by
// `wineserver -f -p` (a service manager needs the session to outlive each command), commands run
// in it, and the test stand-in for Windows PowerShell's DPAPI call (tests/engine/fixtures/wine-dpapi).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StdinRunner } from '../../../engine/src/config/protect';
import { REPO_ROOT } from './testdc';

export const WINE = ['/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => existsSync(p));
const WINESERVER = ['/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver', '/usr/bin/wineserver'].find((p) => existsSync(p));

/** A Linux path as wine's Z: drive shows it. */
export const zPath = (linuxPath: string) => `Z:${linuxPath.replaceAll('/', '\\')}`;

export interface WineRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export class WineSession {
  readonly prefix: string;
  readonly env: NodeJS.ProcessEnv;
  #server: ChildProcess | null = null;

  constructor(prefix: string) {
    this.prefix = prefix;
    // No Mono or Gecko installers (nothing is downloaded), no debug noise.
    this.env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', NODE_SKIP_PLATFORM_CHECK: '1' };
    delete this.env.DISPLAY;
  }

  /** C:\ of the prefix on the Linux side. */
  get driveC(): string {
    return join(this.prefix, 'drive_c');
  }

  /**
   * Creates the prefix (wineboot -i, in its own short session, waited out), then starts the
   * prefix's wineserver in the foreground, persistent until stop(): every later command, and the
   * service manager with its services, runs in that one session.
   */
  start(timeoutMs = 240_000): void {
    if (!WINE || !WINESERVER) throw new Error('wine64 is not installed (scripts/setup.sh installs it)');
    rmSync(this.prefix, { recursive: true, force: true });
    mkdirSync(this.prefix, { recursive: true });
    const boot = spawnSync(WINE, ['wineboot', '-i'], { env: this.env, stdio: 'ignore', timeout: timeoutMs });
    if (boot.status !== 0) throw new Error(`wineboot -i failed (status ${boot.status}, ${boot.error?.message ?? 'no error'})`);
    // A Windows the engine supports (Node refuses to start on what wine reports by default, and a
    // service does not get this process's NODE_SKIP_PLATFORM_CHECK).
    const version = spawnSync(WINE, ['winecfg', '-v', 'win10'], { env: this.env, stdio: 'ignore', timeout: timeoutMs });
    if (version.status !== 0) throw new Error(`winecfg -v win10 failed (status ${version.status})`);
    spawnSync(WINESERVER, ['-w'], { env: this.env, stdio: 'ignore', timeout: timeoutMs });
    this.#server = spawn(WINESERVER, ['-f', '-p'], { env: this.env, stdio: 'ignore' });
    // The session's first program starts wine's own services (services.exe and its helpers), which
    // inherit its stdout and stderr and keep them open for good: start them with no pipes to hold,
    // so that every later command's output ends when the command does.
    const warm = spawnSync(WINE, ['cmd', '/c', 'exit', '0'], { env: this.env, stdio: 'ignore', timeout: timeoutMs });
    if (warm.status !== 0) throw new Error(`the wine session did not start (status ${warm.status}, ${warm.error?.message ?? 'no error'})`);
  }

  /** Runs a Windows program (a name wine finds in system32, or a C:\ path) to its end. */
  run(args: string[], options: { input?: string; timeoutMs?: number } = {}): WineRun {
    const r = spawnSync(WINE as string, args, { env: this.env, input: options.input ?? '', encoding: 'utf8', timeout: options.timeoutMs ?? 120_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** The same, asynchronously (stdin written, then closed). */
  runAsync(args: string[], input: string): Promise<WineRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(WINE as string, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  /** Linux pids of processes still running in this prefix (their environment names it). */
  leftoverProcesses(): number[] {
    const mine = `WINEPREFIX=${this.prefix}\0`;
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (`${readFileSync(`/proc/${entry}/environ`, 'latin1')}\0`.includes(mine)) pids.push(Number(entry));
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
    return pids;
  }

  /** Ends every process of the session (wineserver -k), then the server itself, and removes the prefix. */
  stop(): void {
    if (WINESERVER && existsSync(this.prefix)) spawnSync(WINESERVER, ['-k'], { env: this.env, stdio: 'ignore', timeout: 60_000 });
    if (this.#server && this.#server.exitCode === null && this.#server.signalCode === null) this.#server.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while (this.leftoverProcesses().length > 0 && Date.now() < deadline) spawnSync('sleep', ['0.5']);
    rmSync(this.prefix, { recursive: true, force: true });
  }
}

/** Where the engine looks for Windows PowerShell (engine/src/util/windows.ts), inside a prefix. */
export const POWERSHELL_WINDOWS_PATH = 'C:\\windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe';

const STAND_IN_SOURCES = join(REPO_ROOT, 'tests', 'engine', 'fixtures', 'wine-dpapi');

/**
 * Builds (cached by a hash of its sources) the DPAPI stand-in for Windows PowerShell and returns
 * its path: a self-contained win-x64 program that answers only the engine's DPAPI script, through
 * the DPAPI of the system it runs on (wine's crypt32).
 */
export function buildDpapiStandIn(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(STAND_IN_SOURCES).sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(STAND_IN_SOURCES, name)))
      .update('\0');
  const cache = join(REPO_ROOT, 'build', 'cache', `wine-dpapi-${hash.digest('hex').slice(0, 16)}`);
  const exe = join(cache, 'powershell.exe');
  if (existsSync(exe)) return exe;
  const staging = `${cache}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  execFileSync(
    'dotnet',
    ['publish', join(STAND_IN_SOURCES, 'WineDpapi.csproj'), '-c', 'Release', '-o', staging, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly'],
    { env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
  );
  rmSync(cache, { recursive: true, force: true });
  renameSync(staging, cache);
  return exe;
}

/** Puts the stand-in where the engine starts Windows PowerShell, and returns the engine's DPAPI runner for it. */
export function installDpapiStandIn(session: WineSession): StdinRunner {
  const folder = join(session.driveC, 'windows', 'system32', 'WindowsPowerShell', 'v1.0');
  mkdirSync(folder, { recursive: true });
  cpSync(buildDpapiStandIn(), join(folder, 'powershell.exe'));
  return async (file, args, input) => {
    const r = await session.runAsync([file, ...args], input);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

export interface ServiceStatus {
  state: 'STOPPED' | 'START_PENDING' | 'STOP_PENDING' | 'RUNNING' | string;
  win32ExitCode: number;
}

/** `sc query NAME`, parsed. */
export function queryService(session: WineSession, name: string): ServiceStatus | null {
  const r = session.run(['sc', 'query', name]);
  const state = /STATE\s*:\s*\d+\s+(\w+)/.exec(r.stdout)?.[1];
  const exit = /WIN32_EXIT_CODE\s*:\s*(\d+)/.exec(r.stdout)?.[1];
  return state ? { state, win32ExitCode: Number(exit) } : null;
}
