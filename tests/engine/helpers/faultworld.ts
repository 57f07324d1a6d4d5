// The world of the fault suite (npm run test:faults, scripts/test-faults.sh): a private test DC
// (JCADI_TESTDC_DIR points at it), one work folder per run (JCADI_FAULTS_WORK) that receives every
// log, journal, config and stdout/stderr capture the suite produces (the canary scan reads it all),
// canary secrets in <work>/canary (never in argv or the environment: only their folder is named),
// and a service account with the canary password, delegated on the run's OU.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { Control } from 'ldapts';
import { AdSession } from '../../../engine/src/ad/session';
import type { DcConfig } from '../../../engine/src/config/request';
import { execRequest } from '../../../engine/src/cli/exec';
import { startTestSandbox, type TestSandbox } from '../integration/sandbox-harness';
import type { SandboxOptions } from '../../../engine/src/sandbox/server';
import { adminDc, REPO_ROOT, testDc } from './testdc';

export const ENGINE = join(REPO_ROOT, 'build', 'jcadi-engine');
export const DOMAIN = 'DC=example;DC=com';

/** The run's work folder; the suite needs scripts/test-faults.sh around it. */
export function faultWork(): string {
  const work = process.env.JCADI_FAULTS_WORK;
  if (!work || !existsSync(join(work, 'canary'))) {
    throw new Error('The fault suite runs inside scripts/test-faults.sh (npm run test:faults): JCADI_FAULTS_WORK with its canary folder is missing.');
  }
  return work;
}

