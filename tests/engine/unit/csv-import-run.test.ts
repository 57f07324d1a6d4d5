// The import runner against an in-memory JumpCloud: planning against existing users, bounded
// concurrency, idempotent reruns, groups created once, a lost answer checked before it counts as a
// failure, a run that stops when JumpCloud is lost, -WhatIf writing nothing, no password in results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import { resolveColumns } from '../../../engine/src/csv/columns';
import { loadExistingUsers, planImport, runImport, type ImportClient, type ImportOptions, type RowResult } from '../../../engine/src/csv/import';
import { parseCsvText } from '../../../engine/src/csv/read';
import { validateRows } from '../../../engine/src/csv/validate';
import type { NewSystemUser } from '../../../engine/src/jumpcloud/client';
import type { GraphConnection, SystemUser, UserGroup } from '../../../engine/src/jumpcloud/schemas';

interface FakeOptions {
  createDelayMs?: number;
  /** Throw this from createUser for these usernames (after, with `applied`, creating the user). */
  createFails?: Map<string, { error: EngineError; applied?: boolean }>;
  memberFails?: EngineError;
}

class FakeJumpCloud implements ImportClient {
  users: Array<SystemUser & { password?: string }> = [];
  groups: UserGroup[] = [];
  members = new Map<string, Set<string>>();
  bound = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  private next = 1;

  constructor(private readonly options: FakeOptions = {}) {}

  private id(): string {
    return (this.next++).toString(16).padStart(24, '0');
  }

  async *listUsers(options: { filter?: string[] } = {}): AsyncGenerator<SystemUser> {
    this.calls.push('listUsers');
    const wanted = options.filter?.[0]?.replace('username:$eq:', '');
    for (const u of this.users) if (!wanted || u.username === wanted) yield { _id: u._id, username: u.username, email: u.email };
  }

