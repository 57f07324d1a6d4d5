// The Windows service host (engine/service-host): its supervision code, built for .NET 10, runs
// here in console mode (`dotnet jcadi-service.dll --console`) around a fake agent: a stop closes
// the agent's stdin and the agent exits gracefully; an agent that ends by itself makes the service
// stop with a non-zero code (the SCM restarts it), except exit 2 (bad config, refused connect
// key), which must not loop; a stubborn agent is killed with its children after the stop timeout.
// The shipped service (the self-contained win-x64 build) is checked here to be a 64-bit PE app
// host bundling the runtime and ServiceBase; it runs for real under wine in wine-service.test.ts. And
// agent-install copies it next to the engine (install, upgrade, rollback, uninstall).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AGENT_NODE_OPTIONS } from '../../../engine/src/agent/install';
import { exec, ENGINE } from '../helpers/agent';
import { REPO_ROOT } from '../helpers/testdc';

const HOST_EXE = join(REPO_ROOT, 'build', 'jcadi-service.exe');
const HOST_DLL = join(REPO_ROOT, 'build', 'service-host', 'console', 'jcadi-service.dll');
const FAKE_AGENT = join(REPO_ROOT, 'tests', 'engine', 'helpers', 'fake-agent.mjs');

interface HostOutcome {
  event: string;
  agentExitCode: number | null;
  serviceExitCode: number;
  restart: boolean;
  stopRequested: boolean;
  killed: boolean;
}

interface HostRun {
  folder: string;
  done: Promise<{ code: number | null; outcome: HostOutcome; stderr: string }>;
  closeStdin: () => void;
}

const work = mkdtempSync(join(tmpdir(), 'jcadi-service-host-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** An install folder (with a space, as the Windows default has) whose engine is the fake agent. */
function installFolder(name: string, behaviour: string): string {
  const folder = join(work, name, 'AD Integration');
  mkdirSync(folder, { recursive: true });
  const engine = join(folder, 'jcadi-engine');
  writeFileSync(engine, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" "$@"\n`);
  chmodSync(engine, 0o755);
  writeFileSync(join(folder, 'agent.json'), '{}');
  writeFileSync(join(folder, 'behaviour.txt'), behaviour);
  return folder;
}

function startHost(folder: string, stopTimeoutSeconds = 5): HostRun {
  const host = spawn('dotnet', [HOST_DLL, '--console', '--folder', folder, '--stop-timeout-seconds', String(stopTimeoutSeconds)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DOTNET_NOLOGO: '1',
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      JCADI_LOG_FILE: join(work, 'must-not-reach-the-agent.log'),
      HOST_ENV_MARKER: 'inherited',
      // A machine-wide NODE_OPTIONS must not reach the agent (node would fail to start on it).
      NODE_OPTIONS: '--require ./not-the-agents-code.js',
    },
  });
  let stdout = '';
  let stderr = '';
  host.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  host.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; outcome: HostOutcome; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      host.kill('SIGKILL');
      reject(new Error(`the host did not finish in time; stderr: ${stderr}`));
    }, 60_000);
    host.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code, outcome: JSON.parse(last) as HostOutcome, stderr });
      } catch {
        reject(new Error(`no outcome line from the host (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`));
      }
    });
  });
  return { folder, done, closeStdin: () => host.stdin.end() };
}