/** A folder under the work folder for one scenario's files. */
export function workDir(...parts: string[]): string {
  const dir = join(faultWork(), ...parts);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

const canaryFile = (name: string) => join(faultWork(), 'canary', name);

/** Every canary secret of this run starts with this marker (Canary-<16 hex>); the scan looks for it. */
export function canaryMarker(): string {
  return readFileSync(canaryFile('marker'), 'utf8').trim();
}

export const canaryApiKeyFile = () => canaryFile('apikey.secret');
export const canaryBindPassword = () => readFileSync(canaryFile('dc-bind.secret'), 'utf8').trim();
/** A user password that meets AD and JumpCloud complexity and carries the marker. */
export const canaryUserPassword = (n: number | string) => `${canaryMarker()}-Pw${n}-Secret!9`;

export interface FaultWorld {
  /** OU=faults-<run>,DC=…: every scenario's OU lies under it. */
  runOU: string;
  serviceAccountDN: string;
  serviceAccountUPN: string;
}

export function faultWorld(): FaultWorld {
  return JSON.parse(readFileSync(join(faultWork(), 'world.json'), 'utf8')) as FaultWorld;
}

/** The private DC, bound as the run's service account (canary password, delegated rights on the run OU). */
export function serviceDc(overrides: Partial<DcConfig> = {}): DcConfig {
  return adminDc({ bindDN: faultWorld().serviceAccountUPN, bindPassword: canaryBindPassword(), ...overrides });
}

/** LDAP_SERVER_TREE_DELETE_OID: deletes an object and everything under it in one request. */
export class TreeDeleteControl extends Control {
  constructor() {
    super('1.2.840.113556.1.4.805', { critical: true });
  }
  override writeControl(): void {
    // The control has no value.
  }
}

export interface ScenarioOU {
  rootDN: string;
  /** ADI form (semicolons). */
  rootUserDN: string;
  admin: AdSession;
  close(): Promise<void>;
}

/** A fresh OU for one scenario under the run OU, and an admin session to inspect it. */
export async function scenarioOU(name: string): Promise<ScenarioOU> {
  const admin = await AdSession.open(adminDc({ timeoutMs: 120_000 }));
  const rootDN = `OU=${name}-${randomBytes(3).toString('hex')},${faultWorld().runOU}`;
  await admin.ldapClient.add(rootDN, { objectClass: ['top', 'organizationalUnit'] });
  return {
    rootDN,
    rootUserDN: rootDN.replace(/,/g, ';'),
    admin,
    async close() {
      const session = await AdSession.open(adminDc({ timeoutMs: 300_000 }));
      try {
        await session.ldapClient.del(rootDN, [new TreeDeleteControl()]);
      } finally {
        await session.close();
        await admin.close();
      }
    },
  };
}

/** A sandbox in this process whose API key is the run's canary key. */
export async function faultSandbox(name: string, options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  return startTestSandbox({
    dataDir: workDir('sandbox', `${name}-${randomBytes(3).toString('hex')}`),
    apiKeyFile: canaryApiKeyFile(),
    saveDelayMs: 200,
    ...options,
  });
}

export interface EngineRun {
  code: number;
  lines: Array<Record<string, unknown>>;
  records: Array<Record<string, unknown>>;
  errors: Array<Record<string, unknown>>;
  raw: string;
}

function parseLines(raw: string): EngineRun['lines'] {
  return raw
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function toRun(code: number, raw: string): EngineRun {
  const lines = parseLines(raw);
  return {
    code,
    lines,
    records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
    errors: lines.filter((l) => l.type === 'error'),
    raw,
  };
}

/** One request through the engine's protocol in this process; its log goes to the work folder. */
export async function execInProcess(command: string, params: Record<string, unknown>, logName = 'engine'): Promise<EngineRun> {
  const out: string[] = [];
  const request = { protocol: 1, command, params, logFile: join(workDir('logs'), `${logName}.log`) };
  const code = await execRequest(JSON.stringify(request), { writeLine: (l) => out.push(l) });
  return toRun(code, out.join(''));
}

export interface SpawnedEngine {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** stdout parsed once the process has exited. */
  result(): Promise<EngineRun & { signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * The built engine (`jcadi-engine exec`) with the request on stdin; stdout and stderr are captured
 * to files in the work folder (the canary scan reads them).
 */
export function spawnEngine(command: string, params: Record<string, unknown>, name: string): SpawnedEngine {
  const dir = workDir('captures');
  const stdoutFile = join(dir, `${name}.stdout`);
  const stderrFile = join(dir, `${name}.stderr`);
  const outFd = openSync(stdoutFile, 'w', 0o600);
  const errFd = openSync(stderrFile, 'w', 0o600);
  const child = spawn(ENGINE, ['exec'], { stdio: ['pipe', outFd, errFd] });
  closeSync(outFd);
  closeSync(errFd);
  const stdin = child.stdin as NodeJS.WritableStream;
  stdin.on('error', () => undefined); // a killed engine closes its stdin early
  stdin.end(JSON.stringify({ protocol: 1, command, params, logFile: join(workDir('logs'), `${name}.log`) }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid as number,
    exited,
    kill: (signal) => child.kill(signal),
    async result() {
      const { code, signal } = await exited;
      const raw = readFileSync(stdoutFile, 'utf8');
      // A killed engine may leave half a line: keep the whole ones.
      const whole = raw.endsWith('\n') ? raw : raw.slice(0, raw.lastIndexOf('\n') + 1);
      return { ...toRun(code ?? -1, whole), signal, stderr: readFileSync(stderrFile, 'utf8') };
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe` returns something truthy. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}

/** The private DC's scripts, with its folder and address (never the shared DC). */
export function privateDcScript(script: 'testdc-start.sh' | 'testdc-stop.sh'): Promise<number> {
  const info = testDc();
  if (info.host === '127.0.0.1') throw new Error('refusing to stop or start the shared test DC: the fault suite runs on its private DC');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO_ROOT, 'scripts', script), '--quiet'], {
      env: { ...process.env, JCADI_TESTDC_DIR: info.dir, JCADI_TESTDC_IP: info.host },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
}

export { adminDc, testDc };

export interface SandboxProcess {
  url: string;
  caFile: string;
  pid: number;
  /** The `jumpcloud` block of a request (the canary key travels in the request, on stdin). */
  jumpcloud: { baseUrl: string; apiKey: string; caFile: string };
  admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** `jcadi-engine sandbox` as its own process, keyed with the canary API key file (never argv). */
export async function startSandboxProcess(name: string, extraArgs: string[] = []): Promise<SandboxProcess> {
  const dataDir = workDir('sandbox', `${name}-${randomBytes(3).toString('hex')}`);
  const errFd = openSync(join(workDir('captures'), `sandbox-${name}.stderr`), 'w', 0o600);
  const child = spawn(ENGINE, ['sandbox', '--data', dataDir, '--port', '0', '--api-key-file', canaryApiKeyFile(), ...extraArgs], {
    stdio: ['ignore', 'pipe', errFd],
  });
  closeSync(errFd);
  const announcement = await new Promise<Record<string, string | number>>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('the sandbox did not announce itself within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
    (child.stdout as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(text.slice(0, end)) as Record<string, string | number>);
      }
    });
  });
  const apiKey = readFileSync(canaryApiKeyFile(), 'utf8').trim();
  const caFile = String(announcement.caFile);
  const agent = new https.Agent({ ca: readFileSync(caFile, 'utf8'), keepAlive: true });
  const url = String(announcement.url);
  const admin = (method: string, path: string, body?: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        `${url}/sandbox/admin${path}`,
        { method, agent, headers: { 'x-api-key': apiKey, ...(text ? { 'Content-Type': 'application/json' } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${raw}`));
            else resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return {
    url,
    caFile,
    pid: child.pid as number,
    jumpcloud: { baseUrl: url, apiKey, caFile },
    admin,
    async close() {
      agent.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