  async createUser(user: NewSystemUser): Promise<SystemUser> {
    this.calls.push(`create:${user.username}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.options.createDelayMs ?? 1));
      const failure = this.options.createFails?.get(user.username);
      const created = { ...(user as NewSystemUser & { password?: string }), _id: this.id() } as SystemUser & { password?: string };
      if (failure && !failure.applied) throw failure.error;
      this.users.push(created);
      if (failure) throw failure.error;
      return created;
    } finally {
      this.inFlight--;
    }
  }

  async *listUserGroups(): AsyncGenerator<UserGroup> {
    yield* this.groups;
  }

  async createUserGroup(name: string): Promise<UserGroup> {
    this.calls.push(`createGroup:${name}`);
    const group = { id: this.id(), name };
    this.groups.push(group);
    return group;
  }

  async changeGroupMember(groupId: string, userId: string): Promise<void> {
    if (this.options.memberFails) throw this.options.memberFails;
    const set = this.members.get(groupId) ?? new Set<string>();
    set.add(userId);
    this.members.set(groupId, set);
  }

  async *listGroupMembers(groupId: string): AsyncGenerator<GraphConnection> {
    for (const id of this.members.get(groupId) ?? []) yield { to: { id, type: 'user' } };
  }

  async *listDomainAssociations(): AsyncGenerator<GraphConnection> {
    for (const id of this.bound) yield { to: { id, type: 'user' } };
  }

  async bindToDomain(_domainId: string, _type: 'user' | 'user_group', id: string): Promise<void> {
    this.calls.push(`bind:${id}`);
    this.bound.add(id);
  }
}

const HEADER = 'FirstName,LastName,Username,Password,Email,Group1';
const csvOf = (n: number, start = 1, group = 'Staff') =>
  `${HEADER}\n${Array.from({ length: n }, (_, i) => `First${start + i},Last${start + i},user${start + i},Passw0rd-${start + i}!x,user${start + i}@example.com,${group}`).join('\n')}\n`;

async function importCsv(client: FakeJumpCloud, csv: string, options: Partial<ImportOptions> = {}) {
  const parsed = parseCsvText(csv, 'UTF-8');
  const rows = validateRows(parsed.records, resolveColumns(parsed.header), { policy: { minLength: 8, needsNumeric: true }, requirePassword: false });
  const plans = planImport(rows, await loadExistingUsers(client));
  const results: RowResult[] = [];
  const outcome = await runImport(client, plans, { whatIf: false, concurrency: 4, domainId: 'dom1', onResult: (r) => results.push(r), ...options });
  results.sort((a, b) => a.Row - b.Row);
  return { outcome, results, plans };
}

const unreachable = () => new EngineError('JumpCloud.Unreachable', 'Cannot reach JumpCloud', { category: 'ConnectionError', exitCode: ExitCode.Unreachable });
const timeout = () => new EngineError('JumpCloud.Timeout', 'JumpCloud did not answer', { category: 'OperationTimeout', exitCode: ExitCode.Unreachable });
const rejected = (message: string) =>
  new EngineError('JumpCloud.RequestRejected', message, { category: 'InvalidOperation', exitCode: ExitCode.PartialFailure });

describe('csv import run', () => {
  it('creates every user once, with bounded concurrency, its group and its domain binding', async () => {
    const jc = new FakeJumpCloud({ createDelayMs: 5 });
    const { outcome, results } = await importCsv(jc, csvOf(40), { concurrency: 6 });
    assert.equal(outcome.counts.Created, 40);
    assert.ok(jc.maxInFlight <= 6 && jc.maxInFlight >= 2, `max in flight ${jc.maxInFlight}`);
    assert.deepEqual(outcome.groupsCreated, ['Staff']);
    assert.equal(jc.calls.filter((c) => c === 'createGroup:Staff').length, 1);
    assert.equal(jc.members.get(jc.groups[0]?.id as string)?.size, 40);
    assert.equal(jc.bound.size, 40);
    assert.deepEqual(
      results.map((r) => r.Row),
      Array.from({ length: 40 }, (_, i) => i + 2),
    );
    assert.ok(results.every((r) => r.Status === 'Created' && /^[0-9a-f]{24}$/.test(r.JumpCloudId ?? '') && r.BoundToDomain && r.Groups[0] === 'Staff'));
    assert.equal(jc.users[0]?.password, 'Passw0rd-1!x', 'the password goes to JumpCloud');
  });

  it('is idempotent: a rerun creates nothing and completes memberships', async () => {
    const jc = new FakeJumpCloud();
    await importCsv(jc, csvOf(10));
    jc.members.clear();
    jc.bound.clear();
    const { outcome, results } = await importCsv(jc, csvOf(12));
    assert.deepEqual([outcome.counts.Created, outcome.counts.Exists], [2, 10]);
    assert.equal(jc.users.length, 12, 'no duplicates');
    assert.equal(jc.members.get(jc.groups[0]?.id as string)?.size, 12);
    assert.equal(jc.bound.size, 12);
    assert.match(results[0]?.Reason ?? '', /already in JumpCloud/);
    const calls = jc.calls.length;
    const third = await importCsv(jc, csvOf(12));
    assert.equal(third.outcome.counts.Exists, 12);
    assert.equal(third.outcome.membershipsAdded, 0);
    assert.deepEqual(
      jc.calls.slice(calls).filter((c) => !c.startsWith('list')),
      [],
      'a converged rerun only reads',
    );
  });

  it('leaves a same-named user with another e-mail alone, and refuses an e-mail that belongs to someone else', async () => {
    const jc = new FakeJumpCloud();
    jc.users.push(
      { _id: 'a'.repeat(24), username: 'user1', email: 'other@example.com' },
      { _id: 'b'.repeat(24), username: 'someone', email: 'user2@example.com' },
    );
    const { outcome, results } = await importCsv(jc, csvOf(3));
    assert.deepEqual(
      results.map((r) => r.Status),
      ['Exists', 'Invalid', 'Created'],
    );
    assert.match(results[0]?.Reason ?? '', /another e-mail \('other@example.com'\); left untouched/);
    assert.equal(results[1]?.ErrorId, 'Csv.EmailTaken');
    assert.match(results[1]?.Reason ?? '', /belongs to the JumpCloud user 'someone'/);
    assert.equal(jc.bound.has('a'.repeat(24)), false);
    assert.equal(outcome.counts.Created, 1);
  });

  it('-WhatIf reports WouldCreate, Exists and Invalid and writes nothing', async () => {
    const jc = new FakeJumpCloud();
    jc.users.push({ _id: 'c'.repeat(24), username: 'user2', email: 'user2@example.com' });
    const csv = csvOf(3) + 'Bad,Row,bad user,,bad@example.com,\n';
    const { outcome, results } = await importCsv(jc, csv, { whatIf: true });
    assert.deepEqual(
      results.map((r) => r.Status),
      ['WouldCreate', 'Exists', 'WouldCreate', 'Invalid'],
    );
    assert.deepEqual(outcome.groupsToCreate, ['Staff']);
    assert.equal(jc.users.length, 1);
    assert.equal(jc.groups.length, 0);
    assert.equal(jc.bound.size, 0);
    assert.ok(jc.calls.every((c) => !c.startsWith('create')));
  });

  it('checks a lost answer before calling the row failed', async () => {
    const jc = new FakeJumpCloud({ createFails: new Map([['user2', { error: timeout(), applied: true }]]) });
    const { results, outcome } = await importCsv(jc, csvOf(3));
    assert.deepEqual(
      results.map((r) => r.Status),
      ['Created', 'Created', 'Created'],
    );
    assert.match(results[1]?.Reason ?? '', /confirmed after an unclear answer/);
    assert.equal(jc.users.length, 3);
    assert.equal(outcome.stoppedBy, null);
  });

  it('fails one row on a refusal, keeps its password out of the reason, and goes on', async () => {
    const jc = new FakeJumpCloud({ createFails: new Map([['user2', { error: rejected('Password Passw0rd-2!x is in the list of common passwords') }]]) });
    const { results, outcome } = await importCsv(jc, csvOf(3));
    assert.deepEqual(
      results.map((r) => r.Status),
      ['Created', 'Failed', 'Created'],
    );
    assert.equal(results[1]?.ErrorId, 'JumpCloud.RequestRejected');
    assert.equal(results[1]?.Reason, 'Password *** is in the list of common passwords');
    assert.equal(outcome.counts.Failed, 1);
    assert.ok(!JSON.stringify(results).includes('Passw0rd-'), 'no password in any result');
  });

  it('stops when JumpCloud is lost: the rest is Skipped, nothing is retried blindly', async () => {
    const fails = new Map(Array.from({ length: 30 }, (_, i) => [`user${i + 3}`, { error: unreachable() }] as const));
    const jc = new FakeJumpCloud({ createFails: new Map(fails) });
    const { results, outcome } = await importCsv(jc, csvOf(30), { concurrency: 1 });
    assert.equal(outcome.stoppedBy?.id, 'JumpCloud.Unreachable');
    assert.deepEqual(
      results.slice(0, 3).map((r) => r.Status),
      ['Created', 'Created', 'Failed'],
    );
    assert.ok(results.slice(3).every((r) => r.Status === 'Skipped' && /run stopped \(JumpCloud.Unreachable\)/.test(r.Reason)));
    assert.equal(jc.calls.filter((c) => c.startsWith('create:')).length, 3);
  });

  it('marks a created user whose membership failed as Failed, with its id, so a rerun finishes it', async () => {
    const jc = new FakeJumpCloud({ memberFails: rejected('group is read-only') });
    const { results } = await importCsv(jc, csvOf(1));
    assert.equal(results[0]?.Status, 'Failed');
    assert.match(results[0]?.JumpCloudId ?? '', /^[0-9a-f]{24}$/);
    assert.match(results[0]?.Reason ?? '', /^created, but adding to the group 'Staff' failed: group is read-only; run the import again/);
    assert.equal(results[0]?.BoundToDomain, true);
  });
});
