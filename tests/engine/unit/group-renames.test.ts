// Rename chains and cycles among groups (sync/renames.ts through the planner): two bound groups
// that swap names in JumpCloud, a three-group rotation, a chain, and a rename onto the name of a
// group that left the scope (kept, unbound, still holding its name) resolve through temporary
// names; a run killed after any single AD write converges on the next run; no group is created or
// deleted on the way (each keeps its object, so its objectGUID and SID). AD is modelled in memory
// here; the real DC is used by tests/engine/integration/sync-renames.test.ts and the fault suite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActualState, AdGroup, AdUser } from '../../../engine/src/ad/model';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import { apply, type DirectoryWriter } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredGroup, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { tempNameOf } from '../../../engine/src/sync/renames';

const ROOT = 'OU=Corp,DC=example,DC=com';
const gid = (n: number) => n.toString(16).padStart(24, 'a');
const uid = (n: number) => n.toString(16).padStart(24, '0');
const member: DesiredUser = { jcId: uid(1), username: 'mia', firstName: 'M', lastName: 'A', email: null, suspended: false };
const MEMBER_DN = `CN=mia,${ROOT}`;
const adMember = (): AdUser => ({
  dn: MEMBER_DN,
  anchor: { jcId: uid(1), syncDisabled: false, offboarded: false },
  foreignAnchor: false,
  cn: 'mia',
  sAMAccountName: 'mia',
  userPrincipalName: 'mia@example.com',
  givenName: 'M',
  sn: 'A',
  displayName: 'M A',
  mail: '',
  disabled: false,
  passwordSet: true,
  protected: false,
});
const jcGroup = (n: number, name: string): DesiredGroup => ({ jcId: gid(n), name, description: `group ${n}`, memberJcIds: [uid(1)] });
const adGroup = (n: number, name: string, over: Partial<AdGroup> = {}): AdGroup => ({
  dn: `CN=${name},${ROOT}`,
  anchor: { jcId: gid(n), syncDisabled: false, offboarded: false },
  foreignAnchor: false,
  cn: name,
  sAMAccountName: name,
  description: `group ${n}`,
  members: [MEMBER_DN],
  protected: false,
  ...over,
});

/** The in-memory directory: the member user, the groups, and every group's identity (its object). */
interface Dir {
  users: AdUser[];
  groups: AdGroup[];
}

function stateOf(dir: Dir): ActualState {
  const all = [...dir.users, ...dir.groups];
  return {
    rootDN: ROOT,
    upnSuffix: 'example.com',
    users: dir.users,
    groups: dir.groups,
    accountNames: new Map(all.map((o) => [o.sAMAccountName.toLowerCase(), o.dn])),
    principalNames: new Map(dir.users.map((u) => [u.userPrincipalName.toLowerCase(), u.dn])),
  };
}

/** One AD write at a time, refusing what AD refuses: a DN or sAMAccountName another object holds. */
type Step = () => void;
function stepsOf(ops: PlanOp[], dir: Dir): Step[] {
  const at = (dn: string) => {
    const g = dir.groups.find((x) => x.dn.toLowerCase() === dn.toLowerCase());
    if (!g) throw new Error(`no such group ${dn}`);
    return g;
  };
  const all = () => [...dir.users, ...dir.groups];
  const setSam = (dn: string, sam: string) => () => {
    const g = at(dn);
    const other = all().find((x) => x !== g && x.sAMAccountName.toLowerCase() === sam.toLowerCase());
    if (other) throw new Error(`sAMAccountName ${sam} is held by ${other.dn}`);
    g.sAMAccountName = sam;
  };
  const move = (dn: string, newDn: string) => () => {
    const g = at(dn);
    const other = all().find((x) => x !== g && x.dn.toLowerCase() === newDn.toLowerCase());
    if (other) throw new Error(`${newDn} is held by ${other.dn}`);
    g.dn = newDn;
    g.cn = /^CN=([^,]+)/.exec(newDn)?.[1] as string;
  };
  const steps: Step[] = [];
  for (const op of ops) {
    if (op.kind === 'vacateGroupName') {
      steps.push(setSam(op.dn, op.tempName));
      if (op.dn !== op.newDn) steps.push(move(op.dn, op.newDn));
    } else if (op.kind === 'renameGroup') {
      // sAMAccountName first, then the DN: see sync/apply.ts.
      if (op.accountName) steps.push(setSam(op.dn, op.accountName.after));
      if (op.dn !== op.newDn) steps.push(move(op.dn, op.newDn));
    } else if (op.kind === 'updateGroup') {
      const v = Object.fromEntries(op.changes.map((c) => [c.attribute, c.after]));
      steps.push(() => {
        const g = at(op.dn);
        if (v.sAMAccountName !== undefined) setSam(op.dn, v.sAMAccountName)();
        if (v.description !== undefined) g.description = v.description;
      });
    } else if (op.kind === 'removeMember') {
      steps.push(() => {
        const g = at(op.groupDn);
        g.members = g.members.filter((m) => m.toLowerCase() !== op.memberDn.toLowerCase());
      });
    } else if (op.kind === 'addMember') {
      steps.push(() => void at(op.groupDn).members.push(op.memberDn));
    } else if (op.kind === 'unbindGroup' || op.kind === 'rebindGroup') {
      steps.push(() => {
        const g = at(op.dn);
        g.anchor = { ...(g.anchor as NonNullable<AdGroup['anchor']>), unbound: op.kind === 'unbindGroup' };
      });
    } else if (op.kind !== 'skip') throw new Error(`unexpected ${op.kind}: no group or user is created, deleted or renamed otherwise`);
  }
  return steps;
}

