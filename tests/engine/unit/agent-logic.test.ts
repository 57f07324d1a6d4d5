// The agent's pure decisions: per-object backoff and quarantine, what a batch of change events
// asks for, offboarding, the history filter, and the state file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planBatch } from '../../../engine/src/agent/events';
import {
  backoffMs,
  deferOperations,
  failureKey,
  objectKey,
  recordFailure,
  recordSuccesses,
  releaseObjects,
  retryQuarantined,
  type Failures,
} from '../../../engine/src/agent/failures';
import { filterHistory } from '../../../engine/src/agent/history';
import { offboard, offboardDecisions, scanStart, type ManagedUserState, type OffboardContext } from '../../../engine/src/agent/offboard';
import { initialState, readAgentState, StateStore } from '../../../engine/src/agent/state';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import type { ChangeEvent } from '../../../engine/src/jumpcloud/agent-protocol';
import type { JournalEntry } from '../../../engine/src/sync/journal';
import type { Plan, PlanOp } from '../../../engine/src/sync/model';
import type { Anchor } from '../../../engine/src/ad/model';

const policy = { baseMs: 1000, maxMs: 8000, quarantineAfter: 3 };
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const planOf = (operations: PlanOp[]): Plan => ({ operations, counts: {}, refusal: null, managedObjects: 0 });
const attrs = { cn: 'a', sAMAccountName: 'a', userPrincipalName: 'a@x', givenName: 'A', sn: 'A', displayName: 'A A', mail: '' };
const failure = (n = 1) => ({ kind: 'createUser', target: 'CN=a,OU=R', jcId: 'u1', errorId: 'AD.ConstraintViolation', message: `refused ${n}` });

