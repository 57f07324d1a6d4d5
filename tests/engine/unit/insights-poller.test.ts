// The API-key mode's change signal, pure parts: the Directory Insights cursor (overlap, dedupe by
// id, JumpCloud's clock) and what a batch of events asks of the agent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advanceCursor, INSIGHTS_OVERLAP_MS, MAX_REMEMBERED_IDS, planInsights, queryStart } from '../../../engine/src/agent/insights-poller';
import type { DirectoryEvent } from '../../../engine/src/jumpcloud/schemas';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();
const event = (id: string, ms: number, eventType = 'user_update', extra: Record<string, unknown> = {}): DirectoryEvent => ({
  id,
  event_type: eventType,
  timestamp: iso(ms),
  service: 'directory',
  resource: { id: `r-${id}`, type: eventType.startsWith('group') || eventType.startsWith('user_group') ? 'user_group' : 'user' },
  ...extra,
});

describe('the Directory Insights cursor', () => {
  it('queries from the cursor minus the overlap', () => {
    assert.equal(queryStart({ time: iso(0), ids: [] }), iso(-INSIGHTS_OVERLAP_MS));
    assert.equal(queryStart({ time: iso(5000), ids: [] }, 1000), iso(4000));
  });

  it('moves to the newest event and remembers the ids of its overlap window', () => {
    const events = [event('a', -70_000), event('b', -30_000), event('c', 0), event('d', 10_000)];
    const { fresh, cursor } = advanceCursor({ time: iso(-80_000), ids: [] }, events);
    assert.deepEqual(
      fresh.map((e) => e.id),
      ['a', 'b', 'c', 'd'],
    );
    assert.equal(cursor.time, iso(10_000));
    assert.deepEqual(cursor.ids, ['b', 'c', 'd'], 'a is older than the overlap');
  });

  it('leaves out events seen before (the overlap is read again), and finds a late one', () => {
    const start = { time: iso(10_000), ids: ['b', 'c', 'd'] };
    const again = [event('b', -30_000), event('late', -20_000), event('c', 0), event('d', 10_000), event('e', 12_000)];
    const { fresh, cursor } = advanceCursor(start, again);
    assert.deepEqual(
      fresh.map((e) => e.id),
      ['late', 'e'],
    );
    assert.equal(cursor.time, iso(12_000));
    assert.deepEqual(cursor.ids, ['b', 'late', 'c', 'd', 'e']);
  });

  it('keeps the cursor when nothing happened, and never moves it back', () => {
    const start = { time: iso(10_000), ids: ['d'] };
    assert.deepEqual(advanceCursor(start, []).cursor, start);
    assert.equal(advanceCursor(start, [event('x', 5000)]).cursor.time, iso(10_000));
  });

  it('remembers a bounded number of ids', () => {
    const many = Array.from({ length: MAX_REMEMBERED_IDS + 10 }, (_, i) => event(`e${i}`, i));
    const { cursor } = advanceCursor({ time: iso(0), ids: [] }, many);
    assert.equal(cursor.ids.length, MAX_REMEMBERED_IDS);
    assert.equal(cursor.ids.at(-1), `e${MAX_REMEMBERED_IDS + 9}`, 'the newest are kept');
  });
});

describe('what Directory Insights events ask for', () => {
  it('reconciles for user, group, membership and binding changes, and names their objects', () => {
    const plan = planInsights([
      event('1', 0, 'user_create'),
      event('2', 1, 'group_update'),
      { ...event('3', 2, 'user_group_member_add'), changes: [{ field: 'member', to: 'u9' }] },
      {
        id: '4',
        event_type: 'association_change',
        timestamp: iso(3),
        resource: { id: 'ad1', type: 'active_directory' },
        changes: [{ field: 'user_group', op: 'add', to: 'g7' }],
      },
    ]);
    assert.equal(plan.reconcile, true);
    assert.deepEqual([...plan.users].sort(), ['r-1', 'u9']);
    assert.deepEqual([...plan.groups].sort(), ['g7', 'r-2', 'r-3']);
    assert.equal(plan.memberships, true);
  });

  it('targets the resource ids the events carry; an event of unknown shape asks for a full reconcile', () => {
    const plan = planInsights([
      event('1', 0, 'user_update'),
      event('2', 1, 'group_update'),
      { ...event('3', 2, 'user_group_member_add'), changes: [{ field: 'member', to: 'u9' }] },
      {
        id: '4',
        event_type: 'association_change',
        timestamp: iso(3),
        resource: { id: 'ad1', type: 'active_directory' },
        changes: [{ field: 'user_group', op: 'add', to: 'g7' }],
      },
      {
        id: '5',
        event_type: 'association_change',
        timestamp: iso(4),
        resource: { id: 'ad1', type: 'active_directory' },
        changes: [{ field: 'user', op: 'remove', to: 'u5' }],
      },
    ]);
    assert.equal(plan.full, false);
    assert.deepEqual([...plan.targets.users].sort(), ['r-1', 'u5', 'u9']);
    assert.deepEqual([...plan.targets.groups], ['r-2']);
    assert.deepEqual([...plan.targets.groupMembers], ['g7']);
    assert.equal(planInsights([{ id: '6', event_type: 'association_change', timestamp: iso(0) }]).full, true, 'an association of unknown ends');
    assert.equal(
      planInsights([{ id: '7', event_type: 'user_group_member_add', timestamp: iso(0), resource: { type: 'user_group' } }]).full,
      true,
      'no group id',
    );
  });

  it('reads an association given as a connection between two objects', () => {
    const plan = planInsights([
      {
        id: 'a',
        event_type: 'association_change',
        timestamp: iso(0),
        association: { op: 'add', connection: { from: { type: 'user_group', object_id: 'g1' }, to: { type: 'user', object_id: 'u1' } } },
      },
    ]);
    assert.deepEqual(
      { reconcile: plan.reconcile, users: [...plan.users], groups: [...plan.groups], memberships: plan.memberships },
      { reconcile: true, users: ['u1'], groups: ['g1'], memberships: true },
    );
  });

  it('ignores sign-ins, other services, device groups, and user updates of unsynced fields such as the password', () => {
    const plan = planInsights([
      event('1', 0, 'user_login_attempt'),
      event('2', 1, 'admin_login_attempt'),
      { id: '3', event_type: 'organization_update', timestamp: iso(2), resource: { id: 'o', type: 'organization' } },
      { id: '4', event_type: 'group_create', timestamp: iso(3), resource: { id: 'sg', type: 'system_group' } },
      {
        id: '5',
        event_type: 'association_change',
        timestamp: iso(4),
        association: { connection: { from: { type: 'system', object_id: 's' }, to: { type: 'policy', object_id: 'p' } } },
      },
      { ...event('6', 5, 'user_update'), changes: [{ field: 'password' }] },
    ]);
    assert.equal(plan.reconcile, false);
  });

  it('reconciles for a user update that touches a synced field, or whose changes it cannot read', () => {
    assert.equal(planInsights([{ ...event('1', 0), changes: [{ field: 'password' }, { field: 'lastname', from: 'a', to: 'b' }] }]).reconcile, true);
    assert.equal(planInsights([event('2', 0)]).reconcile, true, 'no change list');
    assert.equal(planInsights([{ id: '3', event_type: 'association_change', timestamp: iso(0) }]).reconcile, true, 'an association of unknown ends');
  });
});
