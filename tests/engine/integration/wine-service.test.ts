// The Windows service for real under wine's service control manager: the self-contained service
// host (build/jcadi-service.exe) and the Windows engine (build/jcadi-engine.exe) installed in
// C:\Program Files\JumpCloud\AD Integration of a private wine prefix, registered with wine's
// sc.exe as the module registers it (GetJCServiceRegistration computes the binary path and the sc.exe
// arguments), with an agent.json for the sandbox and the test DC (LDAPS, the test CA trusted
// through the config's caFile) whose secrets are DPAPI-protected. Then:
//   net start  → ServiceBase reports RUNNING, the host starts the engine, the agent syncs a
//                sandbox change into AD;
//   the engine killed (taskkill /F) → the host stops the service with 1067 (its failure-action
//                trigger). wine 8's services.exe does not implement failure actions (it stores
//                none and says so): the test proves that, then starts the service as the restart
//                action would, and the agent syncs again;
//   net stop   → the host closes the engine's stdin: graceful stop, state saved, exit 0.
// Wine has no Windows PowerShell, which the engine starts for DPAPI: a test stand-in at its path
// answers that one call through wine's own DPAPI (tests/engine/fixtures/wine-dpapi). What wine cannot
// prove (the virtual service account, sidtype, failure actions, ACLs, real DPAPI, the Event Log,
// Windows PowerShell 5.1) is the rehearsal's on a real server (docs/rehearsal.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths, openAgentSecrets, readAgentConfig, SECRET_PURPOSE, writeAgentConfig, type AgentConfig } from '../../../engine/src/agent/config';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { DpapiProtector, KeyFileProtector } from '../../../engine/src/config/protect';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { exec, installAgent, leakProbe, readIfExists, until } from '../helpers/agent';
import { adminDc, REPO_ROOT } from '../helpers/testdc';
import { installDpapiStandIn, POWERSHELL_WINDOWS_PATH, queryService, WINE, WineSession, zPath, type ServiceStatus } from '../helpers/wine';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
// Logon names are unique domain-wide: a run's own names, so that nothing another run left can collide.
const RUN = randomBytes(3).toString('hex');
const U1 = `wine${RUN}.u1`;
const U2 = `wine${RUN}.u2`;
const ENGINE_EXE = join(REPO_ROOT, 'build', 'jcadi-engine.exe');
const SERVICE_EXE = join(REPO_ROOT, 'build', 'jcadi-service.exe');
const LOGS_KEPT = join(REPO_ROOT, 'build', 'wine-service-logs');
const INSTALL_WINDOWS = 'C:\\Program Files\\JumpCloud\\AD Integration';
const PWSH = [join(process.env.HOME ?? '', '.dotnet', 'tools', 'pwsh'), '/usr/bin/pwsh'].find((p) => existsSync(p)) ?? 'pwsh';
const skip = !WINE
  ? 'wine64 is not installed (scripts/setup.sh installs it)'
  : !existsSync(ENGINE_EXE) || !existsSync(SERVICE_EXE)
    ? 'build/jcadi-engine.exe and build/jcadi-service.exe are built by npm run build'
    : false;

interface Registration {
  Name: string;
  BinaryPathName: string;
  ScArguments: string[][];
}

