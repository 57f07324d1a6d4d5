// Delegation against the real Samba AD DC: a fresh service account fails every task; after the
// grant it passes them all and can really do each one inside the root container (bound as the
// account over LDAPS) and none outside (50); removing one ACE fails exactly that task; the
// password is rotated in AD. Everything lives in this file's random OU.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import { readSecurityDescriptor, SD_FLAG } from '../../../engine/src/ad/security';
import { unicodePwd } from '../../../engine/src/ad/writer';
import { execRequest } from '../../../engine/src/cli/exec';
import { withoutAces } from '../../../engine/src/delegation/assess';
import { encodeSecurityDescriptor } from '../../../engine/src/ad/sd';
import { aceFromSddl } from '../../../engine/src/delegation/sddl';
import { DELEGATION_TASKS, taskById, type TaskId } from '../../../engine/src/delegation/tasks';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, bindAsTestDcUser } from '../helpers/testdc';

type Line = Record<string, unknown> & { type: string; data?: Record<string, unknown> };

async function run(command: string, params: Record<string, unknown>) {
  const out: string[] = [];
  const logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-deleg-')), 'engine.log');
  const code = await execRequest(JSON.stringify({ protocol: 1, command, params, logLevel: 'debug' }), {
    writeLine: (l) => out.push(l),
    env: { JCADI_LOG_FILE: logFile },
  });
  const raw = out.join('');
  const lines = raw
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  return {
    code,
    raw,
    log: readFileSync(logFile, 'utf8'),
    records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
    error: lines.find((l) => l.type === 'error'),
    result: lines.find((l) => l.type === 'result'),
  };
}

const adi = (dn: string) => dn.replace(/,/g, ';');
const ldapCode = async (action: () => Promise<unknown>) =>
  action().then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );

