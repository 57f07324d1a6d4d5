// The agent under its own account, for real: installed by root for a dedicated system user, its
// folder (0700), config and key file (0600) belong to that user, and without systemd (this host)
// agent-start runs it as a plain process under that user. It connects to the sandbox and the
// test DC, rewrites its config at the key exchange as that user, another account cannot read its
// secrets, and agent-stop signals it only after the pid check.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { lookupPosixUser } from '../../../engine/src/config/folder';
import { assertEngineBuilt, ENGINE, exec } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const USER = 'jcadiwin';
const DOMAIN = 'DC=example;DC=com';

/** The real uid, effective uid, saved and fs uid of a process (/proc/<pid>/status). */
function uidsOf(pid: number): number[] {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Uid:')) ?? '';
  return line.split(/\s+/).slice(1).filter(Boolean).map(Number);
}

describe('the agent as a dedicated system user (plain process, no systemd)', { timeout: 180_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let createdUser = false;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-dedicated-user-'));
  const log = join(work, 'exec.log');
  const installPath = join(work, 'opt', 'jumpcloudadi');
  const paths = agentPaths(installPath);
  const run = (command: string, params: Record<string, unknown>) => exec(command, params, log);

  before(async () => {
    assertEngineBuilt();
    assert.equal(process.getuid?.(), 0, 'installing for another account takes root (as Install-JCSyncAgent on Linux)');
    if (!lookupPosixUser(USER)) {
      const made = spawnSync(
        '/usr/sbin/useradd',
        ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', '--user-group', USER],
        { encoding: 'utf8' },
      );
      assert.equal(made.status, 0, made.stderr);
      createdUser = true;
    }
    // The agent's account must reach its folder and read its CA files, as on a real server.
    chmodSync(work, 0o755);
    mkdirSync(join(work, 'ca'), { mode: 0o755 });
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    copyFileSync(sb.caFile, join(work, 'ca', 'jumpcloud.pem'));
    copyFileSync(adminDc().caFile as string, join(work, 'ca', 'dc.pem'));
    fx = await openFixture('jcadi-win-dedicated');
  });

  after(async () => {
    await run('agent-stop', { installPath });
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
    if (createdUser) spawnSync('/usr/sbin/userdel', [USER]);
  });

  it('installs the folder and secrets as the user own, runs as that user, and stops after the pid check', async () => {
    const user = lookupPosixUser(USER);
    assert.ok(user);
    const dc = adminDc();
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: join(work, 'ca', 'jumpcloud.pem') };
    assert.equal((await run('adi-domain-new', { jumpcloud, domain: DOMAIN })).code, 0);
    const key = String((await run('agent-connect-key-new', { jumpcloud, domain: DOMAIN })).records[0]?.Key);
    const installed = await run('agent-install', {
      installPath,
      engineFile: ENGINE,
      serverType: 'dc',
      domainController: dc.host,
      ldap: { mode: 'ldaps', port: dc.port, caFile: join(work, 'ca', 'dc.pem') },
      rootUserDN: fx.rootDN.replace(/,/g, ';'),
      domain: DOMAIN,
      serviceAccount: { bindDN: dc.bindDN, password: dc.bindPassword },
      connectKey: key,
      jumpcloud,
      sync: { debounceMs: 100 },
      serviceUser: USER,
    });
    assert.equal(installed.code, 0, installed.raw);

    const folder = statSync(installPath);
    assert.equal(folder.uid, user.uid);
    assert.equal(folder.mode & 0o777, 0o700);
    for (const file of [paths.config, paths.keyFile]) {
      assert.equal(statSync(file).uid, user.uid, `${file} is the agent's`);
      assert.equal(statSync(file).mode & 0o777, 0o600);
    }
    assert.equal(statSync(paths.engine).uid, 0, 'the binary stays root-owned');

    const started = await run('agent-start', { installPath, timeoutSeconds: 40 });
    assert.equal(started.code, 0, started.raw);
    const pid = Number.parseInt(readFileSync(paths.pid, 'utf8'), 10);
    assert.deepEqual(uidsOf(pid), [user.uid, user.uid, user.uid, user.uid], 'every uid of the agent process is the dedicated user');
    // The key exchange rewrote agent.json as the agent: still its own, now with credentials.
    assert.ok(readAgentConfig(paths.config).agent, 'exchanged');
    assert.equal(statSync(paths.config).uid, user.uid);
    assert.equal(statSync(paths.state).uid, user.uid);

    // Another account (nobody) cannot read the secrets, nor enter the folder.
    const peek = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/bin/cat', paths.config], { encoding: 'utf8' });
    assert.notEqual(peek.status, 0);
    assert.match(peek.stderr, /Permission denied/);

    const status = await run('agent-status', { installPath });
    assert.equal(status.records[0]?.Running, true);
    assert.equal(status.records[0]?.ProcessId, pid);
    const stopped = await run('agent-stop', { installPath, timeoutSeconds: 20 });
    assert.equal(stopped.code, 0, stopped.raw);
    assert.ok(!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/status`, 'utf8').includes('zombie'), 'the agent ended');
    const removed = await run('agent-uninstall', { installPath, jumpcloud });
    assert.equal(removed.code, 0, removed.raw);
  });
});
