// JumpCloud list semantics in the sandbox (limit/skip/sort/fields/filter in both dialects) and
// the fault rules (rate, schedule, flag syntax).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector, omitField, parseFaultFlag } from '../../../engine/src/sandbox/faults';
import { v1List, v2List } from '../../../engine/src/sandbox/router';
import { SandboxError } from '../../../engine/src/sandbox/errors';

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
