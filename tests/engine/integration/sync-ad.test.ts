// The sync's AD half against the real Samba DC: reader → pure planner → applier → writer, for
// every rule of ARCHITECTURE.md's sync section. Desired state is given directly here; the
// JumpCloud side is tested with the sandbox elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readActualState } from '../../../engine/src/ad/directory';
import { encodeAnchor } from '../../../engine/src/ad/names';
import { randomPassword } from '../../../engine/src/ad/writer';
import { apply } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredGroup, type DesiredUser } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { testDc, testDcClient } from '../helpers/testdc';

const id = (n: number) => n.toString(16).padStart(24, 'a');
const user = (n: number, over: Partial<DesiredUser> = {}): DesiredUser => ({
  jcId: id(n),
  username: `u${n}-it`,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  email: `u${n}@example.com`,
  suspended: false,
  ...over,
});
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

describe('sync into AD (Samba)', () => {
  let fx: AdFixture;
  before(async () => {
    fx = await openFixture('jcadi-sync');
  });
  after(async () => {
    await fx?.close();
  });

  it('creates users with attributes, password and enabled state, then plans nothing', async () => {
    const desired = { users: [user(1), user(2, { suspended: true })], groups: [] };
    const { plan, outcome } = await fx.sync(desired, {}, (jcId) => (jcId === id(1) ? 'Initial-Passw0rd!' : 'Other-Passw0rd!9'));
    assert.deepEqual(plan.counts, { createUser: 2 });
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const u1 = await fx.read(`CN=u1-it,${fx.rootDN}`, [
      'givenName',
      'sn',
      'mail',
      'userPrincipalName',
      'userAccountControl',
      'adminDescription',
      'displayName',
    ]);
    assert.equal(first(u1?.givenName), 'First1');
    assert.equal(first(u1?.sn), 'Last1');
    assert.equal(first(u1?.mail), 'u1@example.com');
    assert.equal(first(u1?.userPrincipalName), 'u1-it@example.com');
    assert.equal(first(u1?.displayName), 'First1 Last1');
    assert.equal(Number(first(u1?.userAccountControl)) & 2, 0, 'enabled');
    assert.equal(first(u1?.adminDescription), `JumpCloud:${id(1)}`);
    const u2 = await fx.read(`CN=u2-it,${fx.rootDN}`, ['userAccountControl']);
    assert.equal(Number(first(u2?.userAccountControl)) & 2, 2, 'suspended user created disabled');

    // The password really works: bind as the user over LDAPS.
    const client = testDcClient(5000);
    await client.bind('u1-it@example.com', 'Initial-Passw0rd!');
    await client.unbind();

    const again = await fx.planOnly(desired);
    assert.deepEqual(again.operations, [], 'a second run plans nothing');
  });

  it('renames by anchor: the same AD object (objectGUID) gets the new names', async () => {
    const before = await fx.read(`CN=u1-it,${fx.rootDN}`, ['objectGUID']);
    const { outcome } = await fx.sync({ users: [user(1, { username: 'u1-renamed', lastName: 'Wed' }), user(2, { suspended: true })], groups: [] });
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    assert.equal(await fx.read(`CN=u1-it,${fx.rootDN}`, ['cn']), null);
    const after = await fx.read(`CN=u1-renamed,${fx.rootDN}`, ['objectGUID', 'sAMAccountName', 'userPrincipalName', 'sn']);
    assert.deepEqual(first(after?.objectGUID), first(before?.objectGUID));
    assert.ok(first(before?.objectGUID));
    assert.equal(first(after?.sAMAccountName), 'u1-renamed');
    assert.equal(first(after?.userPrincipalName), 'u1-renamed@example.com');
    assert.equal(first(after?.sn), 'Wed');
  });

  it('disables on suspend, re-enables on activation, and disables (never deletes) out of scope', async () => {
    await fx.sync({ users: [user(1, { username: 'u1-renamed', lastName: 'Wed', suspended: true }), user(2)], groups: [] });
    const u1 = await fx.read(`CN=u1-renamed,${fx.rootDN}`, ['userAccountControl', 'adminDescription']);
    assert.equal(Number(first(u1?.userAccountControl)) & 2, 2);
    assert.equal(first(u1?.adminDescription), `JumpCloud:${id(1)};syncDisabled`);
    const u2 = await fx.read(`CN=u2-it,${fx.rootDN}`, ['userAccountControl']);
    assert.equal(Number(first(u2?.userAccountControl)) & 2, 0, 're-enabled after JumpCloud activation');

    const { plan } = await fx.sync({ users: [user(1, { username: 'u1-renamed', lastName: 'Wed', suspended: true })], groups: [] });
    assert.deepEqual(plan.counts, { disableUser: 1 });
    const gone = await fx.read(`CN=u2-it,${fx.rootDN}`, ['userAccountControl']);
    assert.ok(gone, 'still exists');
    assert.equal(Number(first(gone?.userAccountControl)) & 2, 2);
  });

  it('does not re-enable an account an administrator disabled in AD', async () => {
    const dn = `CN=u2-it,${fx.rootDN}`;
    await fx.sync({ users: [user(2)], groups: [] }, { force: true });
    await fx.set(dn, 'userAccountControl', ['514']); // the admin's offboarding
    const { plan } = await fx.sync({ users: [user(2)], groups: [] }, { force: true });
    assert.ok(plan.operations.some((o) => o.kind === 'skip' && o.code === 'DisabledInAD'));
    assert.equal(Number(first((await fx.read(dn, ['userAccountControl']))?.userAccountControl)) & 2, 2);
  });

  it('mirrors group membership as a global security group', async () => {
    const users = [user(10), user(11), user(12)];
    const group: DesiredGroup = { jcId: id(900), name: 'Engineering-it', description: 'Engineers', memberJcIds: [id(10), id(11)] };
    const { outcome } = await fx.sync({ users, groups: [group] }, { force: true });
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const g = await fx.read(`CN=Engineering-it,${fx.rootDN}`, ['member', 'groupType', 'description']);
    assert.equal(first(g?.groupType), '-2147483646');
    assert.deepEqual(
      [g?.member as string[]]
        .flat()
        .map((m) => m.split(',')[0])
        .sort(),
      ['CN=u10-it', 'CN=u11-it'],
    );

    await fx.sync({ users, groups: [{ ...group, memberJcIds: [id(11), id(12)] }] }, { force: true });
    const g2 = await fx.read(`CN=Engineering-it,${fx.rootDN}`, ['member']);
    assert.deepEqual(
      [g2?.member as string[]]
        .flat()
        .map((m) => m.split(',')[0])
        .sort(),
      ['CN=u11-it', 'CN=u12-it'],
    );
    assert.deepEqual((await fx.planOnly({ users, groups: [{ ...group, memberJcIds: [id(11), id(12)] }] }, { force: true })).operations, []);
  });

  it('leaves adminCount=1 accounts untouched', async () => {
    const dn = `CN=u10-it,${fx.rootDN}`;
    await fx.set(dn, 'adminCount', ['1']);
    const { plan } = await fx.sync({ users: [user(10, { lastName: 'Changed', suspended: true }), user(11), user(12)], groups: [] }, { force: true });
    assert.ok(plan.operations.some((o) => o.kind === 'skip' && o.code === 'Protected'));
    const u = await fx.read(dn, ['sn', 'userAccountControl']);
    assert.equal(first(u?.sn), 'Last10');
    assert.equal(Number(first(u?.userAccountControl)) & 2, 0);
  });

  it('reports a password AD rejects as a clear per-user error; the rest of the run goes on', async () => {
    const { outcome } = await fx.sync({ users: [user(20), user(21)], groups: [] }, { force: true }, (jcId) => (jcId === id(20) ? 'short' : 'Good-Passw0rd!77'));
    assert.equal(outcome?.failed, 1);
    const failure = outcome?.failures[0];
    assert.equal(failure?.error.id, 'AD.ConstraintViolation');
    assert.match(failure?.error.message ?? '', /password does not meet the domain password policy/);
    assert.equal(failure?.error.details.adCode, '0000052D');
    assert.doesNotMatch(JSON.stringify(outcome), /"short"/);
    assert.ok(await fx.read(`CN=u21-it,${fx.rootDN}`, ['cn']), 'the other user was created');
  });

  it('creates exactly the intended objects for hostile names, and nothing else', async () => {
    const hostile: DesiredUser[] = [
      user(30, { username: '#lead', firstName: '*)(cn=*', lastName: ',+"\\<>;=' }),
      user(31, { username: 'sp ace', firstName: 'Zoë', lastName: 'Ångström' }),
      user(32, { username: 'a)(b', firstName: 'x', lastName: 'y' }),
    ];
    const groups: DesiredGroup[] = [{ jcId: id(950), name: '#R&D (EU) ✓', description: '*)(objectClass=*', memberJcIds: hostile.map((u) => u.jcId) }];
    const beforeCount = (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'] })).length;
    const { outcome } = await fx.sync({ users: hostile, groups }, { force: true });
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures.map((f) => f.error.message)));
    const afterEntries = await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['cn', 'givenName', 'sn'] });
    assert.equal(afterEntries.length, beforeCount + 4, 'three users and one group, nothing else');
    const lead = afterEntries.find((e) => first(e.cn) === '#lead');
    assert.equal(first(lead?.givenName), '*)(cn=*');
    assert.equal(first(lead?.sn), ',+"\\<>;=');
    assert.ok(afterEntries.find((e) => first(e.sn) === 'Ångström'));
    const g = afterEntries.find((e) => first(e.cn) === '#R&D (EU) ✓');
    assert.ok(g);
    assert.deepEqual(
      (await fx.planOnly({ users: hostile, groups }, { force: true })).operations.filter((o) => o.kind !== 'skip'),
      [],
    );
  });

  it('an account that appears under the root between the reads is created once: the DC refuses the second, the next run carries on', async () => {
    // A run killed mid-apply leaves its last add with the DC, which may finish it after the next
    // run has read the root: that run finds the name in its domain-wide lookup, under the root.
    const late = user(40);
    const dn = `CN=${late.username},${fx.rootDN}`;
    const users = { users: [late], groups: [] };
    const actual = await readActualState(fx.session, {
      rootDN: fx.rootDN,
      candidateNames: async () => {
        await fx.session.ldapClient.add(dn, {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: late.username,
          userPrincipalName: `${late.username}@example.com`,
          userAccountControl: '514',
          adminDescription: encodeAnchor({ jcId: late.jcId, syncDisabled: true }),
        });
        return [late.username];
      },
    });
    assert.equal(
      actual.users.some((u) => u.dn === dn),
      false,
      'the root was read before the add',
    );
    assert.equal(actual.anchoredOutside?.size, 0, 'not an account moved out of the root');
    const planned = plan(users, actual, { ...DEFAULT_PLAN_OPTIONS, force: true });
    const mine = planned.operations.filter((op) => 'jcId' in op && op.jcId === late.jcId);
    assert.deepEqual(
      mine.map((op) => op.kind),
      ['createUser'],
    );
    const outcome = await apply({ ...planned, operations: mine }, { writer: fx.writer, journal: memoryJournal(), initialPassword: () => randomPassword() });
    assert.equal(outcome.failed, 1);
    assert.equal(outcome.failures[0]?.target, dn);
    assert.match(outcome.failures[0]?.error.message ?? '', /already exists/i);
    const holders = await fx.session.search(testDc().baseDN, {
      scope: 'sub',
      filter: `(sAMAccountName=${late.username})`,
      attributes: ['dn'],
    });
    assert.deepEqual(
      holders.map((e) => e.dn),
      [dn],
      'one account, the one the DC finished',
    );

    const next = await fx.sync(users, { force: true });
    assert.equal(next.outcome?.failed, 0, JSON.stringify(next.outcome?.failures.map((f) => f.error.message)));
    assert.equal(
      next.plan.operations.some((op) => op.kind === 'createUser' || op.kind === 'skip'),
      false,
      'the next run takes the account over',
    );
    assert.equal(Number(first((await fx.read(dn, ['userAccountControl']))?.userAccountControl)) & 2, 0, 'enabled');
  });
});
