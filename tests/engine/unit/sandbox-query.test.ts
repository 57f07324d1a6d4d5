// JumpCloud list semantics in the sandbox (limit/skip/sort/fields/filter in both dialects) and
// the fault rules (rate, schedule, flag syntax).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector, omitField, parseFaultFlag } from '../../../engine/src/sandbox/faults';
import type { IncomingMessage } from 'node:http';
import { Router, v1List, v2IdList, v2List } from '../../../engine/src/sandbox/router';
import { SandboxError } from '../../../engine/src/sandbox/errors';
import { IdSet } from '../../../engine/src/sandbox/idset';
import { addPublicRoutes } from '../../../engine/src/sandbox/api-routes';
import { SandboxStore } from '../../../engine/src/sandbox/store';

const items = [
  { _id: 'a1', username: 'zed', state: 'ACTIVATED', n: 3 },
  { _id: 'a2', username: 'amy', state: 'SUSPENDED', n: 1 },
  { _id: 'a3', username: 'bob', state: 'ACTIVATED', n: 2 },
];

describe('sandbox lists', () => {
  it('pages v1 with results and totalCount, keeping _id in projections', () => {
    const result = v1List(items, new URLSearchParams('limit=2&skip=1&sort=_id&fields=username'), { idField: '_id' });
    assert.deepEqual(result.body, {
      results: [
        { _id: 'a2', username: 'amy' },
        { _id: 'a3', username: 'bob' },
      ],
      totalCount: 3,
    });
  });

  it('filters v1 with $eq and sorts descending', () => {
    const result = v1List(items, new URLSearchParams('filter=state:$eq:ACTIVATED&sort=-username'), { idField: '_id' });
    assert.deepEqual(
      (result.body as { results: Array<{ username: string }> }).results.map((u) => u.username),
      ['zed', 'bob'],
    );
  });

  it('answers v2 with a bare array and x-total-count', () => {
    const result = v2List(items, new URLSearchParams('filter=state:eq:ACTIVATED&limit=1&fields=username'), { idField: '_id' });
    assert.deepEqual(result.body, [{ _id: 'a1', username: 'zed' }]);
    assert.equal(result.headers?.['x-total-count'], '2');
  });

  it('refuses a limit over 100 and the wrong filter dialect', () => {
    assert.throws(
      () => v1List(items, new URLSearchParams('limit=101'), { idField: '_id' }),
      (e: unknown) => e instanceof SandboxError && e.status === 400,
    );
    assert.throws(() => v1List(items, new URLSearchParams('filter=state:eq:ACTIVATED'), { idField: '_id' }), /\$-operators/);
  });
});