describe('delegation on the test DC', () => {
  let fx: AdFixture;
  let rootDn: string;
  let outsideDn: string;
  let narrowDn: string;
  const sam = `jcs${randomBytes(3).toString('hex')}`;
  const upn = `${sam}@example.com`;
  const firstPassword = `Jc-${randomBytes(9).toString('base64url')}-1a`;
  const rotatedPassword = `Jc-${randomBytes(9).toString('base64url')}-2b`;
  let password = firstPassword;
  const clients: Client[] = [];

  const bindAsAccount = () => bindAsTestDcUser({ sam, password }, clients);

  const test = (root: string, tasks?: TaskId[]) =>
    run('delegation-test', { dc: adminDc(), rootUserDN: adi(root), serviceAccount: sam, ...(tasks ? { tasks } : {}) });
  const grant = (root: string, extra: Record<string, unknown> = {}) =>
    run('delegation-grant', { dc: adminDc(), rootUserDN: adi(root), serviceAccount: sam, ...extra });
  const taskStatus = (records: Array<Record<string, unknown>>) => Object.fromEntries(records.filter((r) => r.Kind === 'Task').map((r) => [r.Check, r.Status]));
  const missingTasks = (records: Array<Record<string, unknown>>) => records.filter((r) => r.Kind === 'Task' && r.Status === 'Missing').map((r) => r.Check);
  let accountSid = '';

  async function removeAce(container: string, sddl: string): Promise<void> {
    const sd = await readSecurityDescriptor(fx.session, container);
    const ace = aceFromSddl(sddl, accountSid);
    const dacl = withoutAces(sd.dacl ?? { revision: 4, aces: [] }, [ace]);
    assert.equal(dacl.aces.length, (sd.dacl?.aces.length ?? 0) - 1, `${sddl} was on ${container}`);
    await fx.writer.setSecurityDescriptor(container, encodeSecurityDescriptor({ ...sd, owner: null, group: null, dacl }), SD_FLAG.Dacl);
  }

  before(async () => {
    fx = await openFixture('jcadi-deleg');
    rootDn = `OU=Root,${fx.rootDN}`;
    outsideDn = `OU=Outside,${fx.rootDN}`;
    narrowDn = `OU=Narrow,${fx.rootDN}`;
    for (const dn of [rootDn, outsideDn, narrowDn]) await fx.session.ldapClient.add(dn, { objectClass: ['top', 'organizationalUnit'] });
    // Objects the account must not touch (outside) and objects it may (narrow), made by the admin.
    for (const parent of [outsideDn, narrowDn]) {
      const tag = parent === outsideDn ? 'out' : 'nar';
      await fx.session.ldapClient.add(`CN=${tag}-user,${parent}`, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: `${tag}${randomBytes(4).toString('hex')}`,
        userAccountControl: '514',
        description: 'before',
      });
      await fx.session.ldapClient.add(`CN=${tag}-group,${parent}`, {
        objectClass: ['top', 'group'],
        sAMAccountName: `${tag}g${randomBytes(4).toString('hex')}`,
        groupType: '-2147483646',
      });
    }
  });

  after(async () => {
    for (const client of clients) await client.unbind().catch(() => undefined);
    await fx?.close();
  });

  it('creates the service account: JumpCloud Sync, password never expires, password never echoed', async () => {
    const { code, records, raw, log } = await run('service-account-create', { dc: adminDc(), container: adi(fx.rootDN), samAccountName: sam, password });
    assert.equal(code, 0, raw);
    const record = records[0] as Record<string, unknown>;
    assert.equal(record.SamAccountName, sam);
    assert.equal(record.DistinguishedName, `CN=JumpCloud Sync,${fx.rootDN}`);
    assert.equal(record.PasswordNeverExpires, true);
    assert.equal(record.Enabled, true);
    const entry = await fx.read(`CN=JumpCloud Sync,${fx.rootDN}`, ['givenName', 'sn', 'userAccountControl', 'userPrincipalName']);
    assert.equal(entry?.givenName, 'JumpCloud');
    assert.equal(entry?.sn, 'Sync');
    assert.equal(entry?.userPrincipalName, upn);
    assert.equal(Number(entry?.userAccountControl), 0x200 | 0x10000);
    assert.equal(raw.includes(password), false);
    assert.equal(log.includes(password), false);
    await (await bindAsAccount()).unbind();
  });

  it('refuses the name JumpCloud, a taken name, and a password AD rejects (leaving nothing behind)', async () => {
    const jumpcloud = await run('service-account-create', { dc: adminDc(), container: adi(fx.rootDN), samAccountName: 'JumpCloud', password });
    assert.equal(jumpcloud.code, 2);
    assert.match(String(jumpcloud.error?.message), /cannot be "JumpCloud"/);

    const taken = await run('service-account-create', { dc: adminDc(), container: adi(outsideDn), samAccountName: sam, password });
    assert.equal(taken.error?.id, 'ServiceAccount.Exists');

    const weak = await run('service-account-create', {
      dc: adminDc(),
      container: adi(outsideDn),
      samAccountName: `${sam}w`,
      givenName: 'Weak',
      password: 'short',
    });
    assert.equal(weak.error?.id, 'AD.ConstraintViolation');
    assert.match(String(weak.error?.message), /password does not meet/);
    assert.equal(await fx.read(`CN=Weak Sync,${outsideDn}`, ['cn']), null);
  });

  it('a fresh account fails every task and passes the account rules', async () => {
    const { code, records, result } = await test(rootDn);
    assert.equal(code, 0);
    accountSid = String((result?.summary as Record<string, unknown>).accountSid);
    assert.match(accountSid, /^S-1-5-21-/);
    assert.deepEqual(taskStatus(records), Object.fromEntries(DELEGATION_TASKS.map((t) => [t.id, 'Missing'])));
    for (const r of records.filter((x) => x.Kind === 'Task')) {
      assert.match(String(r.Remedy), new RegExp(`Grant-JCSyncDelegation -RootUserDN '${adi(rootDn)}' -ServiceAccount '${sam}' -Task ${String(r.Check)}`));
      assert.match(String(r.Remedy), /dsacls "OU=Root,/);
    }
    const reset = records.find((r) => r.Check === 'ResetPasswords');
    assert.match(String(reset?.Detail), /Reset Password extended right/);
    const rules = Object.fromEntries(records.filter((r) => r.Kind === 'Account').map((r) => [r.Check, r.Status]));
    assert.deepEqual(rules, {
      NotPrivileged: 'Pass',
      NotProtected: 'Pass',
      LogonName: 'Pass',
      NotInJumpCloudGroup: 'Pass',
      PasswordNeverExpires: 'Pass',
      Enabled: 'Pass',
    });
  });

  it('whatIf lists the 8 wizard ACEs and changes nothing', async () => {
    const before = await readSecurityDescriptor(fx.session, rootDn);
    const { code, records, result } = await grant(rootDn, { whatIf: true });
    assert.equal(code, 0);
    assert.equal(records.length, 8);
    assert.ok(records.every((r) => r.Action === 'WouldAdd'));
    assert.ok(records.some((r) => r.Ace === `(OA;CIIO;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;${accountSid})`));
    assert.equal((result?.summary as Record<string, unknown>).wouldAdd, 8);
    assert.deepEqual(await readSecurityDescriptor(fx.session, rootDn), before);
  });

  it('grants the 8 ACEs once; a second grant adds nothing and duplicates nothing', async () => {
    const first = await grant(rootDn);
    assert.equal(first.code, 0, first.raw);
    assert.equal(first.records.filter((r) => r.Action === 'Added').length, 8);
    const count = (await readSecurityDescriptor(fx.session, rootDn)).dacl?.aces.length;
    const second = await grant(rootDn);
    assert.equal(second.code, 0);
    assert.equal(second.records.filter((r) => r.Action === 'AlreadyPresent').length, 8);
    assert.equal((second.result?.summary as Record<string, unknown>).added, 0);
    assert.equal((await readSecurityDescriptor(fx.session, rootDn)).dacl?.aces.length, count);
  });

  it('after the grant every task is granted (also when the account checks itself)', async () => {
    assert.deepEqual(missingTasks((await test(rootDn)).records), []);
    const self = await run('delegation-test', { dc: adminDc({ bindDN: upn, bindPassword: password }), rootUserDN: adi(rootDn), serviceAccount: sam });
    assert.equal(self.code, 0, self.raw);
    assert.deepEqual(missingTasks(self.records), []);
  });

  it('the account can really do each task inside the root container', async () => {
    const client = await bindAsAccount();
    const user = `CN=in-user,${rootDn}`;
    const group = `CN=in-group,${rootDn}`;
    const replace = (type: string, values: string[] | Buffer[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
    await client.add(user, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: `in${randomBytes(4).toString('hex')}`,
      userAccountControl: '514',
    });
    await client.modify(user, [replace('unicodePwd', [unicodePwd(`In-${randomBytes(8).toString('hex')}-Aa1`)])]);
    await client.modify(user, [replace('pwdLastSet', ['0'])]);
    await client.modify(user, [replace('userAccountControl', ['512']), replace('description', ['managed'])]);
    const { searchEntries } = await client.search(user, { scope: 'base', attributes: ['description', 'pwdLastSet', 'userAccountControl', 'whenCreated'] });
    assert.equal(searchEntries[0]?.description, 'managed');
    assert.equal(searchEntries[0]?.pwdLastSet, '0');
    assert.equal(searchEntries[0]?.userAccountControl, '512');
    await client.add(group, { objectClass: ['top', 'group'], sAMAccountName: `ing${randomBytes(4).toString('hex')}`, groupType: '-2147483646' });
    await client.modify(group, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [user] }) })]);
    const members = await client.search(group, { scope: 'base', attributes: ['member'] });
    assert.equal(members.searchEntries[0]?.member, user);
    await client.modify(group, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [user] }) })]);
    await client.del(group);
    await client.del(user);
  });

  it('and none of them outside it: 50 insufficient access', async () => {
    const client = await bindAsAccount();
    const user = `CN=out-user,${outsideDn}`;
    const group = `CN=out-group,${outsideDn}`;
    const replace = (type: string, values: string[] | Buffer[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
    const attempts: Record<string, () => Promise<unknown>> = {
      'create user': () =>
        client.add(`CN=new-user,${outsideDn}`, {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: `nu${randomBytes(4).toString('hex')}`,
        }),
      'modify user': () => client.modify(user, [replace('description', ['changed'])]),
      'reset password': () => client.modify(user, [replace('unicodePwd', [unicodePwd(`Out-${randomBytes(8).toString('hex')}-Aa1`)])]),
      'force change at logon': () => client.modify(user, [replace('pwdLastSet', ['0'])]),
      'delete user': () => client.del(user),
      'create group': () =>
        client.add(`CN=new-group,${outsideDn}`, {
          objectClass: ['top', 'group'],
          sAMAccountName: `ng${randomBytes(4).toString('hex')}`,
          groupType: '-2147483646',
        }),
      'change membership': () => client.modify(group, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [user] }) })]),
      'delete group': () => client.del(group),
    };
    for (const [what, attempt] of Object.entries(attempts)) assert.equal(await ldapCode(attempt), 50, what);
    assert.equal((await fx.read(user, ['description']))?.description, 'before');
  });

  it('removing one ACE: the manage tasks fail exactly, with the right message; the others are still granted through full control', async () => {
    for (const task of DELEGATION_TASKS) {
      for (const sddl of task.aces) {
        await removeAce(rootDn, sddl.replace(/;S\)$/, `;${accountSid})`));
        const { records } = await test(rootDn);
        const record = records.find((r) => r.Check === task.id) as Record<string, unknown>;
        if (task.id === 'CreateDeleteManageUsers' || task.id === 'CreateDeleteManageGroups') {
          assert.deepEqual(missingTasks(records), [task.id], sddl);
          const noun = task.id === 'CreateDeleteManageUsers' ? 'user' : 'group';
          assert.match(
            String(record.Detail),
            sddl.includes('CCDC') ? new RegExp(`Create ${noun} objects.*Delete ${noun} objects`) : new RegExp(`Full control \\(GA\\) of ${noun} objects`),
          );
        } else {
          assert.deepEqual(missingTasks(records), [], sddl);
          assert.equal(record.WizardAcesPresent, `${task.aces.length - 1} of ${task.aces.length}`);
          assert.match(String(record.Detail), /through broader permissions/);
        }
        const regrant = await grant(rootDn);
        assert.equal((regrant.result?.summary as Record<string, unknown>).added, 1, sddl);
      }
    }
  });

  it('without create rights the account really cannot create users there', async () => {
    await removeAce(rootDn, `(OA;CI;CCDC;bf967aba-0de6-11d0-a285-00aa003049e2;;${accountSid})`);
    const client = await bindAsAccount();
    assert.equal(
      await ldapCode(() =>
        client.add(`CN=no-create,${rootDn}`, {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: `nc${randomBytes(4).toString('hex')}`,
        }),
      ),
      50,
    );
    assert.equal((await grant(rootDn)).records.filter((r) => r.Action === 'Added').length, 1);
  });

  it('on a container granted only the narrow tasks, removing one ACE fails exactly that task', async () => {
    const narrowTasks: TaskId[] = ['ResetPasswords', 'ReadUserInformation', 'ModifyGroupMembership'];
    const granted = await grant(narrowDn, { tasks: narrowTasks });
    assert.equal(granted.records.filter((r) => r.Action === 'Added').length, 4);
    assert.deepEqual(taskStatus((await test(narrowDn, narrowTasks)).records), {
      ResetPasswords: 'Granted',
      ReadUserInformation: 'Granted',
      ModifyGroupMembership: 'Granted',
    });
    const expected: Record<string, RegExp> = {
      '(OA;CIIO;CR;00299570': /Reset Password extended right/,
      // Reading pwdLastSet stays granted through "Read all user information": only the write is missing.
      '(OA;CIIO;RPWP;bf967a0a': /^Missing: Write pwdLastSet \(WP\)[^;]*\.$/,
      '(OA;CIIO;RP;;': /Read all properties \(RP\) of user objects/,
      '(OA;CIIO;RPWP;bf9679c0': /Read member.*Write member/,
    };
    for (const id of narrowTasks) {
      for (const sddl of taskById(id).aces) {
        await removeAce(narrowDn, sddl.replace(/;S\)$/, `;${accountSid})`));
        const { records } = await test(narrowDn, narrowTasks);
        assert.deepEqual(missingTasks(records), [id], sddl);
        const pattern = Object.entries(expected).find(([prefix]) => sddl.startsWith(prefix))?.[1] as RegExp;
        assert.match(String(records.find((r) => r.Check === id)?.Detail), pattern);
        if (id === 'ResetPasswords' && sddl.includes('00299570')) {
          // And the DC agrees: no reset without the extended right.
          const client = await bindAsAccount();
          const code = await ldapCode(() =>
            client.modify(`CN=nar-user,${narrowDn}`, [
              new Change({
                operation: 'replace',
                modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(`Nr-${randomBytes(8).toString('hex')}-Aa1`)] }),
              }),
            ]),
          );
          assert.equal(code, 50);
        }
        assert.equal((await grant(narrowDn, { tasks: narrowTasks })).records.filter((r) => r.Action === 'Added').length, 1);
      }
    }
    // With the narrow tasks back, the account resets the password of a user it did not create.
    const client = await bindAsAccount();
    await client.modify(`CN=nar-user,${narrowDn}`, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(`Nr-${randomBytes(8).toString('hex')}-Aa1`)] }),
      }),
    ]);
  });

  it('rotates the password in AD: the new one binds, neither password is echoed', async () => {
    const dn = `CN=JumpCloud Sync,${fx.rootDN}`;
    const before = String((await fx.read(dn, ['pwdLastSet']))?.pwdLastSet);
    const { code, records, raw, log } = await run('service-account-rotate', { dc: adminDc(), serviceAccount: sam, newPassword: rotatedPassword });
    assert.equal(code, 0, raw);
    assert.equal(records[0]?.ChangedInAD, true);
    assert.equal(records[0]?.Verified, true);
    for (const secret of [rotatedPassword, firstPassword]) {
      assert.equal(raw.includes(secret), false);
      assert.equal(log.includes(secret), false);
    }
    assert.ok(BigInt(String((await fx.read(dn, ['pwdLastSet']))?.pwdLastSet)) > BigInt(before), 'pwdLastSet moved: AD holds a new password');
    password = rotatedPassword;
    await bindAsAccount();
  });

  it('refuses a new password AD rejects, and the current one keeps working', async () => {
    const { code, error, raw } = await run('service-account-rotate', { dc: adminDc(), serviceAccount: sam, newPassword: 'short' });
    assert.equal(code, 1, raw);
    assert.equal(error?.id, 'AD.ConstraintViolation');
    await bindAsAccount();
  });

  it('names an unknown account and a missing root container', async () => {
    const unknown = await run('delegation-test', { dc: adminDc(), rootUserDN: adi(rootDn), serviceAccount: 'nobody-here' });
    assert.equal(unknown.code, 2);
    assert.equal(unknown.error?.id, 'ServiceAccount.NotFound');
    const missing = await run('delegation-grant', { dc: adminDc(), rootUserDN: adi(`OU=Nowhere,${fx.rootDN}`), serviceAccount: sam });
    assert.equal(missing.error?.id, 'RootDN.NotFound');
    const invalid = await run('delegation-test', { dc: adminDc(), rootUserDN: rootDn, serviceAccount: sam });
    assert.equal(invalid.error?.id, 'RootDN.Invalid');
  });
});
