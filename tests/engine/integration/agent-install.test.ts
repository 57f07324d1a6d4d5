// The agent's engine commands against the sandbox and Samba: ADI domains and connect keys, the
// install wizard's checks (each a clear error with nothing installed), upgrades that keep the
// config and refuse a server type change, refused connect keys at the first start (used,
// expired) leaving the config untouched, status with every agent of the domain, and history.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { peekAgentState } from '../../../engine/src/agent/state';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { exchangeConnectKey } from '../../../engine/src/jumpcloud/agent-channel';
import { generateAgentKeyPair } from '../../../engine/src/jumpcloud/agent-crypto';
import { assertEngineBuilt, exec, installAgent, type ExecResult } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';

describe('agent commands: domains, connect keys, install checks, upgrade, first start', { timeout: 240_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let jumpcloud: Record<string, unknown>;
  let rootUserDN: string;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-install-'));
  const log = join(work, 'exec.log');
  const run = (command: string, params: Record<string, unknown>) => exec(command, params, log);
  const newKey = async () => String((await run('agent-connect-key-new', { jumpcloud, domain: DOMAIN })).records[0]?.Key);
  const errorOf = (result: ExecResult) => result.errors[0] as { id: string; message: string } | undefined;
  const folder = (name: string) => join(work, name, 'AD Integration');

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-agent-install');
    rootUserDN = fx.rootDN.replace(/,/g, ';');
    jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
  });

  after(async () => {
    for (const name of ['used', 'expired', 'upgrade', 'history']) await run('agent-stop', { installPath: folder(name) });
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('registers ADI domains in the product format with the JumpCloud use case, and lists them', async () => {
    const bad = await run('adi-domain-new', { jumpcloud, domain: 'dc=example,dc=com' });
    assert.equal(bad.code, 2);
    assert.equal(errorOf(bad)?.id, 'ADIDomain.Invalid');
    assert.match(errorOf(bad)?.message ?? '', /semicolons/);
    const created = await run('adi-domain-new', { jumpcloud, domain: DOMAIN });
    assert.equal(created.code, 0, created.raw);
    assert.equal(created.records[0]?.Domain, DOMAIN);
    assert.equal(created.records[0]?.UseCase, 'JCASAUTHORITY');
    const again = await run('adi-domain-new', { jumpcloud, domain: 'DC=EXAMPLE;DC=com' });
    assert.equal(errorOf(again)?.id, 'ADIDomain.Exists');
    assert.equal((await run('adi-domain-new', { jumpcloud, domain: 'DC=other;DC=test' })).code, 0);
    const listed = await run('adi-domain-list', { jumpcloud });
    assert.deepEqual(
      listed.records.map((r) => r.Domain),
      [DOMAIN, 'DC=other;DC=test'],
    );
    const one = await run('adi-domain-list', { jumpcloud, domain: 'DC=other;DC=test' });
    assert.equal(one.records.length, 1);
  });

  it('creates a sync agent record with a one-time connect key valid for 7 days', async () => {
    const result = await run('agent-connect-key-new', { jumpcloud, domain: DOMAIN });
    assert.equal(result.code, 0, result.raw);
    const record = result.records[0] as Record<string, string>;
    assert.match(record.Key as string, /^jcck_[A-Za-z0-9_-]{43}$/);
    assert.equal(Math.round((Date.parse(record.ExpiresAt as string) - Date.parse(record.CreatedAt as string)) / 86_400_000), 7);
    assert.ok(!readFileSync(log, 'utf8').includes(record.Key as string), 'the key is not logged');
    const unknown = await run('agent-connect-key-new', { jumpcloud, domain: 'DC=nowhere;DC=test' });
    assert.equal(errorOf(unknown)?.id, 'JumpCloud.DomainNotFound');
  });

  for (const [name, change, id] of [
    ['insecure LDAP without the risk acknowledged', { ldap: { mode: 'ldap', port: 389, allowInsecure: true } }, 'Agent.InsecureLdapNotAcknowledged'],
    ['insecure LDAP not allowed at all', { ldap: { mode: 'ldap', port: 389 } }, 'Agent.InsecureLdapNotAcknowledged'],
    ['a Root DN outside the ADI domain', { rootUserDN: 'CN=Users;DC=other;DC=test' }, 'RootDN.NotUnderDomain'],
    ['a Root DN in comma form', { rootUserDN: 'CN=Users,DC=example,DC=com' }, 'RootDN.Invalid'],
    ['a member server without its DC', { serverType: 'member', domainController: undefined }, 'Agent.DomainControllerRequired'],
    ['a root container that does not exist', { rootUserDN: 'OU=jcadi-missing-ou;DC=example;DC=com' }, 'RootDN.NotFound'],
    ['a domain JumpCloud knows only in another case', { domain: 'DC=Example;DC=com', rootUserDN: 'CN=Users;DC=Example;DC=com' }, 'JumpCloud.DomainNotFound'],
    ['a wrong service account password', { serviceAccount: { bindDN: adminDc().bindDN, password: 'not-the-password' } }, 'AD.BindFailed'],
  ] as Array<[string, Record<string, unknown>, string]>) {
    it(`refuses ${name} with ${id}, and installs nothing`, async () => {
      const installPath = folder(`refused-${id}`);
      const dc = adminDc();
      const params: Record<string, unknown> = {
        installPath,
        engineFile: join(process.cwd(), 'build', 'jcadi-engine'),
        serverType: 'dc',
        domainController: dc.host,
        ldap: { mode: 'ldaps', port: dc.port, caFile: dc.caFile },
        rootUserDN,
        domain: DOMAIN,
        serviceAccount: { bindDN: dc.bindDN, password: dc.bindPassword },
        connectKey: 'jcck_not-used-because-refused-earlier',
        jumpcloud,
        ...change,
      };
      const result = await run('agent-install', params);
      assert.equal(result.code === 2 || result.code === 4, true, result.raw);
      assert.equal(errorOf(result)?.id, id, result.raw);
      assert.ok(!existsSync(installPath), 'nothing installed');
    });
  }

  it('stops at the first start on a connect key that was already used, leaving the config untouched', async () => {
    const key = await newKey();
    await exchangeConnectKey(
      { baseUrl: sb.url, ca: sb.caPem },
      { connectKey: key, publicKey: generateAgentKeyPair().publicKey, hostname: 'elsewhere', version: '0.1.0' },
    );
    const { installPath, result } = await installAgent({ jumpcloud, rootUserDN, connectKey: key, installPath: folder('used') }, log);
    assert.equal(result.code, 0, result.raw);
    const before = readFileSync(agentPaths(installPath).config, 'utf8');
    const started = await run('agent-start', { installPath, timeoutSeconds: 20 });
    assert.equal(started.code, 2, started.raw);
    assert.equal(errorOf(started)?.id, 'JumpCloud.ConnectKeyUsed');
    assert.match(errorOf(started)?.message ?? '', /already used/);
    assert.equal(readFileSync(agentPaths(installPath).config, 'utf8'), before, 'nothing half-written');
    assert.equal(peekAgentState(agentPaths(installPath).state)?.status, 'failed');
    assert.equal((await run('agent-status', { installPath })).records[0]?.Running, false);
  });

  it('stops at the first start on an expired connect key', async () => {
    const key = await newKey();
    const { installPath } = await installAgent({ jumpcloud, rootUserDN, connectKey: key, installPath: folder('expired') }, log);
    const clock = await sb.call('POST', '/sandbox/admin/clock', { advanceSeconds: 8 * 86_400 });
    assert.equal(clock.status, 200);
    const started = await run('agent-start', { installPath, timeoutSeconds: 20 });
    assert.equal(started.code, 2, started.raw);
    assert.equal(errorOf(started)?.id, 'JumpCloud.ConnectKeyExpired');
    assert.ok(readAgentConfig(agentPaths(installPath).config).connectKey, 'the key is still there, unexchanged');
  });

  it('upgrades in place: binary replaced, config kept; a DC ↔ member change is refused', async () => {
    const key = await newKey();
    const { installPath } = await installAgent({ jumpcloud, rootUserDN, connectKey: key, installPath: folder('upgrade') }, log);
    const paths = agentPaths(installPath);
    const config = readFileSync(paths.config, 'utf8');
    const engineTime = statSync(paths.engine).mtimeMs;

    const refused = await run('agent-install', {
      installPath,
      engineFile: join(process.cwd(), 'build', 'jcadi-engine'),
      serverType: 'member',
      domainController: 'dc1.example.com',
    });
    assert.equal(refused.code, 2);
    assert.equal(errorOf(refused)?.id, 'Agent.ServerTypeChange');
    assert.match(errorOf(refused)?.message ?? '', /Uninstall first/);
    assert.equal(readFileSync(paths.config, 'utf8'), config);
    assert.equal(statSync(paths.engine).mtimeMs, engineTime, 'the binary is untouched too');

    await new Promise((r) => setTimeout(r, 20));
    const upgraded = await run('agent-install', { installPath, engineFile: join(process.cwd(), 'build', 'jcadi-engine'), connectKey: 'jcck_ignored' });
    assert.equal(upgraded.code, 0, upgraded.raw);
    assert.equal(upgraded.records[0]?.Upgraded, true);
    assert.ok(statSync(paths.engine).mtimeMs > engineTime, 'binary replaced');
    assert.deepEqual(
      { ...JSON.parse(readFileSync(paths.config, 'utf8')), installedVersion: null },
      { ...JSON.parse(config), installedVersion: null },
      'config kept',
    );
    assert.ok(
      upgraded.lines.some((l) => l.type === 'log' && /connectKey/.test(String(l.message))),
      'says the new key is not used',
    );

    // A key file other accounts can read is refused at start, before anything is sent anywhere.
    chmodSync(paths.keyFile, 0o644);
    const insecure = await run('agent-start', { installPath, timeoutSeconds: 20 });
    assert.equal(insecure.code, 2, insecure.raw);
    assert.equal(errorOf(insecure)?.id, 'Agent.KeyFileInsecure');
    assert.ok(readAgentConfig(paths.config).connectKey, 'the connect key was not used');
    chmodSync(paths.keyFile, 0o600);
  });

  it('reports the status of this agent and of every agent of its domain, and its history', async () => {
    const key = await newKey();
    const { installPath } = await installAgent({ jumpcloud, rootUserDN, connectKey: key, installPath: folder('history') }, log);
    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
    await sb.call('POST', '/sandbox/admin/groups', { name: 'History-e2e', bindToDomain: DOMAIN });
    await sb.call('POST', '/sandbox/admin/users', {
      username: 'hist.u1',
      email: 'hist.u1@example.com',
      firstname: 'H',
      lastname: 'One',
      groups: ['History-e2e'],
    });
    const status = await run('agent-status', { installPath, jumpcloud });
    const local = status.records.find((r) => r.InstallPath === installPath) as Record<string, unknown>;
    assert.equal(local.Running, true);
    assert.equal(local.Connected, true);
    assert.equal(local.ServerType, 'DC');
    const domainAgents = status.records.filter((r) => r.AgentId && r.Health);
    assert.ok(domainAgents.length >= 4, 'every agent record of the domain');
    assert.deepEqual(
      domainAgents.filter((a) => a.ThisMachine).map((a) => [a.Health, a.State]),
      [['Green', 'active']],
    );
    assert.ok(
      domainAgents.some((a) => a.Health === 'Pending'),
      'unexchanged keys show as pending',
    );

    const deadline = Date.now() + 20_000;
    let history: ExecResult;
    do {
      history = await run('agent-history', { installPath, user: 'hist.u1' });
      if (history.records.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    // The user's own entry, and the membership entry that names the user ("hist.u1 in History-e2e").
    assert.deepEqual(
      history.records.map((r) => [r.Kind, r.Outcome]),
      [
        ['createUser', 'applied'],
        ['addMember', 'applied'],
      ],
    );
    const applied = await run('agent-history', { installPath, outcome: 'applied', kind: 'createGroup' });
    assert.ok(applied.records.some((r) => String(r.Target).startsWith('CN=History-e2e,')));
    const none = await run('agent-history', { installPath, since: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(none.records.length, 0);
    const stopped = await run('agent-stop', { installPath });
    assert.equal(stopped.code, 0);
    const removed = await run('agent-uninstall', { installPath, jumpcloud });
    assert.equal(removed.code, 0, removed.raw);
    assert.equal(removed.records[0]?.AgentRevoked, true);
    assert.ok(!existsSync(installPath));
  });
});