const run = (desired: DesiredGroup[], dir: Dir) => plan({ users: [member], groups: desired }, stateOf(dir), DEFAULT_PLAN_OPTIONS);
const names = (dir: Dir) => Object.fromEntries(dir.groups.map((g) => [g.anchor?.jcId, `${g.cn}|${g.sAMAccountName}`]));

/** Plans and applies until nothing is left, at most `rounds` times; returns the number of runs. */
function converge(desired: DesiredGroup[], dir: Dir, rounds = 3): number {
  for (let i = 1; i <= rounds; i++) {
    const p = run(desired, dir);
    const work = p.operations.filter((op) => op.kind !== 'skip');
    if (work.length === 0) return i - 1;
    for (const step of stepsOf(work, dir)) step();
  }
  assert.fail(`no convergence in ${rounds} runs: ${JSON.stringify(run(desired, dir).operations)}`);
}

const dirOf = (groups: AdGroup[]): Dir => ({ users: [adMember()], groups });
const swapDesired = [jcGroup(1, 'Sales'), jcGroup(2, 'Support')];
const swapActual = () => dirOf([adGroup(1, 'Support'), adGroup(2, 'Sales')]);
const rotationDesired = [jcGroup(1, 'Beta'), jcGroup(2, 'Gamma'), jcGroup(3, 'Alpha')];
const rotationActual = () => dirOf([adGroup(1, 'Alpha'), adGroup(2, 'Beta'), adGroup(3, 'Gamma')]);
const chainDesired = [jcGroup(1, 'Beta'), jcGroup(2, 'Zeta')];
const chainActual = () => dirOf([adGroup(1, 'Alpha'), adGroup(2, 'Beta')]);
const parkDesired = [jcGroup(1, 'Beta')];
const parkActual = () => dirOf([adGroup(1, 'Alpha'), adGroup(2, 'Beta')]);
const want = (desired: DesiredGroup[]) => Object.fromEntries(desired.map((g) => [g.jcId, `${g.name}|${g.name}`]));