describe('per-object backoff and quarantine', () => {
  it('doubles the delay up to the maximum, and quarantines after N failures in a row', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffMs(n, policy)),
      [1000, 2000, 4000, 8000, 8000],
    );
    const failures: Failures = {};
    const first = recordFailure(failures, 'user:u1', failure(1), t0, policy);
    assert.equal(first.count, 1);
    assert.equal(first.quarantined, false);
    assert.equal(first.nextAttemptAt, at(1000).toISOString());
    recordFailure(failures, 'user:u1', failure(2), at(1000), policy);
    const third = recordFailure(failures, 'user:u1', failure(3), at(3000), policy);
    assert.equal(third.count, 3);
    assert.equal(third.quarantined, true);
    assert.equal(third.firstAt, t0.toISOString(), 'remembers when the trouble began');
    assert.equal(third.lastError, 'refused 3');
    recordSuccesses(failures, ['user:u1']);
    assert.deepEqual(failures, {});
  });

  it('holds back a backing-off user and the memberships that need it; the rest goes on', () => {
    const ops: PlanOp[] = [
      { kind: 'createUser', jcId: 'u1', dn: 'CN=a,OU=R', attributes: attrs, enabled: true, reason: 'r' },
      { kind: 'createUser', jcId: 'u2', dn: 'CN=b,OU=R', attributes: { ...attrs, cn: 'b' }, enabled: true, reason: 'r' },
      { kind: 'renameUser', jcId: 'u3', dn: 'CN=c,OU=R', newDn: 'CN=c2,OU=R', name: 'c2', reason: 'r' },
      { kind: 'addMember', groupDn: 'CN=G,OU=R', memberDn: 'CN=a,OU=R', group: 'G', member: 'a', reason: 'r' },
      { kind: 'addMember', groupDn: 'CN=G,OU=R', memberDn: 'cn=c2,ou=r', group: 'G', member: 'c2', reason: 'r' },
      { kind: 'addMember', groupDn: 'CN=G,OU=R', memberDn: 'CN=b,OU=R', group: 'G', member: 'b', reason: 'r' },
    ];
    const failures: Failures = {};
    recordFailure(failures, 'user:u1', failure(), t0, policy);
    recordFailure(failures, 'user:u3', { ...failure(), kind: 'renameUser', jcId: 'u3' }, t0, policy);
    const early = deferOperations(planOf(ops), failures, at(500));
    assert.deepEqual(
      early.plan.operations.map((o) => objectKey(o)),
      ['user:u2', 'member:cn=g,ou=r|cn=b,ou=r'],
    );
    assert.equal(early.deferred.length, 4);
    assert.deepEqual(early.plan.counts, { createUser: 1, addMember: 1 });
    const later = deferOperations(planOf(ops), failures, at(1500));
    assert.equal(later.plan.operations.length, ops.length, 'retried once the delay passed');
  });

  it('keeps a quarantined object out until a change event names it', () => {
    const failures: Failures = {};
    for (let i = 0; i < 3; i++) recordFailure(failures, 'user:u1', failure(i), t0, policy);
    recordFailure(failures, 'member:cn=g|cn=a', { ...failure(), kind: 'addMember', jcId: null }, t0, policy);
    recordFailure(failures, 'group:g9', { ...failure(), kind: 'createGroup', jcId: 'g9' }, t0, policy);
    const ops: PlanOp[] = [{ kind: 'createUser', jcId: 'u1', dn: 'CN=a', attributes: attrs, enabled: true, reason: 'r' }];
    assert.equal(deferOperations(planOf(ops), failures, at(3_600_000)).plan.operations.length, 0, 'still held an hour later');
    assert.deepEqual(releaseObjects(failures, { users: ['u1'], groups: [], memberships: false }), ['user:u1']);
    assert.equal(deferOperations(planOf(ops), failures, at(3_600_000)).plan.operations.length, 1);
    assert.deepEqual(releaseObjects(failures, { users: [], groups: ['g9'], memberships: true }).sort(), ['group:g9', 'member:cn=g|cn=a']);
  });

  it('gives a quarantined object one more try at each scheduled full reconcile, never more', () => {
    const hour = 3_600_000;
    const failures: Failures = {};
    for (let i = 0; i < 3; i++) recordFailure(failures, 'user:u1', failure(i), at(i), policy);
    recordFailure(failures, 'user:u2', failure(), t0, policy);
    const ops: PlanOp[] = [{ kind: 'createUser', jcId: 'u1', dn: 'CN=a', attributes: attrs, enabled: true, reason: 'r' }];
    const applied = (now: Date) => deferOperations(planOf(ops), failures, now).plan.operations.length;
    assert.equal(applied(at(hour - 1)), 0, 'quarantined until the schedule');
    assert.deepEqual(retryQuarantined(failures, at(hour)), ['user:u1'], 'only quarantined objects; backing-off ones keep their delay');
    assert.equal(applied(at(hour)), 1, 'tried at the scheduled reconcile');
    const again = recordFailure(failures, 'user:u1', failure(4), at(hour), policy);
    assert.equal(again.quarantined, true, 'one more failure quarantines it again at once');
    assert.equal(again.count, 4);
    assert.equal(applied(at(hour + 60_000)), 0, 'not retried by the reconciles in between');
    assert.equal(applied(at(2 * hour - 1)), 0);
    assert.deepEqual(retryQuarantined(failures, at(2 * hour)), ['user:u1']);
    assert.equal(applied(at(2 * hour)), 1, 'the next schedule tries again');
    recordSuccesses(failures, ['user:u1']);
    assert.equal(failures['user:u1'], undefined, 'a success ends it');
    assert.equal(failures['user:u2']?.quarantined, false);
  });

  it('names an applier failure like the plan operation it came from', () => {
    const add: PlanOp = { kind: 'addMember', groupDn: 'CN=G,OU=R', memberDn: 'CN=a,OU=R', group: 'G', member: 'a', reason: 'r' };
    const plan = planOf([add]);
    assert.equal(failureKey({ kind: 'addMember', jcId: null, target: 'a in G' }, plan), objectKey(add));
    assert.equal(failureKey({ kind: 'updateGroup', jcId: 'g1', target: 'CN=G' }, plan), 'group:g1');
    assert.equal(failureKey({ kind: 'enableUser', jcId: 'u7', target: 'CN=x' }, plan), 'user:u7');
  });
});