/** What the module registers (module/Private/GetJCServiceRegistration.ps1), computed by the module itself. */
function moduleRegistration(serviceHostPath: string): Registration {
  const script = [
    "$ErrorActionPreference = 'Stop'",
    `Import-Module '${join(REPO_ROOT, 'module', 'JumpCloudADI.psm1')}'`,
    `$r = & (Get-Module JumpCloudADI) { param($p) GetJCServiceRegistration -ServiceHostPath $p } '${serviceHostPath}'`,
    '[pscustomobject]@{ Name = $r.Name; BinaryPathName = $r.BinaryPathName; ScArguments = $r.ScArguments } | ConvertTo-Json -Depth 5 -Compress',
  ].join('; ');
  const r = spawnSync(PWSH, ['-NoProfile', '-NonInteractive', '-Command', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Registration;
}

describe('the Windows service under wine: sc create, net start, a killed engine, net stop', { skip, timeout: 600_000 }, () => {
  const wine = new WineSession(join(REPO_ROOT, 'build', `wine-service-${process.pid}`, 'prefix'));
  const work = mkdtempSync(join(tmpdir(), 'jcadi-wine-service-'));
  const execLog = join(work, 'exec.log');
  let sb: TestSandbox;
  let fx: AdFixture;
  let registration: Registration;
  let installDir: string;
  let linuxInstall: string;
  let connectKey: string;
  const scCalls: Array<{ args: string[]; status: number | null }> = [];
  const paths = () => agentPaths(installDir, 'linux');

  const status = () => queryService(wine, registration.Name);
  const serviceIs = (what: string, check: (s: ServiceStatus) => boolean, timeoutMs = 120_000) =>
    until(
      `the service to be ${what}`,
      async () => {
        const s = status();
        return s && check(s) ? s : null;
      },
      timeoutMs,
      500,
    );
  const agentState = () => peekAgentState(join(installDir, 'state.json'));
  const runningSince = (since: number) =>
    until(
      'the agent (under the service) to report running and connected',
      async () => {
        const s = agentState();
        return s && s.startedAt && Date.parse(s.startedAt) >= since - 2000 && s.connected && s.status === 'running' ? s : null;
      },
      150_000,
      500,
    );
  const inAd = (username: string) =>
    until(
      `${username} in AD`,
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['cn'] })).length === 1,
      120_000,
      500,
    );

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-wine-service');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Wine-service', bindToDomain: DOMAIN });
    await sb.admin('POST', '/users', { username: U1, email: `${U1}@example.com`, firstname: 'Ada', lastname: 'Wine', groups: ['Wine-service'] });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, execLog);
    assert.equal(key.code, 0, key.raw);
    connectKey = String(key.records[0]?.Key);
    // The agent's settings as agent-install writes them (checked, on Linux), moved to Windows below.
    const installed = await installAgent({ jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey }, execLog);
    assert.equal(installed.result.code, 0, installed.result.raw);
    linuxInstall = installed.installPath;

    wine.start();
    const dpapiRunner = installDpapiStandIn(wine);
    installDir = join(wine.driveC, 'Program Files', 'JumpCloud', 'AD Integration');
    mkdirSync(installDir, { recursive: true });
    cpSync(ENGINE_EXE, join(installDir, 'jcadi-engine.exe'));
    cpSync(SERVICE_EXE, join(installDir, 'jcadi-service.exe'));

    // The same config with Windows paths and its secrets under DPAPI (wine's, through the engine's own DpapiProtector).
    const linuxConfig = readAgentConfig(agentPaths(linuxInstall).config);
    const secrets = await openAgentSecrets(linuxConfig, new KeyFileProtector(agentPaths(linuxInstall).keyFile));
    const dpapi = new DpapiProtector(dpapiRunner, POWERSHELL_WINDOWS_PATH);
    const windowsConfig: AgentConfig = {
      ...linuxConfig,
      ldap: { ...linuxConfig.ldap, caFile: zPath(adminDc().caFile as string) },
      serviceAccount: { bindDN: linuxConfig.serviceAccount.bindDN, password: await dpapi.protect(secrets.bindPassword, SECRET_PURPOSE.bindPassword) },
      jumpcloud: {
        ...linuxConfig.jumpcloud,
        caFile: zPath(sb.caFile),
        apiKey: await dpapi.protect(secrets.apiKey, SECRET_PURPOSE.apiKey),
      },
      connectKey: await dpapi.protect(connectKey, SECRET_PURPOSE.connectKey),
    };
    writeAgentConfig(join(installDir, 'agent.json'), windowsConfig);

    registration = moduleRegistration(`${INSTALL_WINDOWS}\\jcadi-service.exe`);
  });

  after(async () => {
    // The install folder's logs outlive the prefix, for a failure's diagnosis.
    if (installDir && existsSync(join(installDir, 'logs'))) {
      rmSync(LOGS_KEPT, { recursive: true, force: true });
      cpSync(join(installDir, 'logs'), LOGS_KEPT, { recursive: true });
    }
    if (registration && existsSync(wine.prefix)) wine.run(['sc', 'delete', registration.Name]);
    wine.stop();
    rmSync(join(wine.prefix, '..'), { recursive: true, force: true });
    assert.deepEqual(wine.leftoverProcesses(), [], 'no process of the wine session is left');
    if (linuxInstall) rmSync(join(linuxInstall, '..'), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it("registers the service as the module does, with wine's sc.exe; wine stores no failure actions", () => {
    assert.equal(registration.BinaryPathName, `"${INSTALL_WINDOWS}\\jcadi-service.exe"`);
    const create = wine.run(['sc', 'create', registration.Name, 'binPath=', registration.BinaryPathName, 'start=', 'demand']);
    assert.equal(create.status, 0, create.stdout + create.stderr);
    for (const args of registration.ScArguments) scCalls.push({ args, status: wine.run(['sc', ...args]).status });
    const byVerb = Object.fromEntries(scCalls.map((c) => [c.args[0], c.status]));
    // sc failure is accepted, but wine 8's services.exe only logs "SERVICE_CONFIG_FAILURE_ACTIONS not
    // implemented" and stores nothing; sc sidtype and sc failureflag are "command not supported".
    assert.deepEqual(
      { sidtype: byVerb.sidtype, failure: byVerb.failure, failureflag: byVerb.failureflag },
      { sidtype: 1, failure: 0, failureflag: 1 },
      JSON.stringify(scCalls),
    );
    const key = wine.run(['reg', 'query', `HKLM\\System\\CurrentControlSet\\Services\\${registration.Name}`]);
    assert.equal(key.status, 0, key.stderr);
    assert.match(key.stdout, /ImagePath\s+REG_SZ\s+"C:\\Program Files\\JumpCloud\\AD Integration\\jcadi-service\.exe"/);
    assert.doesNotMatch(key.stdout, /FailureActions/, 'wine keeps no failure actions (Windows stores them in this key)');
    assert.deepEqual(status(), { state: 'STOPPED', win32ExitCode: 1077 }, 'never started yet (ERROR_SERVICE_NEVER_STARTED)');
  });

  it('a missing engine: the start fails (1064, ERROR_EXCEPTION_IN_SERVICE) and logs\\service.log says why', async () => {
    const engine = join(installDir, 'jcadi-engine.exe');
    renameSync(engine, `${engine}.aside`);
    try {
      wine.run(['sc', 'start', registration.Name], { timeoutMs: 180_000 });
      const stopped = await serviceIs('stopped after its failed start', (s) => s.state === 'STOPPED' && s.win32ExitCode !== 1077);
      assert.equal(stopped.win32ExitCode, 1064);
      assert.match(
        readIfExists(join(installDir, 'logs', 'service.log')),
        /error The service cannot start the sync agent: The engine C:\\Program Files\\JumpCloud\\AD Integration\\jcadi-engine\.exe does not exist/,
      );
    } finally {
      renameSync(`${engine}.aside`, engine);
    }
  });

  it('net start: the service runs, its host starts the engine, the agent syncs a change into AD', async () => {
    const since = Date.now();
    const start = wine.run(['net', 'start', registration.Name], { timeoutMs: 180_000 });
    assert.equal(start.status, 0, start.stdout + start.stderr);
    await serviceIs('RUNNING', (s) => s.state === 'RUNNING');
    const state = await runningSince(since);
    assert.ok(state.pid, 'the engine reports its pid');
    await inAd(U1);
    await sb.admin('POST', '/users', { username: U2, email: `${U2}@example.com`, firstname: 'Bo', lastname: 'Wine', groups: ['Wine-service'] });
    await inAd(U2);
    const hostLog = readIfExists(join(installDir, 'logs', 'service.log'));
    assert.match(
      hostLog,
      /started the sync agent \(pid \d+\): C:\\Program Files\\JumpCloud\\AD Integration\\jcadi-engine\.exe run --config "C:\\Program Files\\JumpCloud\\AD Integration\\agent\.json" --stop-on-stdin-close/,
    );
    // The connect key was exchanged: the config now holds the agent's credentials, under DPAPI.
    const config = JSON.parse(readFileSync(join(installDir, 'agent.json'), 'utf8')) as AgentConfig;
    assert.equal(config.connectKey, undefined);
    assert.equal(config.agent?.agentSecret.scheme, 'dpapi-localmachine-v1');
    const check = leakProbe([connectKey, adminDc().bindPassword, sb.apiKey]);
    check(readFileSync(join(installDir, 'agent.json'), 'utf8'), 'agent.json');
    check(hostLog, 'logs\\service.log');
    check(readIfExists(paths().log), 'logs\\agent.log');
  });

  it('the engine killed: the host stops the service with 1067; wine does not restart it, a start does and the agent syncs again', async () => {
    const before = agentState() as AgentState;
    const kill = wine.run(['taskkill', '/F', '/PID', String(before.pid)]);
    assert.equal(kill.status, 0, kill.stdout + kill.stderr);
    const stopped = await serviceIs('stopped by its host after the engine died', (s) => s.state === 'STOPPED');
    assert.equal(stopped.win32ExitCode, 1067, 'ERROR_PROCESS_ABORTED: the exit code the failure actions act on (with failureflag 1)');
    assert.match(readIfExists(join(installDir, 'logs', 'service.log')), /The sync agent ended by itself with exit code \d+\..*stops with exit code 1067/);
    // The module's first failure action restarts after 10 s; wine has none stored, so nothing happens.
    const waitedFrom = Date.now();
    while (Date.now() - waitedFrom < 15_000) {
      assert.equal(status()?.state, 'STOPPED', 'wine 8 does not run failure actions');
      await new Promise((r) => setTimeout(r, 1000));
    }
    // What the restart action does, done here: start the service again.
    const since = Date.now();
    const start = wine.run(['sc', 'start', registration.Name], { timeoutMs: 180_000 });
    assert.equal(start.status, 0, start.stdout + start.stderr);
    await serviceIs('RUNNING again', (s) => s.state === 'RUNNING');
    const after = await runningSince(since);
    assert.notEqual(after.pid, before.pid, 'a new engine process');
    await sb.admin('PATCH', `/users/${U2}`, { lastname: 'Restarted' });
    await until(
      'the change after the restart in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(&(sAMAccountName=${U2})(sn=Restarted))`, attributes: ['sn'] })).length === 1,
      120_000,
      500,
    );
  });

  it('net stop: the host closes the engine stdin, the agent stops gracefully (state saved, exit 0)', async () => {
    const stop = wine.run(['net', 'stop', registration.Name], { timeoutMs: 180_000 });
    assert.equal(stop.status, 0, stop.stdout + stop.stderr);
    const stopped = await serviceIs('STOPPED', (s) => s.state === 'STOPPED');
    assert.equal(stopped.win32ExitCode, 0);
    const state = agentState();
    assert.equal(state?.status, 'stopped');
    assert.equal(state?.pid, null);
    assert.match(readIfExists(paths().log), /stdin closed by the service host: stopping/);
    assert.match(readIfExists(join(installDir, 'logs', 'service.log')), /The sync agent stopped gracefully \(exit code 0\)\./);
  });
});
