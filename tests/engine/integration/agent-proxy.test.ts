// The sync agent (API-key mode, the real engine binary) behind an authenticating HTTP CONNECT
// proxy: installed with a proxy block (its password protected in agent.json), every JumpCloud
// call of install, verify and the running agent goes through the tunnel, a change made in
// JumpCloud reaches AD, and neither the proxy password nor the API key crosses the proxy in clear
// or lands in any file, log or answer.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { assertEngineBuilt, exec, installAgent, installedSecrets, leakProbe, readIfExists, until, type ExecResult, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { canaryNeedles, filesUnder, scanFiles } from '../helpers/canary';
import { startConnectProxy, type TestProxy } from '../helpers/connect-proxy';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const PROXY_USER = 'agent-proxy';
const PROXY_PASSWORD = 'Agent-Proxy-Canary-Pw-91b3';

describe('sync agent behind an authenticating HTTP proxy (API-key mode)', { timeout: 180_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let proxy: TestProxy;
  let installPath = '';
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-proxy-'));
  const execLog = join(work, 'exec.log');
  const outputs: ExecResult[] = [];

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('jcadi-proxy');
    proxy = await startConnectProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Proxy-e2e', bindToDomain: DOMAIN });
    for (let i = 1; i <= 2; i++)
      await sb.admin('POST', '/users', {
        username: `prx.u${i}`,
        email: `prx.u${i}@example.com`,
        firstname: `Pia${i}`,
        lastname: `Roe${i}`,
        groups: ['Proxy-e2e'],
      });
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

  it('installs (verify through the proxy), starts, and syncs a JumpCloud change to AD through the tunnel', async () => {
    const jumpcloud = {
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      caFile: sb.caFile,
      proxy: { url: proxy.url, username: PROXY_USER, password: PROXY_PASSWORD, bypass: ['*.internal'] },
    };
    const installed = await installAgent(
      { jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), mode: 'apiKey', sync: { fullReconcileMinutes: 1440, insightsPollSeconds: 1 } },
      execLog,
    );
    installPath = installed.installPath;
    outputs.push(installed.result);
    assert.equal(installed.result.code, 0, installed.result.raw);
    assert.ok(proxy.connects.length >= 1, 'the install verified the domain through the proxy');
    const config = readAgentConfig(agentPaths(installPath).config);
    const stored = config.jumpcloud.proxy as { url: string; username: string; password: { scheme: string }; bypass: string[] };
    assert.deepEqual([stored.url, stored.username, stored.bypass], [proxy.url, PROXY_USER, ['*.internal']]);
    assert.equal(typeof stored.password, 'object', 'the proxy password is a protected value');

    const connectsBefore = proxy.connects.length;
    const started = await exec('agent-start', { installPath, timeoutSeconds: 30 }, execLog);
    outputs.push(started);
    assert.equal(started.code, 0, started.raw);
    assert.equal((started.records[0] as Record<string, unknown>).Connected, true);
    await until(
      'the two users in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=user)', attributes: ['cn'] })).length === 2,
      30_000,
    );
    assert.equal((await sb.call('PATCH', '/sandbox/admin/users/prx.u1', { lastname: 'Proxied' })).status, 200);
    await until(
      'the new last name in AD',
      async () => {
        const [entry] = await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(sAMAccountName=prx.u1)', attributes: ['sn'] });
        return first(entry?.sn) === 'Proxied';
      },
      20_000,
      100,
    );
    assert.ok(proxy.connects.length > connectsBefore, 'the running agent called JumpCloud through the proxy');
    assert.ok(
      proxy.connects.every((t) => t === new URL(sb.url).host),
      proxy.connects.join(','),
    );
    assert.match(
      readIfExists(agentPaths(installPath).log),
      new RegExp(`through the proxy 127\\.0\\.0\\.1:${proxy.port}, with Basic credentials; bypass: \\*\\.internal`),
    );
  });

  it('leaves the proxy password and the API key nowhere: not across the proxy, not in any file or answer', async () => {
    assert.ok(installPath, 'installed');
    const paths = agentPaths(installPath);
    const secrets = await installedSecrets(installPath);
    assert.equal(secrets.proxyPassword, PROXY_PASSWORD);
    const seen = proxy.seen();
    assert.ok(!seen.includes(sb.apiKey), 'the API key did not cross the proxy in clear');
    assert.ok(!seen.includes(PROXY_PASSWORD), 'the proxy saw only the Basic header, not the clear password');
    const check = leakProbe([PROXY_PASSWORD, Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64'), sb.apiKey]);
    check(readFileSync(paths.config, 'utf8'), 'agent.json');
    check(readIfExists(paths.log), 'the agent log');
    check(readIfExists(paths.state), 'state.json');
    check(readIfExists(execLog), 'the engine log');
    for (const output of outputs) check(output.raw, 'an engine answer');
    const pid = Number(readIfExists(paths.pid).trim());
    if (pid > 0) check(readFileSync(`/proc/${pid}/environ`, 'utf8'), 'the agent environment');
    const files = [...filesUnder(dirname(installPath)), execLog];
    assert.ok(files.length >= 5, `scanned ${files.length} files`);
    assert.deepEqual(scanFiles(files, canaryNeedles(PROXY_PASSWORD)), [], 'the proxy password is in no file, in any encoding');
  });
});