describe('change events → what the agent does', () => {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>, extra: Partial<ChangeEvent> = {}): ChangeEvent => ({
    id: `e${++seq}`,
    seq,
    type,
    at: '',
    domainId: null,
    data,
    ...extra,
  });

  it('reconciles for user, group, membership and binding changes; collects the names', () => {
    const batch = planBatch([
      ev('user.updated', { user: { _id: 'u1' }, changed: ['lastname'] }),
      ev('group.member_added', { groupId: 'g1', userId: 'u2' }),
      ev('domain.association_added', { targetType: 'user_group', targetId: 'g2' }),
    ]);
    assert.equal(batch.reconcile, true);
    assert.deepEqual([...batch.users].sort(), ['u1', 'u2']);
    assert.deepEqual([...batch.groups].sort(), ['g1', 'g2']);
    assert.equal(batch.memberships, true);
  });

  it('does not reconcile for fields the sync does not map, or for a primary change', () => {
    const batch = planBatch([
      ev('user.updated', { user: { _id: 'u1' }, changed: ['jobTitle', 'department'] }),
      ev('domain.primary_changed', { primaryAgent: 'a2' }),
    ]);
    assert.equal(batch.reconcile, false);
    assert.equal(batch.primaryChanged, true);
    assert.equal(planBatch([ev('user.updated', { user: { _id: 'u1' } })]).reconcile, true, 'unknown changes: reconcile to be safe');
  });

  it('targets the objects the events name; an event without the id it needs asks for a full reconcile', () => {
    const batch = planBatch([
      ev('user.updated', { user: { _id: 'u1' }, changed: ['lastname'] }),
      ev('group.member_added', { groupId: 'g1', userId: 'u2' }),
      ev('group.updated', { group: { id: 'g3' } }),
      ev('domain.association_added', { targetType: 'user_group', targetId: 'g2' }),
      ev('domain.association_removed', { targetType: 'user', targetId: 'u3' }),
    ]);
    assert.equal(batch.full, false);
    assert.deepEqual([...batch.targets.users].sort(), ['u1', 'u2', 'u3'], 'a membership change targets its user (its traversal gives every edge)');
    assert.deepEqual([...batch.targets.groups], ['g3']);
    assert.deepEqual([...batch.targets.groupMembers], ['g2'], 'a newly bound group is read whole');
    assert.equal(planBatch([ev('group.member_removed', { groupId: 'g1' })]).targets.groupMembers.has('g1'), true, 'no user named: the group is read whole');
    assert.equal(planBatch([ev('user.deleted', {})]).full, true);
    assert.equal(planBatch([ev('domain.association_added', { targetType: 'system', targetId: 'x' })]).full, true);
  });

  it('keeps password events apart, oldest first, without a reconcile of their own', () => {
    const p1 = ev('user.password_changed', { userId: 'u1', username: 'a' });
    const p2 = ev('user.password_changed', { userId: 'u2', username: 'b' });
    const batch = planBatch([p1, p2]);
    assert.deepEqual(
      batch.passwords.map((p) => p.id),
      [p1.id, p2.id],
    );
    assert.equal(batch.reconcile, false);
  });
});

