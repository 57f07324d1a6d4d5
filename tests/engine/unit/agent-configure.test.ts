// The pure part of agent-configure: which settings change, how the LDAP settings merge, what is
// refused, and that a secret is only ever shown as "(changed)".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentConfigureParamsSchema, planConfigChange } from '../../../engine/src/agent/configure';
import { agentConfigSchema, type AgentConfig } from '../../../engine/src/agent/config';
import { EngineError } from '../../../engine/src/errors';

const sealed = { scheme: 'keyfile-aes256gcm-v1' as const, data: 'c2VhbGVk' };

function installed(overrides: Partial<Record<string, unknown>> = {}): AgentConfig {
  return agentConfigSchema.parse({
    configVersion: 1,
    mode: 'apiKey',
    installedVersion: '1.0.0',
    installedAt: '2026-01-01T00:00:00.000Z',
    serverType: 'dc',
    domainController: 'dc1.example.com',
    ldap: { mode: 'ldaps', port: 636 },
    domain: 'DC=example;DC=com',
    rootUserDN: 'CN=Users;DC=example;DC=com',
    serviceAccount: { bindDN: 'CN=jcsync,CN=Users,DC=example,DC=com', password: sealed },
    jumpcloud: { apiKey: sealed },
    sync: {},
    ...overrides,
  });
}

const opened = { apiKey: 'Current-Api-Key-1234', proxy: undefined };
const plan = (config: AgentConfig, params: Record<string, unknown>, secrets: Parameters<typeof planConfigChange>[2] = opened) =>
  planConfigChange(config, agentConfigureParamsSchema.parse({ installPath: '/opt/jcadi', ...params }), secrets, '/opt/jcadi');
const refusedWith = (id: string, message: RegExp) => (err: unknown) => err instanceof EngineError && err.id === id && message.test(err.message);