async function waitForFile(file: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  return readFileSync(file, 'utf8');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Windows service host: supervision under .NET (console mode)', { timeout: 180_000 }, () => {
  it('is built (npm run build) with dotnet available', () => {
    assert.ok(existsSync(HOST_DLL), `the console build of the service host exists: ${HOST_DLL}`);
    assert.equal(spawnSync('dotnet', ['--version']).status, 0, 'dotnet runs');
  });

  it('starts the engine with run --config <folder>/agent.json --stop-on-stdin-close, and a stop closes its stdin: graceful exit 0', async () => {
    const run = startHost(installFolder('graceful', 'graceful'));
    const seen = JSON.parse(await waitForFile(join(run.folder, 'seen.json'))) as { argv: string[]; env: Record<string, string>; cwd: string };
    assert.deepEqual(seen.argv, ['run', '--config', join(run.folder, 'agent.json'), '--stop-on-stdin-close']);
    assert.equal(seen.cwd, run.folder);
    assert.equal(seen.env.HOST_ENV_MARKER, 'inherited', 'the service environment is passed on');
    assert.equal(seen.env.NODE_OPTIONS, AGENT_NODE_OPTIONS, "the agent's NODE_OPTIONS (empty), the same as agent-start gives it, instead of the service's");
    assert.deepEqual(
      Object.keys(seen.env).filter((k) => k.startsWith('JCADI_')),
      [],
      'no JCADI_* switch reaches the agent',
    );
    run.closeStdin();
    const { code, outcome } = await run.done;
    assert.equal(readFileSync(join(run.folder, 'stopped.txt'), 'utf8'), 'stdin ended', 'the agent saw its stdin end');
    assert.deepEqual(outcome, { event: 'stopped', agentExitCode: 0, serviceExitCode: 0, restart: false, stopRequested: true, killed: false });
    assert.equal(code, 0);
    const log = readFileSync(join(run.folder, 'logs', 'service.log'), 'utf8');
    assert.match(log, /info started the sync agent \(pid \d+\)/);
    assert.match(log, /closing its stdin/);
    assert.match(log, /stopped gracefully \(exit code 0\)/);
  });

  it('an agent that crashes stops the service with 1067 (restarted by the failure actions) and its stderr is logged', async () => {
    const run = startHost(installFolder('crash', 'crash'));
    const { code, outcome } = await run.done;
    assert.deepEqual(outcome, { event: 'exitedOnItsOwn', agentExitCode: 7, serviceExitCode: 1067, restart: true, stopRequested: false, killed: false });
    assert.equal(code, 1);
    const log = readFileSync(join(run.folder, 'logs', 'service.log'), 'utf8');
    assert.match(log, /warning agent stderr: jcadi-engine: internal error: boom/);
    assert.match(log, /error The sync agent ended by itself with exit code 7\. It said: jcadi-engine: internal error: boom/);
  });

  it('an agent that ends with 0 without being asked is also a failure to restart', async () => {
    const { outcome } = await startHost(installFolder('exit0', 'exit0')).done;
    assert.equal(outcome.agentExitCode, 0);
    assert.equal(outcome.serviceExitCode, 1067);
    assert.equal(outcome.restart, true);
  });

  it('exit 2 (bad config, refused connect key) stops the service without a restart loop, the reason logged', async () => {
    const run = startHost(installFolder('badconfig', 'badconfig'));
    const { code, outcome } = await run.done;
    assert.deepEqual(outcome, { event: 'exitedOnItsOwn', agentExitCode: 2, serviceExitCode: 0, restart: false, stopRequested: false, killed: false });
    assert.equal(code, 0);
    const log = readFileSync(join(run.folder, 'logs', 'service.log'), 'utf8');
    assert.match(
      log,
      /error The sync agent stopped with exit code 2: its configuration is invalid or JumpCloud refused its connect key\. It said: jcadi-engine run: JumpCloud\.ConnectKeyUsed/,
    );
    assert.match(log, /not restarted/);
  });

  it('kills an agent that does not stop within the timeout, with its child processes', async () => {
    const run = startHost(installFolder('stubborn', 'stubborn'), 1);
    const grandchild = Number(await waitForFile(join(run.folder, 'grandchild.pid')));
    assert.ok(alive(grandchild));
    const agentPid = (JSON.parse(readFileSync(join(run.folder, 'seen.json'), 'utf8')) as { pid: number }).pid;
    const stopAsked = Date.now();
    run.closeStdin();
    const { outcome } = await run.done;
    assert.equal(outcome.killed, true);
    assert.equal(outcome.serviceExitCode, 0, 'a stop that had to kill is still a stop, not a failure');
    assert.ok(Date.now() - stopAsked >= 900, 'it waited for the stop timeout first');
    for (let i = 0; i < 50 && (alive(grandchild) || alive(agentPid)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(agentPid), false, 'the agent is gone');
    assert.equal(alive(grandchild), false, 'its child process is gone too');
    assert.match(readFileSync(join(run.folder, 'logs', 'service.log'), 'utf8'), /did not stop within 1 s: killing it and its child processes/);
  });

  it('fails clearly when the engine is not in its folder', async () => {
    const folder = installFolder('missing', 'graceful');
    rmSync(join(folder, 'jcadi-engine'));
    const { code, outcome, stderr } = await startHost(folder).done;
    assert.equal(outcome.event, 'startFailed');
    assert.equal(code, 1);
    assert.match(stderr, /The engine .*jcadi-engine does not exist: reinstall the agent/);
  });
});

