// Password policy alignment and the prerequisite checklist against the real Samba DC and an
// in-process JumpCloud sandbox. The DC's domain password policy is changed only for the moment of
// one command and restored in a finally (the DC is shared).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change } from 'ldapts';
import { execRequest } from '../../../engine/src/cli/exec';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

type Line = Record<string, unknown> & { type: string; data?: Record<string, unknown> };

async function run(command: string, params: Record<string, unknown>) {
  const out: string[] = [];
  const code = await execRequest(JSON.stringify({ protocol: 1, command, params }), {
    writeLine: (l) => out.push(l),
    env: { JCADI_LOG_FILE: join(mkdtempSync(join(tmpdir(), 'jcadi-prereq-')), 'engine.log') },
  });
  const raw = out.join('');
  const lines = raw
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  return {
    code,
    raw,
    lines,
    records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
    error: lines.find((l) => l.type === 'error'),
  };
}

const adi = (dn: string) => dn.replace(/,/g, ';');
const byItem = (records: Array<Record<string, unknown>>) => Object.fromEntries(records.map((r) => [r.Item, r]));

describe('password policy alignment and prerequisites', () => {
  const info = testDc();
  let sb: TestSandbox;
  let fx: AdFixture;
  let jumpcloud: Record<string, unknown>;
  let rootDn: string;
  const sam = `jcp${randomBytes(3).toString('hex')}`;

  /** Runs `action` with the domain policy at minPwdLength 10 + complexity, then restores the values found. */
  async function withDomainPolicy<T>(action: () => Promise<T>): Promise<T> {
    const head = await fx.session.readObject(info.baseDN, ['minPwdLength', 'pwdProperties']);
    const saved = { minPwdLength: String(head?.minPwdLength), pwdProperties: String(head?.pwdProperties) };
    assert.match(saved.minPwdLength, /^\d+$/);
    const set = (values: Record<string, string>) =>
      fx.session.ldapClient.modify(
        info.baseDN,
        Object.entries(values).map(([type, value]) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) })),
      );
    await set({ minPwdLength: '10', pwdProperties: String(Number(saved.pwdProperties) | 1) });
    try {
      return await action();
    } finally {
      await set(saved);
    }
  }

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('jcadi-prereq');
    rootDn = `OU=Root,${fx.rootDN}`;
    await fx.session.ldapClient.add(rootDn, { objectClass: ['top', 'organizationalUnit'] });
    jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    await sb.admin('POST', '/domains', { domain: info.adiDomain });
    await sb.admin('POST', '/users', {
      username: 'pre.named',
      email: 'pre.named@example.com',
      firstname: 'Pia',
      lastname: 'Named',
      bindToDomain: info.adiDomain,
    });
    await sb.admin('POST', '/users', { username: 'pre.noname', email: 'pre.noname@example.com', firstname: 'Nora', bindToDomain: info.adiDomain });
    await sb.admin('POST', '/users', {
      username: 'administrator',
      email: 'administrator@example.com',
      firstname: 'Admin',
      lastname: 'Istrator',
      bindToDomain: info.adiDomain,
    });
    const created = await run('service-account-create', {
      dc: adminDc(),
      container: adi(fx.rootDN),
      samAccountName: sam,
      password: `Pq-${randomBytes(9).toString('base64url')}-9z`,
    });
    assert.equal(created.code, 0, created.raw);
    const granted = await run('delegation-grant', { dc: adminDc(), rootUserDN: adi(rootDn), serviceAccount: sam });
    assert.equal(granted.code, 0, granted.raw);
  });

  after(async () => {
    await fx?.close();
    await sb?.close();
  });

  it('AD at 10 characters + complexity, JumpCloud at 8 without symbols: names both mismatches', async () => {
    const policy = await sb.call('PUT', '/sandbox/admin/password-policy', { minLength: 8, enableMinLength: true, needsSymbolic: false });
    assert.equal(policy.status, 200);
    const { code, records, raw } = await withDomainPolicy(() => run('policy-alignment', { jumpcloud, dc: adminDc(), rootUserDN: adi(rootDn) }));
    assert.equal(code, 0, raw);
    const domain = Object.fromEntries(records.filter((r) => r.AdPolicy === 'Domain policy').map((r) => [r.Rule, r]));
    assert.equal(domain.MinimumLength?.Status, 'Mismatch');
    assert.match(String(domain.MinimumLength?.Detail), /8 characters.*shorter than 10/);
    assert.match(String(domain.MinimumLength?.ChangeInJumpCloud), /minimum length to 10/);
    assert.match(String(domain.MinimumLength?.ChangeInActiveDirectory), /minPwdLength.*to 8/);
    assert.equal(domain.Complexity?.Status, 'Mismatch');
    assert.match(String(domain.Complexity?.Detail), /username/);
    assert.ok(domain.Complexity?.ChangeInJumpCloud);
    assert.ok(domain.Complexity?.ChangeInActiveDirectory);
    assert.deepEqual(
      records
        .filter((r) => r.Status === 'Mismatch')
        .map((r) => r.Rule)
        .sort(),
      ['Complexity', 'MinimumLength'],
    );

    // The policy is back as it was, and with it the length rule.
    const restored = await fx.session.readObject(info.baseDN, ['minPwdLength']);
    assert.notEqual(String(restored?.minPwdLength), '10');
  });

  it('a JumpCloud policy at least as strict leaves no mismatch', async () => {
    await sb.call('PUT', '/sandbox/admin/password-policy', { minLength: 12, needsSymbolic: true, allowUsernameSubstring: false });
    const { records } = await withDomainPolicy(() => run('policy-alignment', { jumpcloud, dc: adminDc() }));
    assert.deepEqual(
      records.filter((r) => r.Status === 'Mismatch'),
      [],
    );
    assert.equal(records.find((r) => r.Rule === 'Complexity')?.Status, 'Warning');
    await sb.call('PUT', '/sandbox/admin/password-policy', { minLength: 8, needsSymbolic: false, allowUsernameSubstring: true });
  });

  it('runs the whole checklist: one result per item with Pass, Warn or Fail and a remedy', async () => {
    const { code, records, raw } = await run('prerequisites', { dc: adminDc(), rootUserDN: adi(rootDn), serviceAccount: sam, jumpcloud });
    assert.equal(code, 0, raw);
    const items = byItem(records);
    const status = (id: string) => items[id]?.Status;
    assert.equal(status('Host.OperatingSystem'), 'Warn', 'a Linux test host cannot be the agent host');
    for (const id of ['JumpCloud.Reachable', 'JumpCloud.Domain', 'RootDN.Valid', 'DC.Ldaps', 'DC.Bind', 'RootDN.Exists', 'ServiceAccount.Exists'])
      assert.equal(status(id), 'Pass', `${id}: ${String(items[id]?.Detail)}`);
    for (const id of ['NotPrivileged', 'NotProtected', 'LogonName', 'NotInJumpCloudGroup', 'PasswordNeverExpires', 'Enabled'])
      assert.equal(status(`ServiceAccount.${id}`), 'Pass', id);
    for (const id of ['CreateDeleteManageUsers', 'ResetPasswords', 'ReadUserInformation', 'CreateDeleteManageGroups', 'ModifyGroupMembership'])
      assert.equal(status(`Delegation.${id}`), 'Pass', id);
    assert.match(String(items['DC.Ldaps']?.Detail), /TLS.*valid until/);
    assert.equal(status('PasswordPolicy.Alignment'), 'Fail', 'JumpCloud allows the username in a password; AD complexity does not');
    assert.match(String(items['PasswordPolicy.Alignment']?.Remedy), /Test-JCPasswordPolicyAlignment/);
    assert.equal(status('Users.FirstAndLastName'), 'Fail');
    assert.match(String(items['Users.FirstAndLastName']?.Detail), /pre\.noname/);
    assert.doesNotMatch(String(items['Users.FirstAndLastName']?.Detail), /pre\.named/);
    assert.equal(status('Users.Protected'), 'Warn');
    assert.match(String(items['Users.Protected']?.Detail), /Administrator/i);
    for (const r of records) if (r.Status !== 'Pass') assert.ok(r.Remedy, `${String(r.Item)} has a remedy`);
  });

  it('reports a missing delegation task with the command that grants it', async () => {
    // A sibling of the granted root: it inherits none of the grant.
    const other = `OU=Ungranted,${fx.rootDN}`;
    await fx.session.ldapClient.add(other, { objectClass: ['top', 'organizationalUnit'] });
    const { records } = await run('prerequisites', { dc: adminDc(), rootUserDN: adi(other), serviceAccount: sam });
    const items = byItem(records);
    assert.equal(items['Delegation.ResetPasswords']?.Status, 'Fail');
    assert.match(
      String(items['Delegation.ResetPasswords']?.Remedy),
      new RegExp(`Grant-JCSyncDelegation -RootUserDN '${adi(other)}' -ServiceAccount '${sam}' -Task ResetPasswords`),
    );
    assert.equal(items['JumpCloud.Reachable']?.Status, 'Warn');
    assert.match(String(items['JumpCloud.Reachable']?.Detail), /^Not checked/);
  });

  it('keeps going when JumpCloud or the DC cannot be reached, saying what was not checked', async () => {
    const { code, records } = await run('prerequisites', {
      dc: adminDc({ bindPassword: 'Wrong-Password-1x' }),
      rootUserDN: adi(rootDn),
      serviceAccount: sam,
      jumpcloud: { ...jumpcloud, baseUrl: 'https://127.0.0.1:1', timeoutMs: 2000 },
    });
    assert.equal(code, 0);
    const items = byItem(records);
    assert.equal(items['JumpCloud.Reachable']?.Status, 'Fail');
    assert.match(String(items['JumpCloud.Reachable']?.Remedy), /port 1/);
    assert.equal(items['DC.Bind']?.Status, 'Fail');
    assert.equal(items['DC.Ldaps']?.Status, 'Pass');
    for (const id of ['RootDN.Exists', 'ServiceAccount.Exists', 'PasswordPolicy.Alignment', 'Users.FirstAndLastName']) {
      assert.equal(items[id]?.Status, 'Warn', id);
      assert.match(String(items[id]?.Detail), /^Not checked/, id);
    }
  });
});
