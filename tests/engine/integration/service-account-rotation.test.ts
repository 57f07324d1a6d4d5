// Rotating the sync service account's password with a running agent, against Samba and the
// sandbox: a throw-away service account (delegated on this file's random OU) is what the agent
// binds as. After service-account-rotate with the install path, AD takes the new password (bind),
// the config holds it encrypted only, and the running agent keeps syncing; a password AD refuses
// changes neither the config nor AD; a rotation that stopped between AD and its commit is
// finished by the agent itself (it binds with the pending password and commits it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readConfigPasswords, stagePendingPassword } from '../../../engine/src/agent/service-password';
import { AdSession } from '../../../engine/src/ad/session';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { KeyFileProtector } from '../../../engine/src/config/protect';
import { assertEngineBuilt, exec, installAgent, leakProbe, readIfExists, until, type ExecResult, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const adi = (dn: string) => dn.replace(/,/g, ';');
const strong = (tag: string) => `Jc-${randomBytes(9).toString('base64url')}-${tag}9`;

describe('service account rotation with a running agent', { timeout: 240_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let rootDn: string;
  let installPath: string;
  const sam = `jcr${randomBytes(3).toString('hex')}`;
  const upn = `${sam}@example.com`;
  const passwords = [strong('a')];
  const work = mkdtempSync(join(tmpdir(), 'jcadi-rotate-'));
  const execLog = join(work, 'exec.log');
  const outputs: ExecResult[] = [];
  const run = async (command: string, params: Record<string, unknown>) => {
    const result = await exec(command, params, execLog);
    outputs.push(result);
    return result;
  };
  const paths = () => agentPaths(installPath);
  const configPasswords = () => readConfigPasswords(readAgentConfig(paths().config), new KeyFileProtector(paths().keyFile));
  const binds = async (password: string) => {
    try {
      await (await AdSession.open(adminDc({ bindDN: upn, bindPassword: password }))).close();
      return true;
    } catch {
      return false;
    }
  };
  const lastName = async (username: string) => {
    const [entry] = await fx.session.search(rootDn, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['sn'] });
    return entry ? first(entry.sn) : null;
  };
  const rotate = (newPassword: string, extra: Record<string, unknown> = {}) =>
    run('service-account-rotate', { dc: adminDc(), serviceAccount: sam, newPassword, installPath, ...extra });

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-rotate');
    rootDn = `OU=Root,${fx.rootDN}`;
    await fx.session.ldapClient.add(rootDn, { objectClass: ['top', 'organizationalUnit'] });
    const created = await run('service-account-create', { dc: adminDc(), container: adi(fx.rootDN), samAccountName: sam, password: passwords[0] });
    assert.equal(created.code, 0, created.raw);
    const granted = await run('delegation-grant', { dc: adminDc(), rootUserDN: adi(rootDn), serviceAccount: sam });
    assert.equal(granted.code, 0, granted.raw);

    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Rotate-sync', bindToDomain: DOMAIN });
    await sb.admin('POST', '/users', { username: 'rot.u1', email: 'rot.u1@example.com', firstname: 'Ria', lastname: 'Start', groups: ['Rotate-sync'] });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, execLog);
    assert.equal(key.code, 0, key.raw);
    const installed = await installAgent(
      { jumpcloud, rootUserDN: adi(rootDn), connectKey: String(key.records[0]?.Key), serviceAccount: { bindDN: upn, password: passwords[0] as string } },
      execLog,
    );
    installPath = installed.installPath;
    outputs.push(installed.result);
    assert.equal(installed.result.code, 0, installed.result.raw);
    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
    await until('the agent, bound as the service account, creates the user', async () => (await lastName('rot.u1')) === 'Start', 30_000);
  });

  after(async () => {
    if (installPath) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, execLog);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('rotates in AD and in the agent config together; the running agent keeps syncing', async () => {
    const next = strong('b');
    passwords.push(next);
    const result = await rotate(next);
    assert.equal(result.code, 0, result.raw);
    const record = result.records[0] as Record<string, unknown>;
    assert.equal(record.ChangedInAD, true);
    assert.equal(record.Verified, true);
    assert.deepEqual(record.UpdatedStores, [`agent config ${paths().config}`]);
    assert.equal(await binds(next), true, 'AD takes the new password');
    assert.deepEqual(await configPasswords(), { current: next, pending: null });
    const text = readFileSync(paths().config, 'utf8');
    for (const secret of passwords) assert.ok(!text.includes(secret), 'no password in clear in the config');

    await sb.admin('PATCH', '/users/rot.u1', { lastname: 'AfterRotation' });
    await until('a change made after the rotation reaches AD', async () => (await lastName('rot.u1')) === 'AfterRotation', 30_000);
  });

  // Samba (like AD for NTLM) still accepts the previous password for a while after a reset, so the
  // agent may go on binding with the one it opened at start. A second rotation moves that one two
  // generations back, where every DC refuses it: the agent must pick up the config's new password.
  it('a second rotation while the agent still binds with its start password: the agent re-reads the config', async () => {
    const next = strong('d');
    passwords.push(next);
    const result = await rotate(next);
    assert.equal(result.code, 0, result.raw);
    assert.equal(await binds(passwords[0] as string), false, 'the start password is refused now');
    await sb.admin('PATCH', '/users/rot.u1', { lastname: 'AfterSecondRotation' });
    await until('a change made after the second rotation reaches AD', async () => (await lastName('rot.u1')) === 'AfterSecondRotation', 30_000);
    assert.match(readIfExists(paths().log), /using the new password from the config/);
    assert.deepEqual(await configPasswords(), { current: next, pending: null });
  });

  it('a password AD refuses leaves the config and AD unchanged', async () => {
    const before = readFileSync(paths().config, 'utf8');
    const result = await rotate('short');
    assert.notEqual(result.code, 0);
    assert.equal(result.errors[0]?.id, 'AD.ConstraintViolation', result.raw);
    assert.equal(readFileSync(paths().config, 'utf8'), before);
    assert.equal(await binds(passwords.at(-1) as string), true, 'the current password still binds');
  });

  it('refuses an install whose agent binds as another account, before changing anything', async () => {
    const otherSam = `${sam}o`;
    const other = await run('service-account-create', {
      dc: adminDc(),
      container: adi(fx.rootDN),
      samAccountName: otherSam,
      givenName: 'Other',
      password: strong('o'),
    });
    assert.equal(other.code, 0, other.raw);
    const before = readFileSync(paths().config, 'utf8');
    const result = await run('service-account-rotate', { dc: adminDc(), serviceAccount: otherSam, newPassword: strong('x'), installPath });
    assert.equal(result.errors[0]?.id, 'ServiceAccount.AgentAccountMismatch', result.raw);
    assert.equal(readFileSync(paths().config, 'utf8'), before);
  });

  it('a rotation that stopped between AD and its commit: the agent binds with the pending password and commits it', async () => {
    const next = strong('c');
    passwords.push(next);
    await stagePendingPassword(paths().config, new KeyFileProtector(paths().keyFile), next);
    // AD set twice (the second time to the pending one), so the agent's current password is refused.
    await fx.writer.setPassword(`CN=JumpCloud Sync,${fx.rootDN}`, strong('i'));
    await fx.writer.setPassword(`CN=JumpCloud Sync,${fx.rootDN}`, next);
    assert.equal(await binds(passwords.at(-2) as string), false, "the agent's current password is refused");
    await sb.admin('PATCH', '/users/rot.u1', { lastname: 'AfterCrash' });
    await until('a change made after the interrupted rotation reaches AD', async () => (await lastName('rot.u1')) === 'AfterCrash', 30_000);
    assert.deepEqual(await configPasswords(), { current: next, pending: null });
    assert.match(readIfExists(paths().log), /the pending password binds and is now committed/);
  });

  it('no password reaches the outputs, the log, the state or the agent command line', async () => {
    const check = leakProbe(passwords);
    for (const output of outputs) check(output.raw, 'an engine answer');
    check(readIfExists(execLog), 'the engine log');
    check(readIfExists(paths().log), 'the agent log');
    check(readIfExists(paths().state), 'the agent state');
    check(readIfExists(paths().journal), 'the journal');
    const pid = Number(readIfExists(paths().pid).trim());
    assert.ok(pid > 0, 'the agent is running');
    check(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'the agent command line');
    check(readFileSync(`/proc/${pid}/environ`, 'utf8'), 'the agent environment');
  });
});
