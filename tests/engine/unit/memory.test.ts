// What keeps a full reconcile's memory small (docs/memory.md): the engine's own V8 settings and the
// collection that gives freed memory back (util/heap.ts), and the AD side sharing the JumpCloud
// side's equal strings (sync/share-strings.ts), which must never change a value or a plan.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ActualState, AdGroup, AdUser } from '../../../engine/src/ad/model';
import { DEFAULT_PLAN_OPTIONS, type DesiredState } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { shareEqualStrings } from '../../../engine/src/sync/share-strings';
import { collectGarbage } from '../../../engine/src/util/heap';
import { REPO_ROOT } from '../helpers/testdc';

describe("the engine's heap", () => {
  it('collects nothing until the engine has set its flags (code imported by a test)', () => {
    assert.equal(collectGarbage(), false);
  });

  it('gives the memory of dropped objects back to the system once tuned', () => {
    // In a process of its own: the flags are process-wide.
    const script = `
      const { tuneHeap, collectGarbage } = require('./engine/src/util/heap.ts');
      tuneHeap();
      let junk = Array.from({ length: 400000 }, (_, i) => ({ name: 'user' + i, members: [i, i + 1] }));
      const before = process.memoryUsage().rss;
      junk = null;
      const collected = collectGarbage();
      // V8 unmaps the freed pages from a task: give it a moment.
      setTimeout(() => console.log(JSON.stringify({ collected, freedMb: (before - process.memoryUsage().rss) / 1048576 })), 300);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { collected, freedMb } = JSON.parse(r.stdout) as { collected: boolean; freedMb: number };
    assert.equal(collected, true);
    assert.ok(freedMb > 20, `about 40 MB of dropped objects go back to the system (freed ${freedMb.toFixed(1)} MB)`);
  });

  it('empties the pages that objects still alive keep partly used: the heap shrinks to about what is alive', () => {
    // One object in three stays alive, spread over every page the others filled (as the agent's
    // state and the strings made during a read are after a full reconcile). V8's plain collection
    // moves only the objects of pages at least 70% empty, so it leaves these pages as they are.
    const script = `
      const { getHeapStatistics } = require('node:v8');
      const { tuneHeap, collectGarbage } = require('./engine/src/util/heap.ts');
      tuneHeap();
      let junk = Array.from({ length: 400000 }, (_, i) => ({ name: 'user' + i, members: [i, i + 1] }));
      const kept = junk.filter((_, i) => i % 3 === 0);
      junk = null;
      const plainGc = require('node:vm').runInNewContext('gc'); // tuneHeap exposed it
      const settle = () => new Promise((resolve) => setTimeout(resolve, 300)); // V8 unmaps from a task
      const heap = () => { const h = getHeapStatistics(); return { total: h.total_heap_size / 1048576, used: h.used_heap_size / 1048576 }; };
      (async () => {
        plainGc();
        await settle();
        plainGc();
        await settle();
        const plain = heap();
        collectGarbage();
        await settle();
        console.log(JSON.stringify({ kept: kept.length, plain, compacted: heap() }));
      })();`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    type Heap = { total: number; used: number };
    const { kept, plain, compacted } = JSON.parse(r.stdout) as { kept: number; plain: Heap; compacted: Heap };
    assert.equal(kept, 133334);
    const text = (h: Heap) => `${h.total.toFixed(1)} MB for ${h.used.toFixed(1)} alive`;
    assert.ok(plain.total - plain.used > 15, `plain collections leave the pages partly used (${text(plain)})`);
    assert.ok(compacted.total - compacted.used < 10, `collectGarbage compacts them (${text(compacted)}; plainly ${text(plain)})`);
  });
});

const ROOT = 'OU=Corp,DC=example,DC=com';
const id = (n: number) => n.toString(16).padStart(24, '0');
/** The same text as a different string object (as a second source reads it). */
const copy = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

function world(): { desired: DesiredState; actual: ActualState } {
  const desired: DesiredState = {
    users: [1, 2, 3].map((n) => ({
      jcId: id(n),
      username: `user${n}`,
      firstName: `F${n}`,
      lastName: `L${n}`,
      email: `user${n}@example.com`,
      suspended: false,
    })),
    groups: [{ jcId: id(100), name: 'Staff', description: 'Everyone', memberJcIds: [id(1), id(2)] }],
  };
  const users: AdUser[] = [1, 2, 3].map((n) => ({
    dn: `CN=user${n},${ROOT}`,
    anchor: { jcId: copy(id(n)), syncDisabled: false, offboarded: false },
    foreignAnchor: false,
    cn: copy(`user${n}`),
    sAMAccountName: copy(`user${n}`),
    userPrincipalName: copy(`user${n}@example.com`),
    givenName: copy(n === 3 ? 'Old' : `F${n}`),
    sn: copy(`L${n}`),
    displayName: `F${n} L${n}`,
    mail: copy(`user${n}@example.com`),
    disabled: false,
    passwordSet: true,
    protected: false,
    critical: false,
    proof: 'valid',
  }));
  const groups: AdGroup[] = [
    {
      dn: `CN=Staff,${ROOT}`,
      anchor: { jcId: copy(id(100)), syncDisabled: false, offboarded: false },
      foreignAnchor: false,
      cn: copy('Staff'),
      sAMAccountName: copy('Staff'),
      description: copy('Everyone'),
      members: [users[0]!.dn],
      protected: false,
      critical: false,
      proof: 'valid',
    },
  ];
  const accountNames = new Map([...users, ...groups].map((o) => [o.sAMAccountName.toLowerCase(), o.dn]));
  const principalNames = new Map(users.map((u) => [u.userPrincipalName.toLowerCase(), u.dn]));
  return {
    desired,
    actual: { rootDN: ROOT, upnSuffix: 'example.com', users, groups, accountNames, principalNames, anchoredOutside: new Map() },
  };
}

describe('sharing equal strings between JumpCloud and AD', () => {
  it('changes no value, and the plan stays the same', () => {
    const { desired, actual } = world();
    const values = JSON.stringify(actual.users) + JSON.stringify(actual.groups);
    const before = plan(desired, actual, DEFAULT_PLAN_OPTIONS);
    shareEqualStrings(desired, actual);
    assert.equal(JSON.stringify(actual.users) + JSON.stringify(actual.groups), values);
    assert.deepEqual(plan(desired, actual, DEFAULT_PLAN_OPTIONS), before);
    assert.deepEqual(
      before.operations.map((o) => o.kind),
      ['updateUser', 'addMember'],
      'the world has a change to plan: a first name and a membership',
    );
  });
});