describe('offboarding decisions', () => {
  const user = (jcId: string, over: Partial<ManagedUserState> = {}, anchor: Partial<Anchor> = {}): ManagedUserState => ({
    dn: `CN=${jcId}`,
    sAMAccountName: jcId,
    anchor: { jcId, syncDisabled: false, offboarded: false, ...anchor },
    disabled: false,
    protected: false,
    proven: true,
    ...over,
  });
  const ids = (users: ManagedUserState[]) => users.map((u) => u.anchor.jcId);

  it('suspends accounts an administrator disabled and not yet marked; never those the sync disabled, marked or protected ones', () => {
    const { suspend, mark, unmark } = offboardDecisions([
      user('admin-disabled', { disabled: true }),
      user('sync-disabled', { disabled: true }, { syncDisabled: true }),
      user('enabled'),
      user('protected', { disabled: true, protected: true }),
      user('marked', { disabled: true }, { offboarded: true }),
      user('planted', { disabled: true, proven: false }),
    ]);
    assert.deepEqual(ids(suspend), ['admin-disabled'], 'an anchor without a valid proof never suspends anyone');
    assert.deepEqual(mark, []);
    assert.deepEqual(unmark, []);
  });

  it('decides from AD alone: the same on any agent, with or without history', () => {
    const world = [user('a', { disabled: true }), user('b', { disabled: true }, { offboarded: true }), user('c', {}, { offboarded: true })];
    const fresh = offboardDecisions(world);
    assert.deepEqual(ids(fresh.suspend), ['a']);
    assert.deepEqual(ids(fresh.unmark), ['c'], 'enabled again: the mark goes, so a later disable offboards anew');
  });

  it('marks, without suspending again, users an earlier version remembered in its state file', () => {
    const decisions = offboardDecisions([user('old', { disabled: true }), user('new', { disabled: true })], new Set(['old', 'gone']));
    assert.deepEqual(ids(decisions.suspend), ['new']);
    assert.deepEqual(ids(decisions.mark), ['old']);
  });

  /** A JumpCloud and an AD that record what is done to them, in order. */
  const world = (options: { suspended?: Set<string>; refuse?: Map<string, EngineError>; markFails?: EngineError[] } = {}) => {
    const calls: string[] = [];
    const journal: Array<Omit<JournalEntry, 'time' | 'run'>> = [];
    const logs: string[] = [];
    const suspended = options.suspended ?? new Set<string>();
    const ctx: OffboardContext = {
      client: {
        getUser: async (id: string) => {
          const refusal = options.refuse?.get(id);
          if (refusal) throw refusal;
          return { _id: id, suspended: suspended.has(id) } as Awaited<ReturnType<OffboardContext['client']['getUser']>>;
        },
        updateUser: async (id: string, changes: Record<string, unknown>) => {
          calls.push(`suspend ${id}`);
          if (changes.suspended === true) suspended.add(id);
          return { _id: id } as Awaited<ReturnType<OffboardContext['client']['updateUser']>>;
        },
      },
      writer: {
        setOffboarded: async (dn: string, current: Anchor, offboarded: boolean) => {
          const failure = options.markFails?.shift();
          if (failure) throw failure;
          calls.push(`${offboarded ? 'mark' : 'unmark'} ${current.jcId}`);
        },
      },
      journal: { write: (entry) => journal.push(entry) },
      log: (_level, message) => logs.push(message),
    };
    return { ctx, calls, journal, logs, suspended };
  };
  const outage = () => new EngineError('AD.Unreachable', 'the DC is down', { exitCode: ExitCode.Unreachable });

  it("suspends only JumpCloud ids in the domain's scope, reading the scope once and only when someone is to be suspended", async () => {
    const w = world();
    let reads = 0;
    const inScope = async () => {
      reads++;
      return new Set(['inside']);
    };
    const nothing = await offboard([user('quiet')], { ...w.ctx, inScope });
    assert.equal(nothing.offboarded, 0);
    assert.equal(reads, 0, 'no one to suspend: the scope is not read');
    const done = await offboard([user('inside', { disabled: true }), user('elsewhere', { disabled: true })], { ...w.ctx, inScope });
    assert.equal(reads, 1);
    assert.equal(done.offboarded, 1);
    assert.deepEqual(w.calls, ['suspend inside', 'mark inside'], 'the out-of-scope id is neither suspended nor marked');
    assert.ok(w.journal.some((j) => j.jcId === 'elsewhere' && j.outcome === 'reported' && /not in this ADI domain's scope/.test(String(j.detail))));
  });

  it('a disabled account whose anchor has no valid proof is reported, never suspended or marked', async () => {
    const w = world();
    const done = await offboard(
      [
        user('victim', { dn: 'CN=planted', disabled: true, proven: false }, { proof: 'A'.repeat(22) }),
        user('bare', { disabled: true, proven: false }),
        user('quiet', { proven: false }),
      ],
      w.ctx,
    );
    assert.equal(done.offboarded, 0);
    assert.deepEqual(w.calls, [], 'nothing suspended in JumpCloud, nothing marked in AD');
    assert.deepEqual(
      w.journal.map((e) => [e.kind, e.target, e.jcId, e.outcome]),
      [
        ['skip', 'CN=planted', 'victim', 'reported'],
        ['skip', 'CN=bare', 'bare', 'reported'],
      ],
      'an enabled one has nothing to offboard: not reported',
    );
    assert.match(w.journal[0]?.detail ?? '', /proof that does not fit/);
    assert.match(w.journal[1]?.detail ?? '', /has no proof/);
  });

  it('staging: journals "would suspend" once, suspends and marks nothing, forgets an account enabled again', async () => {
    const w = world();
    const staged: Record<string, string> = {};
    await offboard([user('u1', { disabled: true }), user('u2'), user('back', {}, { offboarded: true })], { ...w.ctx, staged });
    await offboard([user('u1', { disabled: true })], { ...w.ctx, staged });
    assert.deepEqual(w.calls, [], 'nothing suspended in JumpCloud, nothing marked or unmarked in AD');
    assert.deepEqual(
      w.journal.map((e) => [e.jcId, e.kind, e.outcome]),
      [['u1', 'offboardUser', 'staged']],
    );
    assert.match(w.journal[0]?.detail ?? '', /would suspend/);
    await offboard([user('u1')], { ...w.ctx, staged });
    assert.deepEqual(staged, {}, 'enabled again: forgotten');
    await offboard([user('u1', { disabled: true })], { ...w.ctx, staged });
    assert.equal(w.journal.length, 2, 'a later disable is journaled again');
  });

  it('suspends first, then marks; a crash between the two only suspends again, which changes nothing', async () => {
    const w = world({ markFails: [outage()] });
    const admin = user('u1', { disabled: true });
    await assert.rejects(offboard([admin], w.ctx), /the DC is down/, 'an outage while marking is thrown: the watermark stays');
    assert.deepEqual(w.calls, ['suspend u1'], 'suspended, not marked');
    assert.equal(w.journal.length, 1);
    const again = await offboard([admin], w.ctx);
    assert.deepEqual(w.calls, ['suspend u1', 'mark u1'], 'the second check finds the user suspended already: no second suspension');
    assert.equal(again.offboarded, 1);
    assert.match(w.journal[1]?.detail ?? '', /already suspended/);
    assert.deepEqual(offboardDecisions([user('u1', { disabled: true }, { offboarded: true })]).suspend, [], 'once marked, never again');
  });

  it('leaves a refused suspension unmarked (tried again), marks a user JumpCloud no longer has, clears marks of enabled accounts', async () => {
    const refuse = new Map([
      ['refused', new EngineError('JumpCloud.Forbidden', 'no', { exitCode: ExitCode.Refused })],
      ['deleted', new EngineError('JumpCloud.NotFound', 'gone', { exitCode: ExitCode.Refused })],
    ]);
    const w = world({ refuse });
    const done = await offboard([user('refused', { disabled: true }), user('deleted', { disabled: true }), user('back', {}, { offboarded: true })], w.ctx);
    assert.deepEqual(w.calls, ['mark deleted', 'unmark back']);
    assert.equal(done.failed, 1);
    assert.deepEqual(
      w.journal.map((e) => [e.jcId, e.outcome, e.errorId]),
      [
        ['refused', 'failed', 'JumpCloud.Forbidden'],
        ['deleted', 'reported', undefined],
      ],
    );
    assert.equal(done.offboarded, 0, 'nobody was suspended');
  });

  it('skips an account whose anchor changed before the mark (compare-and-swap refused) and goes on', async () => {
    const changed = new EngineError('AD.OperationFailed', 'no such attribute', { exitCode: ExitCode.Refused, details: { ldapCode: 16 } });
    const w = world({ markFails: [changed] });
    const done = await offboard([user('u1', { disabled: true }), user('u2', { disabled: true })], w.ctx);
    assert.deepEqual(w.calls, ['suspend u1', 'suspend u2', 'mark u2']);
    assert.equal(done.offboarded, 2);
    assert.ok(w.logs.some((l) => /u1: its anchor changed meanwhile/.test(l)));
  });

  it('marks legacy users without suspending them; keeps those whose mark failed', async () => {
    const w = world({ markFails: [new EngineError('AD.OperationFailed', 'refused', { exitCode: ExitCode.Refused })] });
    const done = await offboard([user('old1', { disabled: true }), user('old2', { disabled: true })], { ...w.ctx, suspendedBefore: new Set(['old1', 'old2']) });
    assert.deepEqual(w.calls, ['mark old2']);
    assert.deepEqual(done.legacyPending, ['old1']);
    assert.equal(done.offboarded, 0);
  });

  it('scans from the watermark, or everything after a restore, a DC change or a lower USN', () => {
    const saved = { dc: 'dc1', invocationId: 'aa', highestCommittedUsn: '100' };
    assert.equal(scanStart(saved, 'dc1', { invocationId: 'aa', highestCommittedUsn: '120' }), '100');
    assert.equal(scanStart(null, 'dc1', { invocationId: 'aa', highestCommittedUsn: '120' }), null);
    assert.equal(scanStart(saved, 'dc1', { invocationId: 'bb', highestCommittedUsn: '120' }), null, 'restored DC');
    assert.equal(scanStart(saved, 'dc2', { invocationId: 'aa', highestCommittedUsn: '120' }), null, 'another DC');
    assert.equal(scanStart(saved, 'dc1', { invocationId: 'aa', highestCommittedUsn: '90' }), null, 'USN went back');
  });
});

describe('history filter', () => {
  const entry = (time: string, kind: string, target: string, jcId: string | null, outcome: JournalEntry['outcome']): JournalEntry => ({
    time,
    run: 'r',
    kind,
    target,
    jcId,
    outcome,
    detail: '',
  });
  const entries = [
    entry('2030-01-01T10:00:00Z', 'createUser', 'CN=ann.lee,OU=R', 'u1', 'applied'),
    entry('2030-01-01T11:00:00Z', 'setPassword', 'CN=ann.lee,OU=R', 'u1', 'failed'),
    entry('2030-01-01T12:00:00Z', 'createUser', 'CN=bob,OU=R', 'u2', 'applied'),
    entry('2030-01-01T13:00:00Z', 'addMember', 'bob in Sales', null, 'applied'),
  ];
  it('filters by user (id or name), time, outcome, kind, and keeps the last N', () => {
    assert.equal(filterHistory(entries, { user: 'ANN.LEE' }).length, 2);
    assert.equal(filterHistory(entries, { user: 'u2' }).length, 1);
    assert.equal(filterHistory(entries, { user: 'bob' }).length, 2);
    assert.equal(filterHistory(entries, { since: new Date('2030-01-01T11:00:00Z'), until: new Date('2030-01-01T12:00:00Z') }).length, 2);
    assert.deepEqual(
      filterHistory(entries, { outcome: 'failed' }).map((e) => e.kind),
      ['setPassword'],
    );
    assert.equal(filterHistory(entries, { kind: 'createuser' }).length, 2);
    assert.deepEqual(
      filterHistory(entries, { last: 1 }).map((e) => e.kind),
      ['addMember'],
    );
  });
});

describe('state file', () => {
  it('survives a restart, is written 0600, and a damaged one is set aside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcadi-state-'));
    const file = join(dir, 'state.json');
    const store = new StateStore(file, readAgentState(file, '0.1.0'));
    store.update(
      (s) => {
        s.cursor = 42;
        s.offboarded.u1 = 'now';
      },
      { flush: true },
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readAgentState(file, '0.1.0').cursor, 42);
    writeFileSync(file, '{ broken');
    assert.deepEqual(readAgentState(file, '0.1.0'), initialState('0.1.0'));
    assert.ok(!existsSync(file));
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('state.json.damaged-')).length, 1);
    assert.ok(readFileSync(join(dir, readdirSync(dir)[0] as string), 'utf8').includes('broken'));
    rmSync(dir, { recursive: true, force: true });
  });
});