describe('sandbox lists of ids (group members, domain bindings)', () => {
  it('keeps a set of ids sorted once asked, until it changes', () => {
    const ids = new IdSet(['c', 'a', 'b']);
    const first = ids.sorted();
    assert.deepEqual(first, ['a', 'b', 'c']);
    assert.equal(ids.sorted(), first, 'shared until a change');
    ids.add('b');
    assert.equal(ids.sorted(), first, 'adding a member already there changes nothing');
    ids.add('0');
    assert.deepEqual(ids.sorted(), ['0', 'a', 'b', 'c']);
    ids.delete('missing');
    const second = ids.sorted();
    ids.delete('a');
    assert.notEqual(ids.sorted(), second);
    assert.deepEqual(ids.sorted(), ['0', 'b', 'c']);
    ids.clear();
    assert.deepEqual(ids.sorted(), []);
    assert.ok(Object.isFrozen(first), 'callers cannot reorder the shared list');
  });

  it('answers a page of ids as the full list would, making only that page', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    const view = (id: string) => ({ id, type: 'user', paths: [[{ to: { id, type: 'user' } }]], compiledAttributes: null });
    for (const query of [
      '',
      'limit=100&skip=200',
      'limit=3&skip=7&fields=id',
      'sort=id&limit=5',
      'sort=-id&limit=4&skip=1',
      'filter=id:eq:u042',
      'filter=id:in:u001|u249&limit=10',
    ]) {
      const full = v2List(ids.map(view), new URLSearchParams(query), { idField: 'id' });
      const paged = v2IdList(ids, new URLSearchParams(query), 'id', view);
      assert.deepEqual(paged.body, full.body, query);
      assert.equal(paged.headers?.['x-total-count'], full.headers?.['x-total-count'], query);
    }
    let made = 0;
    v2IdList(ids, new URLSearchParams('limit=100&skip=100'), 'id', (id) => (made++, view(id)));
    assert.equal(made, 100, 'a plain page makes its own items only');
  });

  it("pages a group's membership and members in id order, and sees every change", () => {
    const store = new SandboxStore();
    store.initEmpty();
    const router = new Router();
    addPublicRoutes(router, store);
    const get = (path: string) => {
      const [pathname, query = ''] = path.split('?');
      const { handler, params } = router.match('GET', pathname as string);
      return handler({ params, query: new URLSearchParams(query), body: undefined, req: {} as IncomingMessage, signal: new AbortController().signal }) as {
        body: Array<{ id?: string; to?: { id: string } }>;
        headers?: Record<string, string>;
      };
    };
    const users = ['carol', 'alice', 'bob', 'dave'].map((username) => store.createUser({ username, email: `${username}@example.com` }));
    const group = store.createGroup({ name: 'Staff' });
    for (const u of users.slice(0, 3)) store.changeMember(group.id, u._id, 'add');
    const sorted = users
      .slice(0, 3)
      .map((u) => u._id)
      .sort();
    const membership = () => get(`/api/v2/usergroups/${group.id}/membership?limit=100`).body.map((m) => m.id);
    assert.deepEqual(membership(), sorted);
    assert.deepEqual(
      get(`/api/v2/usergroups/${group.id}/members?limit=2&skip=1`).body.map((m) => m.to?.id),
      sorted.slice(1),
    );
    store.changeMember(group.id, users[0]?._id as string, 'remove');
    assert.ok(!membership().includes(users[0]?._id as string), 'a removed member is gone from the next page');
    store.members.get(group.id)?.add(users[3]?._id as string); // as the admin surface's generate adds one
    assert.ok(membership().includes(users[3]?._id as string), 'a member added straight to the set is seen');
    assert.equal(get(`/api/v2/usergroups/${group.id}/membership?limit=1`).headers?.['x-total-count'], '3');
    store.deleteUser(users[1]?._id as string);
    assert.ok(!membership().includes(users[1]?._id as string), "a deleted user leaves the group's list");
  });
});

describe('sandbox faults', () => {
  it('parses flags', () => {
    assert.deepEqual(parseFaultFlag('429:rate=0.2,retryAfter=1'), { kind: 'status', status: 429, rate: 0.2, retryAfter: '1' });
    assert.deepEqual(parseFaultFlag('drop:count=2'), { kind: 'drop', count: 2 });
    assert.throws(() => parseFaultFlag('latency:rate=1'), /latencyMs/);
    assert.throws(() => parseFaultFlag('500'), /rate/);
  });

  it('hits the next N calls on a schedule, then stops', () => {
    const faults = new FaultInjector(() => 0.99);
    faults.add({ kind: 'status', status: 500, count: 2 });
    const kinds = [1, 2, 3].map(() => faults.decide('GET', '/api/systemusers').action?.kind ?? null);
    assert.deepEqual(kinds, ['status', 'status', null]);
    assert.equal(faults.list().length, 0);
  });

  it('hits by rate, only on the public API unless a path is given', () => {
    let r = 0;
    const faults = new FaultInjector(() => (r++ % 2 === 0 ? 0.1 : 0.9));
    faults.add({ kind: 'drop', rate: 0.5 });
    assert.equal(faults.decide('GET', '/api/systemusers').action?.kind, 'drop');
    assert.equal(faults.decide('GET', '/api/systemusers').action, null);
    assert.equal(faults.decide('GET', '/sandbox/admin/info').action, null);
    faults.add({ kind: 'latency', latencyMs: 50, rate: 1, path: '/agent/' });
    assert.equal(faults.decide('GET', '/agent/v1/changes').latencyMs, 50);
  });

  it('omits a field everywhere in an answer', () => {
    assert.deepEqual(omitField({ results: [{ _id: 1, username: 'x' }], totalCount: 1 }, 'username'), { results: [{ _id: 1 }], totalCount: 1 });
  });
});
