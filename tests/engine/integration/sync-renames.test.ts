// Rename cycles against the real Samba DC: JumpCloud users who swap or rotate their usernames
// converge in one sync, each AD account keeping its objectGUID (and so its SID, groups, ACLs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DesiredUser } from '../../../engine/src/sync/model';
import { openFixture, type AdFixture } from '../helpers/adfixture';

const id = (n: number) => n.toString(16).padStart(24, 'c');
const user = (n: number, username: string): DesiredUser => ({ jcId: id(n), username, firstName: `F${n}`, lastName: `L${n}`, email: null, suspended: false });
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const guid = (v: unknown) => Buffer.from(first(v) as Buffer).toString('hex');

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
});