describe('group rename cycles', () => {
  it('two groups that swap names go through temporary names and converge in one run', () => {
    const p = run(swapDesired, swapActual());
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['vacateGroupName', 'vacateGroupName', 'renameGroup', 'renameGroup'],
      JSON.stringify(p.operations),
    );
    const vacate = p.operations[0] as Extract<PlanOp, { kind: 'vacateGroupName' }>;
    assert.match(vacate.tempName, /^jcsync-[0-9a-f]{12}$/);
    assert.equal(vacate.newDn, `CN=${vacate.tempName},${ROOT}`);
    // The final rename starts from the temporary name and carries the sAMAccountName with it.
    const rename = p.operations.find((o) => o.kind === 'renameGroup' && o.jcId === gid(1)) as Extract<PlanOp, { kind: 'renameGroup' }>;
    assert.equal(rename.dn, `CN=${tempNameOf(gid(1))},${ROOT}`);
    assert.deepEqual(rename.accountName, { before: tempNameOf(gid(1)), after: 'Sales' });
    const dir = swapActual();
    const objects = [...dir.groups];
    assert.equal(converge(swapDesired, dir), 1);
    assert.deepEqual(names(dir), want(swapDesired));
    // Same objects (identity kept: no create, no delete), members untouched.
    assert.deepEqual(dir.groups, objects);
    for (const g of dir.groups) assert.deepEqual(g.members, [MEMBER_DN]);
  });

  it('a three-group rotation converges in one run', () => {
    const dir = rotationActual();
    assert.equal(converge(rotationDesired, dir), 1);
    assert.deepEqual(names(dir), want(rotationDesired));
  });

  it('a chain onto a name being given up vacates only the holder', () => {
    const p = run(chainDesired, chainActual());
    assert.deepEqual(
      p.operations.filter((o) => o.kind === 'vacateGroupName').map((o) => (o as { jcId: string }).jcId),
      [gid(2)],
    );
    const dir = chainActual();
    assert.equal(converge(chainDesired, dir), 1);
    assert.deepEqual(names(dir), want(chainDesired));
  });

  it('a name held by a group that left the scope is parked and given to the renamed group; the unbound group is kept and emptied', () => {
    const p = run(parkDesired, parkActual());
    const parked = tempNameOf(gid(2));
    const unbind = p.operations.find((o) => o.kind === 'unbindGroup');
    assert.equal(unbind?.kind === 'unbindGroup' && unbind.dn, `CN=${parked},${ROOT}`, 'the unbind names the group where the vacate put it');
    const removal = p.operations.find((o) => o.kind === 'removeMember');
    assert.equal(removal?.kind === 'removeMember' && removal.groupDn, `CN=${parked},${ROOT}`);
    const dir = parkActual();
    assert.equal(converge(parkDesired, dir), 1);
    assert.deepEqual(names(dir), { [gid(1)]: 'Beta|Beta', [gid(2)]: `${parked}|${parked}` });
    const left = dir.groups[1] as AdGroup;
    assert.equal(left.anchor?.unbound, true);
    assert.deepEqual(left.members, [], 'emptied of the managed member');
  });

  it('a group that was unbound in an earlier run still gives its name up', () => {
    const dir = dirOf([
      adGroup(1, 'Alpha'),
      adGroup(2, 'Beta', { members: [], anchor: { jcId: gid(2), syncDisabled: false, offboarded: false, unbound: true } }),
    ]);
    assert.equal(converge(parkDesired, dir), 1);
    assert.deepEqual(names(dir), { [gid(1)]: 'Beta|Beta', [gid(2)]: `${tempNameOf(gid(2))}|${tempNameOf(gid(2))}` });
  });

  it('a parked group bound again gets its name back when it is free', () => {
    const dir = parkActual();
    converge(parkDesired, dir);
    const both = [jcGroup(1, 'Gamma'), jcGroup(2, 'Beta')];
    assert.equal(converge(both, dir), 1);
    assert.deepEqual(names(dir), want(both));
    assert.equal(dir.groups[1]?.anchor?.unbound, false);
    assert.deepEqual(dir.groups[1]?.members, [MEMBER_DN], 'the same group gets its members back');
  });

  it('a name held by a group the sync does not manage, or by a user, still blocks the rename and nobody moves', () => {
    for (const holder of [adGroup(9, 'Sales', { anchor: null }), adGroup(9, 'Sales', { protected: true })]) {
      const p = run([jcGroup(1, 'Sales'), jcGroup(2, 'Support')], dirOf([adGroup(1, 'Support'), adGroup(2, 'Other'), holder]));
      const skip = p.operations.find((o) => o.kind === 'skip' && o.jcId === gid(1));
      assert.equal(skip?.kind === 'skip' && skip.code, 'NameTaken');
      assert.ok(!p.operations.some((o) => o.kind === 'vacateGroupName'), 'nobody is moved to a temporary name for a rename that cannot finish');
    }
    const dir = dirOf([adGroup(1, 'Support')]);
    dir.users.push({ ...adMember(), dn: `CN=sales,${ROOT}`, cn: 'sales', sAMAccountName: 'sales', userPrincipalName: 'sales@example.com', anchor: null });
    const p = run([jcGroup(1, 'Sales')], dir);
    assert.ok(p.operations.some((o) => o.kind === 'skip' && o.code === 'NameTaken'));
    assert.ok(!p.operations.some((o) => o.kind === 'renameGroup' || o.kind === 'vacateGroupName'));
  });

  it('a case-only rename needs no temporary name', () => {
    const p = run([jcGroup(1, 'sales')], dirOf([adGroup(1, 'Sales')]));
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['renameGroup'],
    );
  });

  for (const [label, desired, initial] of [
    ['swap', swapDesired, swapActual],
    ['rotation', rotationDesired, rotationActual],
    ['chain', chainDesired, chainActual],
    ['parked name', parkDesired, parkActual],
  ] as const) {
    it(`a group ${label} killed after any single AD write converges on the next run`, () => {
      const total = stepsOf(run(desired, initial()).operations, initial()).length;
      assert.ok(total >= 2);
      for (let k = 0; k < total; k++) {
        const dir = initial();
        const objects = [...dir.groups];
        const steps = stepsOf(run(desired, dir).operations, dir);
        for (const step of steps.slice(0, k)) step();
        assert.equal(converge(desired, dir), 1, `killed after step ${k}: one rerun converges`);
        for (const g of desired) assert.equal(names(dir)[g.jcId], `${g.name}|${g.name}`, `killed after step ${k}`);
        assert.deepEqual(dir.groups, objects, 'the same objects');
        assert.equal(run(desired, dir).operations.length, 0);
      }
    });
  }
});

