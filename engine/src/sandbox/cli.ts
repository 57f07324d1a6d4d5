// `jcadi-engine sandbox [--data DIR] [--port N] [--host H] [--seed empty|demo|rehearsal] [--fault SPEC]...
// [--agent-timeout S] [--api-key-file FILE] [--verbose]`: runs the sandbox until SIGINT/SIGTERM. Prints ONE JSON line
// on stdout when it listens ({ url, caFile, apiKeyFile, orgId, pid, dataDir }); diagnostics go
// to stderr.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaultFlag, type FaultRuleInput } from './faults';
import { SEED_NAMES, type SeedName } from './seed';
import { readApiKey, startSandbox } from './server';

export const SANDBOX_USAGE = `jcadi-engine sandbox [options]   run the local JumpCloud sandbox (HTTPS, until Ctrl+C)
  --data DIR            state, TLS material and API key (default: the user's state folder)
  --port N              port to listen on (default 8443; 0 picks a free one)
  --host ADDR           address to listen on (default 127.0.0.1)
  --seed empty|demo|rehearsal org to create when DIR holds none yet (default empty)
  --fault SPEC          inject faults, repeatable: 429:rate=0.2,retryAfter=1 | 500:count=3 |
                        latency:latencyMs=200,rate=1 | drop:rate=0.05 | omitField:field=username,count=1
  --agent-timeout S     seconds of silence before an agent is inactive and loses primary (default 15)
  --api-key-file FILE   read the API key from FILE (16–256 visible ASCII characters) instead of
                        making DIR/apikey.secret; the key itself never goes on the command line
  --verbose             one stderr line per request
`;

function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'JumpCloudADI', 'sandbox');
  return join(env.XDG_STATE_HOME ?? join(env.HOME ?? homedir(), '.local', 'state'), 'jumpcloudadi', 'sandbox');
}

/** Runs until a signal; resolves with the exit code. */
export async function runSandboxCli(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'agent-timeout': { type: 'string' },
        'api-key-file': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`jcadi-engine sandbox: ${(err as Error).message}\n${SANDBOX_USAGE}`);
    return 2;
  }
  if (values.help) {
    write(SANDBOX_USAGE);
    return 0;
  }
  const problems: string[] = [];
  const port = values.port === undefined ? 8443 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`--port must be 0–65535, not '${String(values.port)}'`);
  const seed = (values.seed ?? 'empty') as SeedName;
  if (!SEED_NAMES.includes(seed)) problems.push(`--seed must be one of ${SEED_NAMES.join(', ')}, not '${String(values.seed)}'`);
  const timeout = values['agent-timeout'] === undefined ? 15 : Number(values['agent-timeout']);
  if (!Number.isFinite(timeout) || timeout <= 0) problems.push(`--agent-timeout must be a positive number of seconds`);
  const faults: FaultRuleInput[] = [];
  for (const spec of (values.fault as string[] | undefined) ?? []) {
    try {
      faults.push(parseFaultFlag(spec));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (values['api-key-file'] !== undefined) {
    try {
      readApiKey(values['api-key-file'] as string);
    } catch (err) {
      problems.push(`--api-key-file: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`jcadi-engine sandbox: ${problems.join('; ')}\n`);
    return 2;
  }

  const verbose = values.verbose === true;
  let sandbox;
  try {
    sandbox = await startSandbox({
      dataDir: (values.data as string | undefined) ?? defaultSandboxDir(),
      host: (values.host as string | undefined) ?? '127.0.0.1',
      port,
      seed,
      faults,
      agentTimeoutMs: timeout * 1000,
      heartbeatIntervalMs: Math.max(1000, Math.min(5000, (timeout * 1000) / 3)),
      ...(values['api-key-file'] === undefined ? {} : { apiKeyFile: values['api-key-file'] as string }),
      ...(verbose ? { accessLog: (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`jcadi-engine sandbox: cannot start: ${(err as Error).message}${code === 'EADDRINUSE' ? ' (pick another --port, or 0)' : ''}\n`);
    return 3;
  }
  if (values.seed !== undefined && sandbox.seeded === null) {
    process.stderr.write(
      `jcadi-engine sandbox: ${sandbox.dataDir} already holds an org; --seed ${seed} is ignored (use a new --data folder for a fresh seed).\n`,
    );
  }
  write(JSON.stringify(sandbox.announcement()) + '\n');

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
  return 0;
}
