// Rename cycles against the real Samba DC: JumpCloud users who swap or rotate their usernames,
// and bound groups that swap, rotate or chain their names (or take the name of a group that left
// the scope), converge in one sync, each AD object keeping its objectGUID and objectSid (and so
// its groups, members, ACLs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DesiredGroup, DesiredUser } from '../../../engine/src/sync/model';
import { tempNameOf } from '../../../engine/src/sync/renames';
import { openFixture, type AdFixture } from '../helpers/adfixture';

const id = (n: number) => n.toString(16).padStart(24, 'c');
const user = (n: number, username: string): DesiredUser => ({ jcId: id(n), username, firstName: `F${n}`, lastName: `L${n}`, email: null, suspended: false });
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const guid = (v: unknown) => Buffer.from(first(v) as Buffer).toString('hex');
const gid = (n: number) => n.toString(16).padStart(24, 'd');
const group = (n: number, name: string, members: number[]): DesiredGroup => ({ jcId: gid(n), name, description: `g${n}`, memberJcIds: members.map(id) });

describe('rename cycles (Samba)', () => {
  let fx: AdFixture;
  before(async () => {
    fx = await openFixture('jcadi-renames');
  });
  after(async () => {
    await fx?.close();
  });

  async function guidsOf(names: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of names) {
      const entry = await fx.read(`CN=${name},${fx.rootDN}`, ['objectGUID', 'sAMAccountName', 'userPrincipalName', 'adminDescription']);
      assert.ok(entry, `CN=${name} exists`);
      assert.equal(first(entry.sAMAccountName), name);
      assert.equal(first(entry.userPrincipalName), `${name}@example.com`);
      out[String(first(entry.adminDescription))] = guid(entry.objectGUID);
    }
    return out;
  }

  it('a two-user swap converges in one sync with both objectGUIDs kept', async () => {
    const a = 'rnm-alice';
    const b = 'rnm-bob';
    const created = await fx.sync({ users: [user(1, a), user(2, b)], groups: [] });
    assert.equal(created.outcome?.failed, 0);
    const before = await guidsOf([a, b]);

    const swap = { users: [user(1, b), user(2, a)], groups: [] };
    const { plan, outcome } = await fx.sync(swap);
    assert.equal(plan.counts.vacateUserName, 2);
    assert.equal(plan.counts.skip ?? 0, 0, JSON.stringify(plan.operations.filter((o) => o.kind === 'skip')));
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const afterSwap = await guidsOf([a, b]);
    // The same objects, each under the other name now.
    assert.equal(afterSwap[`JumpCloud:${id(1)}`], before[`JumpCloud:${id(1)}`]);
    assert.equal(afterSwap[`JumpCloud:${id(2)}`], before[`JumpCloud:${id(2)}`]);
    const b1 = await fx.read(`CN=${b},${fx.rootDN}`, ['adminDescription']);
    assert.equal(first(b1?.adminDescription), `JumpCloud:${id(1)}`);
    assert.deepEqual((await fx.planOnly(swap)).operations, [], 'converged: the next run plans nothing');
  });

  it('a three-user rotation converges in one sync with every objectGUID kept', async () => {
    const names = ['rnm-ada', 'rnm-bea', 'rnm-cai'];
    await fx.sync({ users: names.map((n, i) => user(10 + i, n)), groups: [] });
    const before = await guidsOf(names);
    const rotated = { users: names.map((_, i) => user(10 + i, names[(i + 1) % 3] as string)), groups: [] };
    const { plan, outcome } = await fx.sync(rotated);
    assert.equal(plan.counts.vacateUserName, 3);
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const after = await guidsOf(names);
    assert.deepEqual(after, before);
    for (let i = 0; i < 3; i++) {
      const entry = await fx.read(`CN=${names[(i + 1) % 3]},${fx.rootDN}`, ['adminDescription']);
      assert.equal(first(entry?.adminDescription), `JumpCloud:${id(10 + i)}`);
    }
    assert.deepEqual((await fx.planOnly(rotated)).operations, []);
  });

  /** objectGUID + objectSid of each group, by its anchor; each group is checked to hold its name as CN and sAMAccountName, with its members. */
  async function groupIdentities(names: string[], members: string[] = []): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of names) {
      const entry = await fx.read(`CN=${name},${fx.rootDN}`, ['objectGUID', 'objectSid', 'sAMAccountName', 'adminDescription', 'member']);
      assert.ok(entry, `CN=${name} exists`);
      assert.equal(first(entry.sAMAccountName), name);
      const has = (Array.isArray(entry.member) ? entry.member : entry.member ? [entry.member] : []).map((m) => String(m).toLowerCase());
      for (const m of members) assert.ok(has.includes(`cn=${m},${fx.rootDN}`.toLowerCase()), `${name} keeps member ${m}`);
      const anchor = String(first(entry.adminDescription)).replace(/;unbound$/, '');
      out[anchor] = `${guid(entry.objectGUID)}/${Buffer.from(first(entry.objectSid) as Buffer).toString('hex')}`;
    }
    return out;
  }

  it('two bound groups that swap names, a three-group rotation and a chain converge in one sync, every objectGUID and objectSid kept', async () => {
    const m = 'rnm-gm';
    const users = [user(30, m)];
    const start = ['rnm-g-sales', 'rnm-g-support', 'rnm-g-a', 'rnm-g-b', 'rnm-g-c', 'rnm-g-x', 'rnm-g-y'];
    const created = await fx.sync({ users, groups: start.map((name, i) => group(i + 1, name, [30])) });
    assert.equal(created.outcome?.failed, 0, JSON.stringify(created.outcome?.failures));
    const before = await groupIdentities(start, [m]);

    // 1 ↔ 2 swap; 3 → 4 → 5 → 3 rotation; chain: 6 takes 7's name, 7 a new one.
    const moved = ['rnm-g-support', 'rnm-g-sales', 'rnm-g-b', 'rnm-g-c', 'rnm-g-a', 'rnm-g-y', 'rnm-g-z'];
    const desired = { users, groups: moved.map((name, i) => group(i + 1, name, [30])) };
    const { plan, outcome } = await fx.sync(desired);
    assert.equal(plan.counts.skip ?? 0, 0, JSON.stringify(plan.operations.filter((o) => o.kind === 'skip')));
    assert.equal(plan.counts.vacateGroupName, 6, 'the swap (2), the rotation (3), the chain (1: only the holder)');
    assert.equal(plan.counts.renameGroup, 7);
    assert.equal(plan.counts.createGroup ?? 0, 0);
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const after = await groupIdentities(moved, [m]);
    assert.deepEqual(after, before, 'the same objects (GUID and SID), each under its new name, members kept');
    for (let i = 0; i < moved.length; i++) {
      const entry = await fx.read(`CN=${moved[i]},${fx.rootDN}`, ['adminDescription']);
      assert.equal(first(entry?.adminDescription), `JumpCloud:${gid(i + 1)}`);
    }
    assert.deepEqual((await fx.planOnly(desired)).operations, [], 'converged: the next run plans nothing');
  });

  it('a rename onto the name of a group that left the scope: the unbound group is parked on its temporary name, kept with its SID, and the renamed group takes the name', async () => {
    const m = 'rnm-pm';
    const users = [user(40, m)];
    await fx.sync({ users, groups: [group(20, 'rnm-p-old', [40]), group(21, 'rnm-p-new', [40])] });
    const before = await groupIdentities(['rnm-p-old', 'rnm-p-new'], [m]);
    // 21 leaves the scope; 20 is renamed onto the name 21 still holds.
    const desired = { users, groups: [group(20, 'rnm-p-new', [40])] };
    const { plan, outcome } = await fx.sync(desired);
    assert.equal(plan.counts.skip ?? 0, 0, JSON.stringify(plan.operations.filter((o) => o.kind === 'skip')));
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const parked = tempNameOf(gid(21));
    const after = await groupIdentities(['rnm-p-new', parked]);
    assert.deepEqual(after, before);
    const left = await fx.read(`CN=${parked},${fx.rootDN}`, ['adminDescription', 'member']);
    assert.equal(first(left?.adminDescription), `JumpCloud:${gid(21)};unbound`, 'kept and marked unbound');
    assert.equal(left?.member === undefined || (Array.isArray(left.member) && left.member.length === 0), true, 'emptied of the managed member');
    assert.deepEqual((await fx.planOnly(desired)).operations, []);
  });
});
