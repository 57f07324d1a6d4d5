// agent-configure (Set-JCSyncAgent) on an installed, running agent (API-key mode, the real engine
// binary, the sandbox and Samba): a poll interval and a proxy are changed in one atomic rewrite,
// the proxy password and a new API key are protected at rest and shown only as "(changed)", the
// restarted agent works through the new proxy; a refused API key, an unchangeable setting and a
// what-if leave agent.json byte-identical.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { assertEngineBuilt, exec, installAgent, installedSecrets, leakProbe, readIfExists, until, type ExecResult, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { startConnectProxy, type TestProxy } from '../helpers/connect-proxy';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const PROXY_USER = 'cfg-proxy';
const PROXY_PASSWORD = 'Configure-Proxy-Canary-Pw-4d7e';
const OTHER_API_KEY = 'Configure-ApiKey-Canary-0a9f31c2';

describe('agent-configure: changing an installed agent without a reinstall', { timeout: 240_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let proxy: TestProxy;
  let installPath = '';
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-configure-'));
  const execLog = join(work, 'exec.log');
  const outputs: ExecResult[] = [];
  const run = async (command: string, params: Record<string, unknown>) => {
    const result = await exec(command, params, execLog);
    outputs.push(result);
    return result;
  };
  const configText = () => readFileSync(agentPaths(installPath).config, 'utf8');
  const snOf = async (username: string) => {
    const [entry] = await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['sn'] });
    return first(entry?.sn);
  };

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('jcadi-configure');
    proxy = await startConnectProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Configure-e2e', bindToDomain: DOMAIN });
    await sb.admin('POST', '/users', { username: 'cfg.u1', email: 'cfg.u1@example.com', firstname: 'Cora', lastname: 'Fig', groups: ['Configure-e2e'] });
    const installed = await installAgent(
      {
        jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
        rootUserDN: fx.rootDN.replace(/,/g, ';'),
        mode: 'apiKey',
        sync: { fullReconcileMinutes: 1440, insightsPollSeconds: 1 },
      },
      execLog,
    );
    installPath = installed.installPath;
    outputs.push(installed.result);
    assert.equal(installed.result.code, 0, installed.result.raw);
    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
    await until('cfg.u1 in AD', async () => (await snOf('cfg.u1')) === 'Fig', 30_000);
  });

  after(async () => {
    if (installPath) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, execLog);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await proxy?.close();
    await sb?.close();
  });

  it('whatIf checks and lists the changes but writes nothing', async () => {
    const before = configText();
    const result = await run('agent-configure', {
      installPath,
      sync: { insightsPollSeconds: 5 },
      proxy: { url: proxy.url, username: PROXY_USER, password: PROXY_PASSWORD },
      whatIf: true,
    });
    assert.equal(result.code, 0, result.raw);
    assert.deepEqual(
      (result.records[0]?.Changed as Array<{ Setting: string }>).map((c) => c.Setting),
      ['sync.insightsPollSeconds', 'jumpcloud.proxy', 'jumpcloud.proxy.password'],
    );
    assert.ok(
      result.lines.some((l) => l.type === 'log' && String(l.message).includes('What if: would change sync.insightsPollSeconds: 1 -> 5')),
      result.raw,
    );
    assert.ok(proxy.connects.length >= 1, 'the what-if verified the proxy with a call through it');
    assert.equal(configText(), before, 'agent.json is byte-identical');
  });

  it('refuses an API key JumpCloud does not accept (JumpCloud.AuthFailed), agent.json byte-identical', async () => {
    const before = configText();
    const result = await run('agent-configure', { installPath, jumpcloudApiKey: OTHER_API_KEY, sync: { insightsPollSeconds: 5 } });
    assert.notEqual(result.code, 0);
    assert.equal(result.errors[0]?.id, 'JumpCloud.AuthFailed', result.raw);
    assert.equal(result.records.length, 0);
    assert.equal(configText(), before, 'agent.json is byte-identical');
  });

  it('refuses settings that cannot change in place, naming the way to change them; agent.json byte-identical', async () => {
    const before = configText();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ serverType: 'member' }, 'Agent.ServerTypeChange', /Uninstall-JCSyncAgent/],
      [{ rootUserDN: 'CN=Users;DC=example;DC=com' }, 'Agent.SettingNotChangeable', /Uninstall-JCSyncAgent.*Install-JCSyncAgent/],
      [{ domain: 'DC=other;DC=com' }, 'Agent.SettingNotChangeable', /Uninstall-JCSyncAgent/],
      [{ mode: 'channel' }, 'Agent.SettingNotChangeable', /-ApiKeyOnly/],
      [{ serviceAccount: { password: 'Not-Changeable-Here-1!' } }, 'Agent.SettingNotChangeable', /Reset-JCSyncServiceAccountPassword/],
      [{ ldap: { mode: 'ldap', allowInsecure: true } }, 'Agent.InsecureLdapNotAcknowledged', /risk/],
      [{ sync: { insightsPollSeconds: 301 } }, 'Request.Invalid', /insightsPollSeconds/],
    ];
    for (const [change, id, message] of cases) {
      const result = await run('agent-configure', { installPath, sync: { fullReconcileMinutes: 30 }, ...change });
      assert.notEqual(result.code, 0, JSON.stringify(change));
      assert.equal(result.errors[0]?.id, id, result.raw);
      assert.match(String(result.errors[0]?.message), message, result.raw);
    }
    assert.equal(configText(), before, 'agent.json is byte-identical');
  });

  it('protects a new API key at rest and shows it only as "(changed)"', async () => {
    const changed = await run('agent-configure', { installPath, jumpcloudApiKey: OTHER_API_KEY, verify: false });
    assert.equal(changed.code, 0, changed.raw);
    assert.deepEqual(changed.records[0]?.Changed, [{ Setting: 'jumpcloud.apiKey', Before: '(set)', After: '(changed)' }]);
    assert.equal(changed.records[0]?.Verified, false);
    assert.equal((await installedSecrets(installPath)).apiKey, OTHER_API_KEY);
    assert.ok(!configText().includes(OTHER_API_KEY), 'the new key is not in agent.json in clear');
    const back = await run('agent-configure', { installPath, jumpcloudApiKey: sb.apiKey });
    assert.equal(back.code, 0, back.raw);
    assert.equal(back.records[0]?.Verified, true);
    assert.equal((await installedSecrets(installPath)).apiKey, sb.apiKey);
  });

  it('changes the poll interval and the proxy of the running agent; restarted, it syncs through the proxy', async () => {
    const paths = agentPaths(installPath);
    const connectsBefore = proxy.connects.length;
    const result = await run('agent-configure', {
      installPath,
      sync: { insightsPollSeconds: 2, fullReconcileMinutes: 720, logLevel: 'info' },
      proxy: { url: proxy.url, username: PROXY_USER, password: PROXY_PASSWORD, bypass: ['*.internal'] },
    });
    assert.equal(result.code, 0, result.raw);
    const record = result.records[0] as { Changed: Array<Record<string, unknown>>; Verified: boolean; RestartRequired: boolean; InstallPath: string };
    assert.equal(record.InstallPath, installPath);
    assert.deepEqual(record.Changed, [
      { Setting: 'sync.fullReconcileMinutes', Before: 1440, After: 720 },
      { Setting: 'sync.insightsPollSeconds', Before: 1, After: 2 },
      { Setting: 'jumpcloud.proxy', Before: 'none', After: `${proxy.url} user ${PROXY_USER} bypass *.internal` },
      { Setting: 'jumpcloud.proxy.password', Before: null, After: '(changed)' },
    ]);
    assert.equal(record.Verified, true);
    assert.equal(record.RestartRequired, true, 'the agent runs: it must be restarted to use the change');
    assert.ok(proxy.connects.length > connectsBefore, 'the proxy was verified with a call through it');

    const config = readAgentConfig(paths.config);
    assert.equal(config.sync.insightsPollSeconds, 2);
    assert.equal(config.sync.fullReconcileMinutes, 720);
    assert.equal(typeof (config.jumpcloud.proxy as { password: unknown }).password, 'object', 'the proxy password is a protected value');
    assert.equal((await installedSecrets(installPath)).proxyPassword, PROXY_PASSWORD);
    assert.equal(statSync(paths.config).mode & 0o777, 0o600);

    // The restart the module makes through the service manager (here: the detached process).
    const connectsBeforeRestart = proxy.connects.length;
    assert.equal((await run('agent-stop', { installPath, timeoutSeconds: 20 })).code, 0);
    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
    assert.equal((await sb.call('PATCH', '/sandbox/admin/users/cfg.u1', { lastname: 'Reconfigured' })).status, 200);
    await until('the new last name in AD', async () => (await snOf('cfg.u1')) === 'Reconfigured', 30_000);
    assert.ok(proxy.connects.length > connectsBeforeRestart, 'the restarted agent reached JumpCloud through the new proxy');
    assert.match(readIfExists(paths.log), new RegExp(`through the proxy 127\\.0\\.0\\.1:${proxy.port}, with Basic credentials`));
  });

  it('removes the proxy (null); the same settings again change nothing', async () => {
    const removed = await run('agent-configure', { installPath, proxy: null });
    assert.equal(removed.code, 0, removed.raw);
    assert.deepEqual(removed.records[0]?.Changed, [{ Setting: 'jumpcloud.proxy', Before: `${proxy.url} user ${PROXY_USER} bypass *.internal`, After: 'none' }]);
    assert.equal(readAgentConfig(agentPaths(installPath).config).jumpcloud.proxy, undefined);
    const before = configText();
    const again = await run('agent-configure', { installPath, proxy: null, sync: { insightsPollSeconds: 2 } });
    assert.equal(again.code, 0, again.raw);
    assert.deepEqual(again.records[0]?.Changed, []);
    assert.equal(again.records[0]?.RestartRequired, false);
    assert.equal(configText(), before, 'nothing to change: agent.json untouched');
  });

  it('leaves no secret in agent.json, the logs or any answer', async () => {
    const paths = agentPaths(installPath);
    const check = leakProbe([PROXY_PASSWORD, OTHER_API_KEY, sb.apiKey, Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')]);
    check(configText(), 'agent.json');
    check(readIfExists(paths.log), 'the agent log');
    check(readIfExists(execLog), 'the engine log');
    for (const output of outputs) check(output.raw, 'an engine answer');
    assert.ok(outputs.length >= 10, `checked ${outputs.length} answers`);
  });
});
