import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PLAN_OPTIONS, type DesiredState, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { type ActualState, type AdGroup, type AdUser } from '../../../engine/src/ad/model';
import { anchorValues, decodeAnchor, encodeAnchor } from '../../../engine/src/ad/names';
import { plan } from '../../../engine/src/sync/planner';

const ROOT = 'OU=Corporate Users,DC=example,DC=com';
const id = (n: number) => n.toString(16).padStart(24, '0');

function jcUser(n: number, over: Partial<DesiredUser> = {}): DesiredUser {
  return { jcId: id(n), username: `user${n}`, firstName: `First${n}`, lastName: `Last${n}`, email: `user${n}@example.com`, suspended: false, ...over };
}

function adUser(n: number, over: Partial<AdUser> = {}): AdUser {
  const u = jcUser(n);
  return {
    dn: `CN=${u.username},${ROOT}`,
    anchor: { jcId: u.jcId, syncDisabled: false, offboarded: false },
    foreignAnchor: false,
    cn: u.username,
    sAMAccountName: u.username,
    userPrincipalName: `${u.username}@example.com`,
    givenName: u.firstName,
    sn: u.lastName,
    displayName: `${u.firstName} ${u.lastName}`,
    mail: u.email ?? '',
    disabled: false,
    passwordSet: true,
    protected: false,
    critical: false,
    proof: 'unchecked',
    ...over,
  };
}

function adGroup(name: string, jcId: string | null, members: string[], over: Partial<AdGroup> = {}): AdGroup {
  return {
    dn: `CN=${name},${ROOT}`,
    anchor: jcId ? { jcId, syncDisabled: false, offboarded: false } : null,
    foreignAnchor: false,
    cn: name,
    sAMAccountName: name,
    description: '',
    members,
    protected: false,
    critical: false,
    proof: 'unchecked',
    ...over,
  };
}

function actual(users: AdUser[] = [], groups: AdGroup[] = [], elsewhere: Array<[string, string]> = []): ActualState {
  const accountNames = new Map<string, string>(elsewhere.map(([n, dn]) => [n.toLowerCase(), dn]));
  for (const o of [...users, ...groups]) accountNames.set(o.sAMAccountName.toLowerCase(), o.dn);
  const principalNames = new Map<string, string>(users.map((u) => [u.userPrincipalName.toLowerCase(), u.dn]));
  return { rootDN: ROOT, upnSuffix: 'example.com', users, groups, accountNames, principalNames };
}

const kinds = (ops: PlanOp[]) => ops.map((o) => o.kind);
const run = (d: DesiredState, a: ActualState, o = {}) => plan(d, a, { ...DEFAULT_PLAN_OPTIONS, ...o });

