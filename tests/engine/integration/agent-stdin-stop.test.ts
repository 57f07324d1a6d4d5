// `jcadi-engine run --config FILE --stop-on-stdin-close`, the real engine binary against the
// sandbox and Samba: the end of stdin (the Windows service host closing the pipe) stops the agent
// exactly as SIGTERM does — exit 0, state saved as stopped, pid file removed. Without the flag the
// end of stdin changes nothing. No secret is on the agent's command line or in its environment.
// Last, the service host's supervision (its .NET 10 console build) runs the real agent and stops it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { peekAgentState } from '../../../engine/src/agent/state';
import { agentPaths } from '../../../engine/src/agent/config';
import { assertEngineBuilt, ENGINE, exec, installAgent, installedSecrets, leakProbe, readIfExists, until } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, REPO_ROOT } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const SERVICE_HOST_DLL = join(REPO_ROOT, 'build', 'service-host', 'console', 'jcadi-service.dll');

describe('sync agent: stop on the end of stdin (--stop-on-stdin-close)', { timeout: 180_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let installPath: string;
  let connectKey: string;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-stdin-'));
  const execLog = join(work, 'exec.log');
  const children: ChildProcess[] = [];
  const paths = () => agentPaths(installPath);

  /** Starts the agent as the service host does: stdin, stdout and stderr piped. */
  function startAgent(extra: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
    const child = spawn(ENGINE, ['run', '--config', paths().config, ...extra], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: installPath,
      env: { PATH: process.env.PATH ?? '' },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  const connectedSince = (since: number) =>
    until(
      'the agent to report connected',
      async () => {
        const state = peekAgentState(paths().state);
        return state && state.startedAt && Date.parse(state.startedAt) >= since - 1000 && state.connected && state.status === 'running' ? state : null;
      },
      30_000,
    );

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-agent-stdin');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Stdin-stop', bindToDomain: DOMAIN });
    await sb.admin('POST', '/users', { username: 'stdin.u1', email: 'stdin.u1@example.com', firstname: 'Ada', lastname: 'Stdin', groups: ['Stdin-stop'] });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, execLog);
    assert.equal(key.code, 0, key.raw);
    connectKey = String(key.records[0]?.Key);
    const installed = await installAgent({ jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey }, execLog);
    assert.equal(installed.result.code, 0, installed.result.raw);
    installPath = installed.installPath;
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (installPath) rmSync(join(installPath, '..'), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('stops gracefully when its stdin ends: exit 0, state saved, pid file removed', async () => {
    const since = Date.now();
    const agent = startAgent(['--stop-on-stdin-close']);
    await connectedSince(since);
    await until(
      'the first reconcile to create the user',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(sAMAccountName=stdin.u1)', attributes: ['cn'] })).length === 1,
    );
    const pid = agent.child.pid as number;
    const check = leakProbe(
      Object.values(await installedSecrets(installPath))
        .map((v) => (typeof v === 'string' ? v : null))
        .concat([connectKey, adminDc().bindPassword, sb.apiKey]),
    );
    check(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '), 'the agent command line');
    check(readFileSync(`/proc/${pid}/environ`, 'utf8'), 'the agent environment');

    const stopAsked = Date.now();
    agent.child.stdin?.end();
    const code = await agent.exited;
    assert.equal(code, 0, agent.stderr());
    assert.ok(Date.now() - stopAsked < 15_000, 'the stop is prompt (the long-poll is cancelled)');
    const state = peekAgentState(paths().state);
    assert.equal(state?.status, 'stopped');
    assert.equal(state?.pid, null);
    assert.equal(readIfExists(paths().pid), '', 'the pid file is removed');
    assert.match(readIfExists(paths().log), /stdin closed by the service host: stopping/);
    assert.equal(agent.stderr(), '', 'a graceful stop writes nothing on stderr');
  });

  it('ignores the end of stdin without the flag, and still stops on SIGTERM', async () => {
    const since = Date.now();
    const agent = startAgent([]);
    await connectedSince(since);
    agent.child.stdin?.end();
    const heartbeats = peekAgentState(paths().state)?.counters.heartbeats ?? 0;
    await until('three more heartbeats after stdin ended', async () => (peekAgentState(paths().state)?.counters.heartbeats ?? 0) >= heartbeats + 3);
    assert.equal(agent.child.exitCode, null, 'still running after its stdin ended');
    assert.equal(peekAgentState(paths().state)?.status, 'running');
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.equal(peekAgentState(paths().state)?.status, 'stopped');
  });

  it('runs under the service host (console mode): started by it, stopped through it gracefully', async () => {
    assert.ok(existsSync(SERVICE_HOST_DLL), `the service host is built (npm run build): ${SERVICE_HOST_DLL}`);
    const since = Date.now();
    const host = spawn('dotnet', [SERVICE_HOST_DLL, '--console', '--folder', installPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    children.push(host);
    let stdout = '';
    host.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    host.stderr.resume();
    const exited = new Promise<number | null>((resolve) => host.on('exit', (code) => resolve(code)));
    const state = await connectedSince(since);
    assert.ok(state.pid && state.pid !== host.pid, 'the agent is a child process of the host');
    host.stdin.end();
    assert.equal(await exited, 0);
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop() ?? '{}'), {
      event: 'stopped',
      agentExitCode: 0,
      serviceExitCode: 0,
      restart: false,
      stopRequested: true,
      killed: false,
    });
    assert.equal(peekAgentState(paths().state)?.status, 'stopped');
    const hostLog = readIfExists(join(installPath, 'logs', 'service.log'));
    assert.match(hostLog, /started the sync agent \(pid \d+\): .*jcadi-engine run --config ".*AD Integration\/agent\.json" --stop-on-stdin-close/);
    assert.match(hostLog, /stopped gracefully \(exit code 0\)/);
  });

  it('refuses an unknown option with exit 2 and the usage', async () => {
    const agent = startAgent(['--stop-on-stdin-closed']);
    assert.equal(await agent.exited, 2);
    assert.match(agent.stderr(), /--stop-on-stdin-close\]/);
  });
});