/** The PE header fields that matter here: machine, optional-header magic, subsystem, and the CLR (COM descriptor) directory. */
function peInfo(file: Buffer): { machine: number; magic: number; subsystem: number; clrRva: number; clrSize: number } {
  assert.equal(file.toString('latin1', 0, 2), 'MZ', 'a DOS header');
  const pe = file.readUInt32LE(0x3c);
  assert.equal(file.toString('latin1', pe, pe + 4), 'PE\0\0', 'a PE signature');
  const optional = pe + 24;
  const magic = file.readUInt16LE(optional);
  const directories = optional + (magic === 0x20b ? 112 : 96);
  return {
    machine: file.readUInt16LE(pe + 4),
    magic,
    subsystem: file.readUInt16LE(optional + 68),
    clrRva: file.readUInt32LE(directories + 14 * 8),
    clrSize: file.readUInt32LE(directories + 14 * 8 + 4),
  };
}

describe('Windows service host: the self-contained win-x64 build', () => {
  it('is a 64-bit PE executable (the .NET app host), console subsystem', () => {
    assert.ok(existsSync(HOST_EXE), `built: ${HOST_EXE}`);
    const info = peInfo(readFileSync(HOST_EXE));
    assert.equal(info.machine, 0x8664, 'IMAGE_FILE_MACHINE_AMD64');
    assert.equal(info.magic, 0x20b, 'PE32+');
    assert.equal(info.subsystem, 3, 'IMAGE_SUBSYSTEM_WINDOWS_CUI');
    assert.equal(info.clrRva, 0, 'a native app host, not an assembly that needs an installed .NET');
  });

  it('bundles the .NET runtime and the ServiceBase packages in the one file', () => {
    const text = readFileSync(HOST_EXE).toString('latin1');
    for (const file of ['jcadi-service.dll', 'System.Private.CoreLib.dll', 'System.ServiceProcess.ServiceController.dll', 'System.Diagnostics.EventLog.dll'])
      assert.ok(text.includes(file), `the single-file bundle holds ${file}`);
    assert.ok(!readFileSync(HOST_DLL).toString('latin1').includes('ServiceBase'), 'the console build carries no service code');
  });
});

describe('agent-install: the service host next to the engine', () => {
  const log = join(work, 'exec.log');
  const install = (installPath: string, extra: Record<string, unknown>) =>
    exec(
      'agent-install',
      {
        installPath,
        engineFile: ENGINE,
        serverType: 'dc',
        ldap: { mode: 'ldaps', port: 636 },
        rootUserDN: 'OU=Corporate Users;DC=example;DC=com',
        domain: 'DC=example;DC=com',
        serviceAccount: { bindDN: 'jcsync@example.com', password: 'Not-checked-1' },
        connectKey: 'jcck_not-exchanged-here',
        jumpcloud: { baseUrl: 'https://127.0.0.1:9/', apiKey: 'not-used-without-verify' },
        verify: false,
        ...extra,
      },
      log,
    );

  it('copies jcadi-service.exe on install and upgrade, and uninstall removes it', async () => {
    const installPath = join(work, 'install', 'AD Integration');
    const installed = await install(installPath, { serviceHostFile: HOST_EXE });
    assert.equal(installed.code, 0, installed.raw);
    const copied = join(installPath, 'jcadi-service.exe');
    assert.deepEqual(readFileSync(copied), readFileSync(HOST_EXE));
    assert.equal(installed.records[0]?.ServiceHostPath, copied);
    writeFileSync(copied, 'an older host');
    const upgraded = await install(installPath, { serviceHostFile: HOST_EXE });
    assert.equal(upgraded.code, 0, upgraded.raw);
    assert.equal(upgraded.records[0]?.Upgraded, true);
    assert.deepEqual(readFileSync(copied), readFileSync(HOST_EXE), 'the upgrade replaced the host');
    const removed = await exec('agent-uninstall', { installPath }, log);
    assert.equal(removed.code, 0, removed.raw);
    assert.equal(existsSync(copied), false);
  });

  it('without a service host (Linux, macOS) installs none', async () => {
    const installPath = join(work, 'no-host', 'AD Integration');
    const installed = await install(installPath, {});
    assert.equal(installed.code, 0, installed.raw);
    assert.equal(installed.records[0]?.ServiceHostPath, null);
    assert.equal(existsSync(join(installPath, 'jcadi-service.exe')), false);
  });

  it('a missing service host is Agent.ServiceHostMissing and nothing stays installed', async () => {
    const installPath = join(work, 'missing-host', 'AD Integration');
    const result = await install(installPath, { serviceHostFile: join(work, 'nowhere', 'jcadi-service.exe') });
    assert.equal(result.code, 2);
    assert.equal((result.errors[0] as { id?: string } | undefined)?.id, 'Agent.ServiceHostMissing');
    assert.equal(existsSync(installPath), false, 'rolled back');
  });
});