describe('planner: users', () => {
  it('creates new in-scope users with all mapped attributes', () => {
    const p = run({ users: [jcUser(1)], groups: [] }, actual());
    assert.deepEqual(kinds(p.operations), ['createUser']);
    const op = p.operations[0] as Extract<PlanOp, { kind: 'createUser' }>;
    assert.equal(op.dn, `CN=user1,${ROOT}`);
    assert.deepEqual(op.attributes, {
      cn: 'user1',
      sAMAccountName: 'user1',
      userPrincipalName: 'user1@example.com',
      givenName: 'First1',
      sn: 'Last1',
      displayName: 'First1 Last1',
      mail: 'user1@example.com',
    });
    assert.equal(op.enabled, true);
  });

  it('plans nothing when AD already matches (idempotent)', () => {
    const p = run({ users: [jcUser(1), jcUser(2)], groups: [] }, actual([adUser(1), adUser(2)]));
    assert.deepEqual(p.operations, []);
  });

  it('updates changed attributes with before and after', () => {
    const p = run({ users: [jcUser(1, { lastName: 'Married', email: 'new@example.com' })], groups: [] }, actual([adUser(1)]));
    const op = p.operations[0] as Extract<PlanOp, { kind: 'updateUser' }>;
    assert.equal(op.kind, 'updateUser');
    assert.deepEqual(op.changes, [
      { attribute: 'sn', before: 'Last1', after: 'Married' },
      { attribute: 'displayName', before: 'First1 Last1', after: 'First1 Married' },
      { attribute: 'mail', before: 'user1@example.com', after: 'new@example.com' },
    ]);
  });

  it('renames by anchor: same object, new RDN, sAMAccountName and UPN planned together in the rename', () => {
    const p = run({ users: [jcUser(1, { username: 'renamed1' })], groups: [] }, actual([adUser(1)]));
    assert.deepEqual(kinds(p.operations), ['renameUser'], 'no separate logon-name update that could fail after the DN changed');
    const rename = p.operations[0] as Extract<PlanOp, { kind: 'renameUser' }>;
    assert.equal(rename.newDn, `CN=renamed1,${ROOT}`);
    assert.deepEqual(rename.logonNames, {
      after: { sAMAccountName: 'renamed1', userPrincipalName: 'renamed1@example.com' },
      before: { sAMAccountName: 'user1', userPrincipalName: 'user1@example.com' },
    });
  });

  it('disables a suspended user and re-enables it when JumpCloud activates it again', () => {
    const p1 = run({ users: [jcUser(1, { suspended: true })], groups: [] }, actual([adUser(1)]));
    assert.deepEqual(kinds(p1.operations), ['disableUser']);
    const p2 = run({ users: [jcUser(1)], groups: [] }, actual([adUser(1, { disabled: true, anchor: { jcId: id(1), syncDisabled: true, offboarded: false } })]));
    assert.deepEqual(kinds(p2.operations), ['enableUser']);
  });

  it('never re-enables an account an administrator disabled in AD; reports it', () => {
    const p = run({ users: [jcUser(1)], groups: [] }, actual([adUser(1, { disabled: true })]));
    assert.deepEqual(kinds(p.operations), ['skip']);
    assert.equal((p.operations[0] as Extract<PlanOp, { kind: 'skip' }>).code, 'DisabledInAD');
  });

  it('keeps the offboarded mark: never re-enables, re-disables or rewrites the anchor of an offboarded account', () => {
    const offboarded = adUser(1, { disabled: true, anchor: { jcId: id(1), syncDisabled: false, offboarded: true } });
    const reactivated = run({ users: [jcUser(1)], groups: [] }, actual([offboarded]));
    assert.deepEqual(kinds(reactivated.operations), ['skip'], 'reactivated in JumpCloud: the AD account stays disabled');
    const skip = reactivated.operations[0] as Extract<PlanOp, { kind: 'skip' }>;
    assert.equal(skip.code, 'DisabledInAD');
    assert.match(skip.reason, /offboard/);
    assert.deepEqual(
      run({ users: [jcUser(1, { suspended: true })], groups: [] }, actual([offboarded])).operations,
      [],
      'suspended in JumpCloud: nothing to do',
    );
    assert.deepEqual(run({ users: [], groups: [] }, actual([offboarded])).operations, [], 'out of scope: already disabled');
    const changed = run({ users: [jcUser(1, { suspended: true, lastName: 'Leaver', username: 'user1b' })], groups: [] }, actual([offboarded]));
    assert.deepEqual(kinds(changed.operations), ['renameUser', 'updateUser'], 'attribute changes still flow, without an anchor rewrite or an enable');
    assert.deepEqual(
      (changed.operations[1] as Extract<PlanOp, { kind: 'updateUser' }>).changes.map((c) => c.attribute),
      ['sn', 'displayName'],
    );
    assert.equal((changed.operations[1] as Extract<PlanOp, { kind: 'updateUser' }>).adopt, false);
  });

  it('treats a marked account an administrator enabled again like any enabled account', () => {
    const enabledAgain = adUser(1, { anchor: { jcId: id(1), syncDisabled: false, offboarded: true } });
    assert.deepEqual(run({ users: [jcUser(1)], groups: [] }, actual([enabledAgain])).operations, []);
    assert.deepEqual(
      kinds(run({ users: [jcUser(1, { suspended: true })], groups: [] }, actual([enabledAgain])).operations),
      ['disableUser'],
      'a suspension disables it (the sync writes a fresh ;syncDisabled anchor)',
    );
    assert.equal(encodeAnchor({ jcId: id(1), syncDisabled: true }), `JumpCloud:${id(1)};syncDisabled`, 'what the disable writes: the stale mark is gone');
  });

  it('disables users removed from scope and never deletes them', () => {
    const p = run({ users: [jcUser(1)], groups: [] }, actual([adUser(1), adUser(2)]));
    assert.deepEqual(kinds(p.operations), ['disableUser']);
    assert.equal(p.operations[0]?.kind === 'disableUser' && p.operations[0].jcId, id(2));
    assert.ok(!kinds(p.operations).some((k) => k.startsWith('delete')));
  });

  it('never touches protected accounts (adminCount=1), anchored or not', () => {
    const p = run(
      { users: [jcUser(1, { lastName: 'X' }), jcUser(3, { username: 'administrator' })], groups: [] },
      actual([
        adUser(1, { protected: true }),
        adUser(2, { protected: true }),
        adUser(9, { anchor: null, cn: 'administrator', sAMAccountName: 'Administrator', dn: `CN=Administrator,${ROOT}`, protected: true }),
      ]),
    );
    assert.deepEqual(kinds(p.operations), ['skip', 'skip']);
    assert.ok(p.operations.every((o) => o.kind === 'skip' && o.code === 'Protected'));
  });

  it('reports an unanchored account with the same name as a conflict, adopting it only when asked', () => {
    const a = actual([adUser(1, { anchor: null, sn: 'Old' })]);
    const p = run({ users: [jcUser(1)], groups: [] }, a);
    assert.equal(p.operations[0]?.kind === 'skip' && p.operations[0].code, 'Conflict');
    const adopted = run({ users: [jcUser(1)], groups: [] }, a, { adoptUnanchored: true });
    const op = adopted.operations[0] as Extract<PlanOp, { kind: 'updateUser' }>;
    assert.equal(op.kind, 'updateUser');
    assert.equal(op.adopt, true);
    assert.deepEqual(
      op.changes.map((c) => c.attribute),
      ['sn'],
    );
  });

  it('never overwrites an anchor attribute someone else uses', () => {
    const p = run({ users: [jcUser(1)], groups: [] }, actual([adUser(1, { anchor: null, foreignAnchor: true })]), { adoptUnanchored: true });
    assert.equal(p.operations[0]?.kind === 'skip' && p.operations[0].code, 'Conflict');
  });

  it('skips a name taken elsewhere in the domain', () => {
    const p = run({ users: [jcUser(1, { username: 'krbtgt' })], groups: [] }, actual([], [], [['krbtgt', 'CN=krbtgt,CN=Users,DC=example,DC=com']]));
    assert.equal(p.operations[0]?.kind === 'skip' && p.operations[0].code, 'NameTaken');
  });

  it('skips users AD cannot hold, each with its reason', () => {
    const p = run(
      {
        users: [
          jcUser(1, { lastName: '' }),
          jcUser(2, { firstName: ' ', lastName: '' }),
          jcUser(3, { username: 'a'.repeat(22) }),
          jcUser(4, { username: 'bad*name' }),
          jcUser(5, { username: 'dot.' }),
          jcUser(6, { username: 'USER1' }),
        ],
        groups: [],
      },
      actual(),
    );
    const reasons = p.operations.filter((o) => o.kind === 'skip').map((o) => (o.kind === 'skip' ? `${o.code}: ${o.reason}` : ''));
    assert.ok(reasons.some((r) => /MissingName: has no last name/.test(r)));
    assert.ok(reasons.some((r) => /MissingName: has no first name and no last name/.test(r)));
    assert.ok(reasons.some((r) => /InvalidUsername: .*22 characters long; AD allows at most 20/.test(r)));
    assert.ok(reasons.some((r) => /InvalidUsername: .*contains '\*'/.test(r)));
    assert.ok(reasons.some((r) => /ends with a period/.test(r)));
    assert.ok(reasons.some((r) => /DuplicateInJumpCloud/.test(r)));
  });

  it('escapes hostile names in DNs', () => {
    const p = run({ users: [], groups: [{ jcId: id(50), name: '#Sales, "EU" + <R&D>', description: '', memberJcIds: [] }] }, actual());
    assert.equal(p.operations[0]?.kind === 'skip' && p.operations[0].code, 'InvalidGroupName');
    const q = run({ users: [jcUser(1, { username: ' lead' })], groups: [{ jcId: id(51), name: '#Ops & R(D)', description: '', memberJcIds: [] }] }, actual());
    const create = q.operations.find((o) => o.kind === 'createGroup') as Extract<PlanOp, { kind: 'createGroup' }>;
    assert.equal(create.dn, `CN=\\#Ops & R(D),${ROOT}`);
    assert.ok(q.operations.some((o) => o.kind === 'skip' && o.code === 'InvalidUsername'));
  });
});

