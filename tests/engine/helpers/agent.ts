// Helpers for the sync agent's integration tests: engine commands through execRequest (the
// module's protocol), installing agents from the real build/jcadi-engine into temp folders,
// polling until a condition holds, and reading an installed agent's protected secrets back.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRequest } from '../../../engine/src/cli/exec';
import { agentPaths, openAgentSecrets, readAgentConfig } from '../../../engine/src/agent/config';
import { KeyFileProtector } from '../../../engine/src/config/protect';
import { adminDc, REPO_ROOT } from './testdc';

export const ENGINE = join(REPO_ROOT, 'build', 'jcadi-engine');

export interface ExecResult {
  code: number;
  lines: Array<Record<string, unknown>>;
  records: Array<Record<string, unknown>>;
  errors: Array<Record<string, unknown>>;
  /** The first error line (the one a command fails with), if any. */
  error: Record<string, unknown> | undefined;
  /** The messages of the log lines. */
  logs: string[];
  raw: string;
}

export async function exec(command: string, params: Record<string, unknown>, logFile: string): Promise<ExecResult> {
  const out: string[] = [];
  const code = await execRequest(JSON.stringify({ protocol: 1, command, params }), { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: logFile } });
  const raw = out.join('');
  const lines = raw
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    code,
    lines,
    records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
    errors: lines.filter((l) => l.type === 'error'),
    error: lines.find((l) => l.type === 'error'),
    logs: lines.filter((l) => l.type === 'log').map((l) => String(l.message)),
    raw,
  };
}

export function assertEngineBuilt(): void {
  assert.ok(existsSync(ENGINE), `the engine is built (npm run build): ${ENGINE}`);
}

/** The first value of an LDAP attribute as text ('' when absent). */
export const first = (v: unknown) => String(Array.isArray(v) ? v[0] : (v ?? ''));

export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface AgentInstallOptions {
  jumpcloud: Record<string, unknown>;
  rootUserDN: string;
  domain?: string;
  /** Absent in the API-key mode. */
  connectKey?: string;
  mode?: 'channel' | 'apiKey';
  sync?: Record<string, unknown>;
  serverType?: 'dc' | 'member';
  installPath?: string;
  /** The account the agent binds as; default: the test DC's Administrator. */
  serviceAccount?: { bindDN: string; password: string };
  /** A staging agent (journals what it would do, writes nothing). */
  staging?: boolean;
}

/** Installs an agent (engine command agent-install) for the test DC, as its Administrator unless told. */
export async function installAgent(options: AgentInstallOptions, logFile: string): Promise<{ installPath: string; result: ExecResult }> {
  const dc = adminDc();
  const installPath = options.installPath ?? join(mkdtempSync(join(tmpdir(), 'jcadi-agent-')), 'AD Integration');
  const result = await exec(
    'agent-install',
    {
      installPath,
      engineFile: ENGINE,
      serverType: options.serverType ?? 'dc',
      domainController: dc.host,
      ldap: { mode: 'ldaps', port: dc.port, caFile: dc.caFile },
      rootUserDN: options.rootUserDN,
      domain: options.domain ?? 'DC=example;DC=com',
      serviceAccount: options.serviceAccount ?? { bindDN: dc.bindDN, password: dc.bindPassword },
      ...(options.connectKey !== undefined ? { connectKey: options.connectKey } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.staging !== undefined ? { staging: options.staging } : {}),
      jumpcloud: options.jumpcloud,
      sync: { debounceMs: 100, ...options.sync },
    },
    logFile,
  );
  return { installPath, result };
}

/** The secrets an installed agent holds, opened with its key file (to prove they leak nowhere). */
export async function installedSecrets(installPath: string) {
  const paths = agentPaths(installPath);
  return openAgentSecrets(readAgentConfig(paths.config), new KeyFileProtector(paths.keyFile));
}

/** Every secret-looking value of a running agent's world, for leak checks. */
export function leakProbe(values: Array<string | null | undefined>): (text: string, where: string) => void {
  const secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= 8);
  // A PEM body is checked by its base64 lines, which is how it would leak.
  const needles = secrets.flatMap((s) => (s.includes('-----BEGIN') ? s.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')) : [s]));
  return (text, where) => {
    for (const needle of needles) assert.ok(!text.includes(needle), `a secret (${needle.slice(0, 4)}…) leaked into ${where}`);
  };
}

export function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
