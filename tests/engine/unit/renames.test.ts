// Rename chains and cycles (sync/renames.ts through the planner): swaps, rotations and a name
// held by a user leaving the scope resolve through temporary names, and a run killed after any
// single step converges on the next run. AD is modelled in memory here; the real DC is used by
// tests/engine/integration/sync-renames.test.ts and the fault suite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActualState, AdUser } from '../../../engine/src/ad/model';
import { DEFAULT_PLAN_OPTIONS, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { siblingDn, tempNameOf } from '../../../engine/src/sync/renames';

const ROOT = 'OU=Corp,DC=example,DC=com';
const id = (n: number) => n.toString(16).padStart(24, '0');
const jc = (n: number, username: string): DesiredUser => ({ jcId: id(n), username, firstName: 'F', lastName: 'L', email: null, suspended: false });
const ad = (n: number, name: string, over: Partial<AdUser> = {}): AdUser => ({
  dn: `CN=${name},${ROOT}`,
  anchor: { jcId: id(n), syncDisabled: false, offboarded: false },
  foreignAnchor: false,
  cn: name,
  sAMAccountName: name,
  userPrincipalName: `${name}@example.com`,
  givenName: 'F',
  sn: 'L',
  displayName: 'F L',
  mail: '',
  disabled: false,
  passwordSet: true,
  protected: false,
  ...over,
});

function stateOf(users: AdUser[]): ActualState {
  return {
    rootDN: ROOT,
    upnSuffix: 'example.com',
    users,
    groups: [],
    accountNames: new Map(users.map((u) => [u.sAMAccountName.toLowerCase(), u.dn])),
    principalNames: new Map(users.map((u) => [u.userPrincipalName.toLowerCase(), u.dn])),
  };
}

/** One AD write at a time, refusing what AD refuses: a DN or logon name another object holds. */
type Step = () => void;
function stepsOf(ops: PlanOp[], users: AdUser[]): Step[] {
  const at = (dn: string) => {
    const u = users.find((x) => x.dn.toLowerCase() === dn.toLowerCase());
    if (!u) throw new Error(`no such object ${dn}`);
    return u;
  };
  const clash = (self: AdUser, key: 'dn' | 'sAMAccountName' | 'userPrincipalName', value: string) => {
    const other = users.find((x) => x !== self && x[key].toLowerCase() === value.toLowerCase());
    if (other) throw new Error(`${key} ${value} is held by ${other.dn}`);
  };
  const setNames = (dn: string, sam: string, upn: string) => () => {
    const u = at(dn);
    clash(u, 'sAMAccountName', sam);
    clash(u, 'userPrincipalName', upn);
    u.sAMAccountName = sam;
    u.userPrincipalName = upn;
  };
  const move = (dn: string, newDn: string) => () => {
    const u = at(dn);
    clash(u, 'dn', newDn);
    u.dn = newDn;
    u.cn = /^CN=([^,]+)/.exec(newDn)?.[1] as string;
  };
  const steps: Step[] = [];
  for (const op of ops) {
    if (op.kind === 'vacateUserName') {
      steps.push(setNames(op.dn, op.tempName, op.tempUpn));
      if (op.dn !== op.newDn) steps.push(move(op.dn, op.newDn));
    } else if (op.kind === 'renameUser') {
      // Logon names first (one modify), then the DN: see sync/apply.ts.
      if (op.logonNames) steps.push(setNames(op.dn, op.logonNames.after.sAMAccountName, op.logonNames.after.userPrincipalName));
      if (op.dn !== op.newDn) steps.push(move(op.dn, op.newDn));
    } else if (op.kind === 'updateUser') {
      const v = Object.fromEntries(op.changes.map((c) => [c.attribute, c.after]));
      steps.push(() => {
        const u = at(op.dn);
        setNames(op.dn, v.sAMAccountName ?? u.sAMAccountName, v.userPrincipalName ?? u.userPrincipalName)();
      });
    } else if (op.kind === 'disableUser') steps.push(() => void (at(op.dn).disabled = true));
    else if (op.kind !== 'skip') throw new Error(`unexpected ${op.kind}`);
  }
  return steps;
}

const names = (users: AdUser[]) => Object.fromEntries(users.map((u) => [u.anchor?.jcId, `${u.cn}|${u.sAMAccountName}|${u.userPrincipalName}`]));
const run = (desired: DesiredUser[], users: AdUser[]) => plan({ users: desired, groups: [] }, stateOf(users), DEFAULT_PLAN_OPTIONS);

/** Plans and applies until nothing is left, at most `rounds` times; returns the number of runs. */
function converge(desired: DesiredUser[], users: AdUser[], rounds = 3): number {
  for (let i = 1; i <= rounds; i++) {
    const p = run(desired, users);
    const work = p.operations.filter((op) => op.kind !== 'skip');
    if (work.length === 0) return i - 1;
    for (const step of stepsOf(work, users)) step();
  }
  assert.fail(`no convergence in ${rounds} runs: ${JSON.stringify(run(desired, users).operations)}`);
}

const swapDesired = [jc(1, 'bob'), jc(2, 'alice')];
const swapActual = () => [ad(1, 'alice'), ad(2, 'bob')];
const rotationDesired = [jc(1, 'bea'), jc(2, 'cai'), jc(3, 'ada')];
const rotationActual = () => [ad(1, 'ada'), ad(2, 'bea'), ad(3, 'cai')];

describe('rename cycles', () => {
  it('a two-user swap goes through temporary names and converges in one run', () => {
    const p = run(swapDesired, swapActual());
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['vacateUserName', 'vacateUserName', 'renameUser', 'renameUser'],
    );
    const vacate = p.operations[0] as Extract<PlanOp, { kind: 'vacateUserName' }>;
    assert.match(vacate.tempName, /^jcsync-[0-9a-f]{12}$/);
    const users = swapActual();
    assert.equal(converge(swapDesired, users), 1);
    assert.deepEqual(names(users), { [id(1)]: 'bob|bob|bob@example.com', [id(2)]: 'alice|alice|alice@example.com' });
  });

  it('a three-user rotation converges in one run', () => {
    const users = rotationActual();
    assert.equal(converge(rotationDesired, users), 1);
    assert.deepEqual(names(users), { [id(1)]: 'bea|bea|bea@example.com', [id(2)]: 'cai|cai|cai@example.com', [id(3)]: 'ada|ada|ada@example.com' });
  });

  it('a chain onto a name being given up vacates only the holder', () => {
    // 1: ada → bea, 2: bea → new name: only 2 must move out of the way first.
    const desired = [jc(1, 'bea'), jc(2, 'zed')];
    const p = run(desired, [ad(1, 'ada'), ad(2, 'bea')]);
    assert.deepEqual(
      p.operations.filter((o) => o.kind === 'vacateUserName').map((o) => (o as { jcId: string }).jcId),
      [id(2)],
    );
    const users = [ad(1, 'ada'), ad(2, 'bea')];
    assert.equal(converge(desired, users), 1);
    assert.deepEqual(names(users), { [id(1)]: 'bea|bea|bea@example.com', [id(2)]: 'zed|zed|zed@example.com' });
  });

  it('a name held by a managed user leaving the scope is parked and given to the renamed user', () => {
    const desired = [jc(1, 'bea')];
    const users = [ad(1, 'ada'), ad(2, 'bea')];
    assert.equal(converge(desired, users), 1);
    const parked = tempNameOf(id(2));
    assert.deepEqual(names(users), { [id(1)]: 'bea|bea|bea@example.com', [id(2)]: `${parked}|${parked}|${parked}@example.com` });
    assert.equal(users[1]?.disabled, true, 'the user leaving the scope is disabled at its parked name');
  });

  it('a name held by an account the sync does not manage still blocks the rename', () => {
    const desired = [jc(1, 'bob'), jc(2, 'alice')];
    const users = [ad(1, 'alice'), ad(2, 'carl'), ad(9, 'bob', { anchor: null })];
    const p = run(desired, users);
    const skip = p.operations.find((o) => o.kind === 'skip' && o.jcId === id(1));
    assert.equal(skip?.kind === 'skip' && skip.code, 'NameTaken');
    // 2 still gets 'alice' (1 gives it up only if it can move: it cannot, so 2 is blocked as well).
    assert.ok(!p.operations.some((o) => o.kind === 'vacateUserName'), 'nobody is moved to a temporary name for a rename that cannot finish');
  });

  it('a protected holder blocks the rename and is never moved', () => {
    const p = run([jc(1, 'bob')], [ad(1, 'alice'), ad(2, 'bob', { protected: true })]);
    assert.ok(p.operations.some((o) => o.kind === 'skip' && o.code === 'NameTaken'));
    assert.ok(!p.operations.some((o) => o.kind === 'vacateUserName' || o.kind === 'renameUser'));
  });

  it('the temporary name keeps the parent container', () => {
    assert.equal(siblingDn('CN=a\\,b,OU=x\\,y,DC=example,DC=com', 'jcsync-1'), 'CN=jcsync-1,OU=x\\,y,DC=example,DC=com');
  });

  for (const [label, desired, initial] of [
    ['swap', swapDesired, swapActual],
    ['rotation', rotationDesired, rotationActual],
  ] as const) {
    it(`a ${label} killed after any single AD write converges on the next run`, () => {
      const total = stepsOf(run(desired, initial()).operations, initial()).length;
      for (let k = 0; k < total; k++) {
        const users = initial();
        const steps = stepsOf(run(desired, users).operations, users);
        for (const step of steps.slice(0, k)) step();
        assert.equal(converge(desired, users), 1, `killed after step ${k}: one rerun converges`);
        const want = Object.fromEntries(desired.map((u) => [u.jcId, `${u.username}|${u.username}|${u.username}@example.com`]));
        assert.deepEqual(names(users), want, `killed after step ${k}`);
        assert.equal(run(desired, users).operations.length, 0);
      }
    });
  }
});