describe('planner: groups and membership', () => {
  const g = (members: number[], over = {}) => ({ jcId: id(100), name: 'Engineering', description: 'Eng', memberJcIds: members.map(id), ...over });

  it('creates the group and adds members, creating users first', () => {
    const p = run({ users: [jcUser(1), jcUser(2)], groups: [g([1, 2])] }, actual());
    assert.deepEqual(kinds(p.operations), ['createGroup', 'createUser', 'createUser', 'addMember', 'addMember']);
  });

  it('mirrors membership: adds and removes, keeps protected members', () => {
    const admin = `CN=Administrator,CN=Users,DC=example,DC=com`;
    const a = actual(
      [adUser(1), adUser(2), adUser(3)],
      [adGroup('Engineering', id(100), [`CN=user1,${ROOT}`, `CN=user3,${ROOT}`, admin], { description: 'Eng' })],
    );
    a.users.push(adUser(8, { dn: admin, cn: 'Administrator', sAMAccountName: 'Administrator', anchor: null, protected: true }));
    const p = run({ users: [jcUser(1), jcUser(2), jcUser(3)], groups: [g([1, 2])] }, a);
    assert.deepEqual(kinds(p.operations), ['addMember', 'removeMember']);
    assert.equal((p.operations[0] as Extract<PlanOp, { kind: 'addMember' }>).member, 'user2');
    assert.equal((p.operations[1] as Extract<PlanOp, { kind: 'removeMember' }>).member, 'user3');
  });

  it('keeps the memberships of a managed user whose JumpCloud record became unsyncable', () => {
    const a = actual([adUser(1)], [adGroup('Engineering', id(100), [`CN=user1,${ROOT}`], { description: 'Eng' })]);
    const p = run({ users: [jcUser(1, { lastName: '' })], groups: [g([1])] }, a);
    assert.deepEqual(kinds(p.operations), ['skip']);
  });

  it('keeps membership of a renamed user without remove and re-add', () => {
    const a = actual([adUser(1)], [adGroup('Engineering', id(100), [`CN=user1,${ROOT}`], { description: 'Eng' })]);
    const p = run({ users: [jcUser(1, { username: 'new1' })], groups: [g([1])] }, a);
    assert.deepEqual(kinds(p.operations), ['renameUser']);
  });

  it('renames a group by anchor; a group no longer bound is emptied of managed members and marked, never deleted', () => {
    const a = actual([adUser(1)], [adGroup('Eng', id(100), [], { description: 'Eng' }), adGroup('Old', id(101), [`CN=user1,${ROOT}`, `CN=manual,${ROOT}`])]);
    const p = run({ users: [jcUser(1)], groups: [g([])] }, a);
    // The sAMAccountName changes with the rename (one step, written first), not in an update after it.
    assert.deepEqual(kinds(p.operations), ['renameGroup', 'removeMember', 'unbindGroup']);
    assert.deepEqual((p.operations[0] as Extract<PlanOp, { kind: 'renameGroup' }>).accountName, { before: 'Eng', after: 'Engineering' });
    assert.equal((p.operations[1] as { memberDn: string }).memberDn, `CN=user1,${ROOT}`, 'only the member the sync manages is removed');
    // Marked: nothing more while it stays unbound; bound again: the mark is cleared, members come back.
    const unbound = actual(
      [adUser(1)],
      [adGroup('Old', id(101), [`CN=manual,${ROOT}`], { anchor: { jcId: id(101), syncDisabled: false, offboarded: false, unbound: true } })],
    );
    assert.deepEqual(kinds(run({ users: [jcUser(1)], groups: [] }, unbound).operations), []);
    const again = run({ users: [jcUser(1)], groups: [{ jcId: id(101), name: 'Old', description: '', memberJcIds: [id(1)] }] }, unbound);
    assert.deepEqual(kinds(again.operations), ['rebindGroup', 'addMember'], 'CN=manual is no object read under the root: left alone');
  });
  it('empties a group that left the scope of a member renamed in the same plan at its new DN (removals run after renames)', () => {
    const a = actual([adUser(1), adUser(2)], [adGroup('Old', id(101), [`CN=user1,${ROOT}`, `CN=user2,${ROOT}`])]);
    const p = run({ users: [jcUser(1, { username: 'renamed1' }), jcUser(2)], groups: [] }, a);
    assert.deepEqual(kinds(p.operations), ['renameUser', 'removeMember', 'removeMember', 'unbindGroup']);
    const removed = p.operations.filter((op) => op.kind === 'removeMember').map((op) => (op as { memberDn: string }).memberDn);
    assert.deepEqual(removed.sort(), [`CN=renamed1,${ROOT}`, `CN=user2,${ROOT}`]);
    assert.ok(
      p.operations.some((op) => op.kind === 'removeMember' && op.member === 'renamed1'),
      'named as it is called when the removal runs',
    );
  });
});