describe('group rename: sAMAccountName and DN together (applier)', () => {
  function writer(refuse: (call: string) => boolean) {
    const calls: string[] = [];
    const act = async (call: string) => {
      calls.push(call);
      if (refuse(call)) throw new EngineError('AD.ConstraintViolation', `refused ${call}`, { exitCode: ExitCode.PartialFailure });
    };
    const w: DirectoryWriter = {
      createUser: () => act('createUser'),
      setPassword: () => act('setPassword'),
      updateAttributes: (dn, values) =>
        act(
          `update ${dn} ${Object.entries(values)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`,
        ),
      rename: (dn, newDn) => act(`rename ${dn}->${newDn}`),
      setEnabled: () => act('setEnabled'),
      createGroup: () => act('createGroup'),
      deleteGroup: () => act('deleteGroup'),
      changeMembers: async () => new Map(),
      setGroupUnbound: () => act('setGroupUnbound'),
    };
    return { calls, w };
  }

  it('a swap: both vacates (sAMAccountName, then CN) before either final rename', async () => {
    const { calls, w } = writer(() => false);
    const outcome = await apply(run(swapDesired, swapActual()), { writer: w, journal: memoryJournal(), initialPassword: () => 'x', concurrency: 1 });
    assert.equal(outcome.failed, 0);
    const t1 = tempNameOf(gid(1));
    const t2 = tempNameOf(gid(2));
    const [first, second] = [t1, t2].sort();
    const vacate = (t: string) => {
      const [from] = t === t1 ? ['Support'] : ['Sales'];
      return [`update CN=${from},${ROOT} sAMAccountName=${t}`, `rename CN=${from},${ROOT}->CN=${t},${ROOT}`];
    };
    assert.deepEqual(calls.slice(0, 4), [...vacate(first as string), ...vacate(second as string)]);
    assert.deepEqual(calls.slice(4).sort(), [
      `rename CN=${t1},${ROOT}->CN=Sales,${ROOT}`,
      `rename CN=${t2},${ROOT}->CN=Support,${ROOT}`,
      `update CN=${t1},${ROOT} sAMAccountName=Sales`,
      `update CN=${t2},${ROOT} sAMAccountName=Support`,
    ]);
  });

  it('a refused DN change puts the previous sAMAccountName back; a refused sAMAccountName leaves the DN alone', async () => {
    const renamePlan = () => run([jcGroup(1, 'Sales')], dirOf([adGroup(1, 'Support')]));
    const byDn = writer((c) => c.startsWith('rename'));
    assert.equal((await apply(renamePlan(), { writer: byDn.w, journal: memoryJournal(), initialPassword: () => 'x' })).failed, 1);
    assert.deepEqual(byDn.calls, [
      `update CN=Support,${ROOT} sAMAccountName=Sales`,
      `rename CN=Support,${ROOT}->CN=Sales,${ROOT}`,
      `update CN=Support,${ROOT} sAMAccountName=Support`,
    ]);
    const bySam = writer((c) => c.startsWith('update'));
    assert.equal((await apply(renamePlan(), { writer: bySam.w, journal: memoryJournal(), initialPassword: () => 'x' })).failed, 1);
    assert.deepEqual(bySam.calls, [`update CN=Support,${ROOT} sAMAccountName=Sales`]);
  });
});