describe('agent-configure plan', () => {
  it('lists only the settings that really change, in the next config', () => {
    const result = plan(installed(), {
      sync: { fullReconcileMinutes: 60, offboardPollSeconds: 30, logLevel: 'debug' },
      jumpcloudApiKey: 'Current-Api-Key-1234',
      jumpcloudTimeoutMs: 60_000,
    });
    assert.deepEqual(result.changes, [
      { setting: 'sync.offboardPollSeconds', before: 10, after: 30 },
      { setting: 'sync.logLevel', before: 'info', after: 'debug' },
      { setting: 'jumpcloud.timeoutMs', before: 30_000, after: 60_000 },
    ]);
    assert.equal(result.next.sync.offboardPollSeconds, 30);
    assert.equal(result.next.jumpcloud.timeoutMs, 60_000);
    assert.equal(result.apiKey, null, 'the same key is no change');
    assert.equal(result.checkJumpCloud, false);
    assert.equal(result.checkDomainController, false);
  });

  it('shows a new API key and proxy password only as "(changed)"', () => {
    const result = plan(installed(), {
      jumpcloudApiKey: 'New-Api-Key-5678',
      proxy: { url: 'http://proxy.corp:3128', username: 'svc', password: 'Proxy-Pw-9' },
    });
    assert.equal(result.apiKey, 'New-Api-Key-5678');
    assert.deepEqual(result.proxy, { setting: { url: 'http://proxy.corp:3128', username: 'svc', password: 'Proxy-Pw-9', bypass: [] } });
    assert.ok(result.checkJumpCloud);
    const shown = JSON.stringify(result.changes);
    assert.ok(!shown.includes('New-Api-Key-5678') && !shown.includes('Proxy-Pw-9'), shown);
    assert.deepEqual(
      result.changes.map((c) => [c.setting, c.after]),
      [
        ['jumpcloud.apiKey', '(changed)'],
        ['jumpcloud.proxy', 'http://proxy.corp:3128 user svc'],
        ['jumpcloud.proxy.password', '(changed)'],
      ],
    );
  });

  it('adds or replaces the anchor key, shown only as "(changed)"; the same key is no change; a malformed one is refused', () => {
    const key = Buffer.alloc(32, 9);
    const added = plan(installed(), { anchorKey: key.toString('base64') });
    assert.equal(added.anchorKey, key.toString('base64'));
    assert.deepEqual(added.changes, [{ setting: 'anchorKey', before: null, after: '(changed)' }]);
    assert.ok(!JSON.stringify(added.changes).includes(key.toString('base64')));
    const same = plan(installed(), { anchorKey: key.toString('base64url') }, { ...opened, anchorKey: key });
    assert.equal(same.anchorKey, null);
    assert.deepEqual(same.changes, []);
    const replaced = plan(installed(), { anchorKey: Buffer.alloc(32, 1).toString('base64') }, { ...opened, anchorKey: key });
    assert.deepEqual(replaced.changes, [{ setting: 'anchorKey', before: '(set)', after: '(changed)' }]);
    assert.throws(() => plan(installed(), { anchorKey: 'short' }), /anchor key/);
  });

  it('notices a proxy whose only change is its password', () => {
    const current = { url: 'http://proxy.corp:3128', username: 'svc', password: 'Old-Pw', bypass: [] };
    const result = plan(installed(), { proxy: { ...current, password: 'New-Pw' } }, { apiKey: opened.apiKey, proxy: current });
    assert.deepEqual(result.changes, [{ setting: 'jumpcloud.proxy.password', before: '(set)', after: '(changed)' }]);
    assert.equal(plan(installed(), { proxy: current }, { apiKey: opened.apiKey, proxy: current }).changes.length, 0);
  });

  it('merges the LDAP settings: a new mode drops the old default port, null removes the CA file', () => {
    const config = installed({ ldap: { mode: 'ldaps', port: 636, caFile: '/etc/ca.pem' } });
    const result = plan(config, { ldap: { mode: 'starttls', caFile: null }, domainController: 'dc2.example.com' });
    assert.equal(result.next.ldap.port, undefined);
    assert.equal(result.next.ldap.caFile, undefined);
    assert.equal(result.next.domainController, 'dc2.example.com');
    assert.ok(result.checkDomainController);
    const custom = plan(installed({ ldap: { mode: 'ldaps', port: 3269 } }), { ldap: { mode: 'starttls' } });
    assert.equal(custom.next.ldap.port, 3269, 'a port given at install is kept');
  });

  it('still needs the risk acknowledgement for plain LDAP', () => {
    assert.throws(() => plan(installed(), { ldap: { mode: 'ldap', allowInsecure: true } }), refusedWith('Agent.InsecureLdapNotAcknowledged', /risk/));
    const ok = plan(installed(), { ldap: { mode: 'ldap', allowInsecure: true, insecureRiskAcknowledged: true } });
    assert.equal(ok.next.ldap.mode, 'ldap');
  });

  it('refuses what defines the managed objects, naming the way to change it; the installed value is no change', () => {
    assert.throws(
      () => plan(installed(), { sync: { anchorAttribute: 'extensionAttribute1' } }),
      refusedWith('Agent.SettingNotChangeable', /anchor attribute.*Uninstall-JCSyncAgent/),
    );
    assert.throws(() => plan(installed(), { connectKey: 'a-connect-key' }), refusedWith('Agent.SettingNotChangeable', /New-JCSyncConnectKey/));
    assert.throws(
      () => plan(installed(), { serviceAccount: { bindDN: 'CN=other,CN=Users,DC=example,DC=com' } }),
      refusedWith('Agent.SettingNotChangeable', /Uninstall-JCSyncAgent/),
    );
    assert.throws(() => plan(installed(), { serverType: 'member' }), refusedWith('Agent.ServerTypeChange', /Uninstall-JCSyncAgent/));
    assert.equal(
      plan(installed(), { serverType: 'dc', domain: 'DC=example;DC=com', rootUserDN: 'CN=Users;DC=example;DC=com', mode: 'apiKey' }).changes.length,
      0,
    );
  });

  it('takes the config schema bounds for the sync settings', () => {
    assert.equal(agentConfigureParamsSchema.safeParse({ installPath: '/x', sync: { offboardPollSeconds: 61 } }).success, false);
    assert.equal(agentConfigureParamsSchema.safeParse({ installPath: '/x', sync: { maxDisablePercent: 101 } }).success, false);
    assert.equal(agentConfigureParamsSchema.safeParse({ installPath: '/x', sync: { fullReconcileMinutes: 1440 } }).success, true);
    assert.equal(agentConfigureParamsSchema.safeParse({ installPath: '/x', sync: { safetyWindowHours: 0 } }).success, false);
  });

  it('changes the privileged-group deny list and the safety window, shown as one line each', () => {
    const p = plan(installed(), { sync: { privilegedGroups: ['Tier0 Admins', 'S-1-5-21-1-2-3-1105'], safetyWindowHours: 48 } });
    assert.deepEqual(p.next.sync.privilegedGroups, ['Tier0 Admins', 'S-1-5-21-1-2-3-1105']);
    assert.equal(p.next.sync.safetyWindowHours, 48);
    assert.deepEqual(
      p.changes.find((c) => c.setting === 'sync.safetyWindowHours'),
      { setting: 'sync.safetyWindowHours', before: 24, after: 48 },
    );
    assert.deepEqual(
      p.changes.find((c) => c.setting === 'sync.privilegedGroups'),
      { setting: 'sync.privilegedGroups', before: '', after: 'Tier0 Admins, S-1-5-21-1-2-3-1105' },
    );
    assert.equal(plan(installed(), { sync: { privilegedGroups: [] } }).changes.length, 0, 'the same (empty) list is no change');
  });
});