describe('planner: safety and selection', () => {
  it('refuses a plan that disables too many, unless forced', () => {
    const users = Array.from({ length: 40 }, (_, i) => adUser(i + 1));
    const keep = Array.from({ length: 20 }, (_, i) => jcUser(i + 1));
    const p = run({ users: keep, groups: [] }, actual(users));
    assert.match(p.refusal ?? '', /20 of 40 managed objects \(50%\)/);
    assert.equal(run({ users: keep, groups: [] }, actual(users), { force: true }).refusal, null);
    assert.match(run({ users: keep, groups: [] }, actual(users), { maxDisableCount: 5, maxDisablePercent: 100 }).refusal ?? '', /more than the limit of 5/);
  });

  it('plans a single user on demand, with the group it needs', () => {
    const p = run({ users: [jcUser(1), jcUser(2)], groups: [{ jcId: id(100), name: 'Eng', description: '', memberJcIds: [id(1), id(2)] }] }, actual(), {
      onlyUser: 'user2',
    });
    assert.deepEqual(kinds(p.operations), ['createGroup', 'createUser', 'addMember']);
  });
});

describe('anchor codec', () => {
  it('round-trips and recognises foreign values', () => {
    assert.deepEqual(decodeAnchor(encodeAnchor({ jcId: id(7), syncDisabled: true })), { jcId: id(7), syncDisabled: true, offboarded: false });
    assert.equal(decodeAnchor(''), null);
    assert.equal(decodeAnchor('Group_1234'), 'foreign');
  });

  it('reads and writes the offboarded mark, alone or after syncDisabled, and nothing else', () => {
    assert.equal(encodeAnchor({ jcId: id(7), syncDisabled: false, offboarded: true }), `JumpCloud:${id(7)};offboarded`);
    assert.deepEqual(decodeAnchor(`JumpCloud:${id(7)};offboarded`), { jcId: id(7), syncDisabled: false, offboarded: true });
    assert.deepEqual(decodeAnchor(`JumpCloud:${id(7)};syncDisabled;offboarded`), { jcId: id(7), syncDisabled: true, offboarded: true });
    assert.deepEqual(decodeAnchor(`JumpCloud:${id(7)}`), { jcId: id(7), syncDisabled: false, offboarded: false });
    for (const odd of [
      `JumpCloud:${id(7)};offboarded;syncDisabled`,
      `JumpCloud:${id(7)};offboarded;offboarded`,
      `JumpCloud:${id(7)};Offboarded`,
      `JumpCloud:${id(7)};offboarded;`,
      `JumpCloud:${id(7)};retired`,
    ]) {
      assert.equal(decodeAnchor(odd), 'foreign', odd);
    }
    const values = anchorValues(id(7));
    assert.deepEqual(values, [
      `JumpCloud:${id(7)}`,
      `JumpCloud:${id(7)};offboarded`,
      `JumpCloud:${id(7)};syncDisabled`,
      `JumpCloud:${id(7)};syncDisabled;offboarded`,
    ]);
    for (const value of values) assert.equal((decodeAnchor(value) as { jcId: string }).jcId, id(7), `${value} is ours`);
  });
});
