import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import { apply, type DirectoryWriter } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import type { Plan, PlanOp } from '../../../engine/src/sync/model';

function recorder(failOn: (call: string) => boolean = () => false) {
  const calls: string[] = [];
  const act = async (call: string) => {
    calls.push(call);
    if (failOn(call)) throw new EngineError('AD.ConstraintViolation', `refused ${call}`, { exitCode: ExitCode.PartialFailure });
  };
  const writer: DirectoryWriter = {
    createUser: (dn, _id, _a, password) => act(`createUser ${dn} pw=${password.length}`),
    setPassword: (dn) => act(`setPassword ${dn}`),
    updateAttributes: (dn, values, adopt) => act(`update ${dn} ${Object.keys(values).join(',')}${adopt ? ' adopt' : ''}`),
    rename: (dn, newDn) => act(`rename ${dn}->${newDn}`),
    setEnabled: (dn, _id, enabled) => act(`${enabled ? 'enable' : 'disable'} ${dn}`),
    createGroup: (dn) => act(`createGroup ${dn}`),
    deleteGroup: (dn) => act(`deleteGroup ${dn}`),
    setGroupUnbound: (dn, _id, unbound) => act(`${unbound ? 'unbind' : 'rebind'} ${dn}`),
    changeMembers: async (g, dns, op) => {
      calls.push(`${op} ${g} [${dns.join(' ')}]`);
      return new Map(dns.filter((d) => failOn(`member ${d}`)).map((d) => [d, new Error(`member ${d} refused`)]));
    },
  };
  return { calls, writer };
}

const planOf = (operations: PlanOp[]): Plan => ({ operations, counts: {}, refusal: null, managedObjects: 0 });
const ops: PlanOp[] = [
  { kind: 'createGroup', jcId: 'g1', dn: 'CN=G', name: 'G', description: '', reason: 'r' },
  {
    kind: 'createUser',
    jcId: 'u1',
    dn: 'CN=a',
    attributes: { cn: 'a', sAMAccountName: 'a', userPrincipalName: 'a@x', givenName: 'A', sn: 'A', displayName: 'A A', mail: '' },
    enabled: true,
    reason: 'r',
  },
  {
    kind: 'createUser',
    jcId: 'u2',
    dn: 'CN=b',
    attributes: { cn: 'b', sAMAccountName: 'b', userPrincipalName: 'b@x', givenName: 'B', sn: 'B', displayName: 'B B', mail: '' },
    enabled: true,
    reason: 'r',
  },
  { kind: 'addMember', groupDn: 'CN=G', memberDn: 'CN=a', group: 'G', member: 'a', reason: 'r' },
  { kind: 'addMember', groupDn: 'CN=G', memberDn: 'CN=b', group: 'G', member: 'b', reason: 'r' },
  { kind: 'enableUser', jcId: 'u3', dn: 'CN=c', name: 'c', mayLackPassword: true, reason: 'r' },
  { kind: 'disableUser', jcId: 'u4', dn: 'CN=d', name: 'd', reason: 'r' },
  { kind: 'skip', objectType: 'user', jcId: 'u5', name: 'e', dn: null, code: 'MissingName', reason: 'no last name' },
];

describe('apply', () => {
  it('runs phases in order and batches members per group', async () => {
    const { calls, writer } = recorder();
    const journal = memoryJournal();
    const outcome = await apply(planOf(ops), { writer, journal, initialPassword: () => 'x'.repeat(24), concurrency: 1 });
    assert.deepEqual(calls, ['createGroup CN=G', 'createUser CN=a pw=24', 'createUser CN=b pw=24', 'enable CN=c', 'add CN=G [CN=a CN=b]', 'disable CN=d']);
    assert.equal(outcome.applied, 7);
    assert.equal(outcome.reported, 1);
    assert.equal(journal.entries.length, 8);
    assert.ok(
      journal.entries.every((e) => !JSON.stringify(e).includes('x'.repeat(24))),
      'no password in the journal',
    );
  });

  it('enables a pwdLastSet=0 account as it is (a "must change" password stays); sets one only when the DC refuses for want of it', async () => {
    const enableOnly: PlanOp[] = [{ kind: 'enableUser', jcId: 'u3', dn: 'CN=c', name: 'c', mayLackPassword: true, reason: 'r' }];
    const kept = recorder();
    await apply(planOf(enableOnly), { writer: kept.writer, journal: memoryJournal(), initialPassword: () => 'p' });
    assert.deepEqual(kept.calls, ['enable CN=c']);

    let refused = false;
    const calls: string[] = [];
    const windows = recorder().writer;
    windows.setEnabled = async (dn) => {
      calls.push(`enable ${dn}`);
      if (!refused) {
        refused = true;
        throw new EngineError('AD.ConstraintViolation', 'the password does not meet the domain password policy', {
          exitCode: ExitCode.PartialFailure,
          details: { ldapCode: 53, adCode: '0000052D' },
        });
      }
    };
    windows.setPassword = async (dn) => void calls.push(`setPassword ${dn}`);
    const outcome = await apply(planOf(enableOnly), { writer: windows, journal: memoryJournal(), initialPassword: () => 'p' });
    assert.equal(outcome.failed, 0);
    assert.deepEqual(calls, ['enable CN=c', 'setPassword CN=c', 'enable CN=c']);

    const other = recorder((c) => c.startsWith('enable'));
    const failed = await apply(planOf(enableOnly), { writer: other.writer, journal: memoryJournal(), initialPassword: () => 'p' });
    assert.deepEqual([failed.failed, other.calls], [1, ['enable CN=c']], 'any other refusal is not answered with a new password');
  });

  it('records per-object failures and goes on', async () => {
    const { writer } = recorder((c) => c.startsWith('createUser CN=a') || c === 'member CN=b');
    const journal = memoryJournal();
    const outcome = await apply(planOf(ops), { writer, journal, initialPassword: () => 'p' });
    assert.equal(outcome.failed, 2);
    assert.deepEqual(
      outcome.failures.map((f) => [f.kind, f.target, f.error.id]),
      [
        ['createUser', 'CN=a', 'AD.ConstraintViolation'],
        ['addMember', 'b in G', 'Engine.Internal'],
      ],
    );
    assert.equal(outcome.byKind.disableUser?.applied, 1, 'later phases still ran');
    assert.equal(journal.entries.filter((e) => e.outcome === 'failed').length, 2);
  });

  it('stops between operations when aborted and says so', async () => {
    const controller = new AbortController();
    const { calls, writer } = recorder();
    writer.createUser = async (dn) => {
      calls.push(`createUser ${dn}`);
      controller.abort();
    };
    const outcome = await apply(planOf(ops), { writer, journal: memoryJournal(), initialPassword: () => 'p', concurrency: 1, signal: controller.signal });
    assert.equal(outcome.interrupted, true);
    assert.deepEqual(calls, ['createGroup CN=G', 'createUser CN=a']);
  });

  it('refuses a refused plan', async () => {
    const { writer } = recorder();
    await assert.rejects(apply({ ...planOf(ops), refusal: 'too many' }, { writer, journal: memoryJournal(), initialPassword: () => 'p' }));
  });

  it('staging: writes nothing, asks the safety limit nothing, journals each would-be operation once until it changes', async () => {
    const { calls, writer } = recorder();
    const journal = memoryJournal();
    let admitted = 0;
    const safety = { admit: async (p: Plan) => (admitted++, { plan: p, held: [], kinds: [] }) };
    const seen: Record<string, string> = {};
    const first = await apply(planOf(ops), { writer, journal, initialPassword: () => 'p', safety, staging: { seen } });
    assert.deepEqual(calls, [], 'no write');
    assert.equal(admitted, 0, 'the safety limit counts no staged operation');
    assert.deepEqual({ applied: first.applied, staged: first.staged, newlyStaged: first.newlyStaged }, { applied: 0, staged: 7, newlyStaged: 7 });
    assert.ok(journal.entries.every((e) => e.outcome === 'staged' && e.detail.startsWith('staging: would apply')));
    assert.deepEqual(
      journal.entries.map((e) => `${e.kind} ${e.target}`),
      ['createGroup CN=G', 'createUser CN=a', 'createUser CN=b', 'enableUser CN=c', 'addMember a in G', 'addMember b in G', 'disableUser CN=d'],
      'in the order they would be applied',
    );
    const again = await apply(planOf(ops), { writer, journal, initialPassword: () => 'p', staging: { seen } });
    assert.deepEqual(
      { staged: again.staged, newlyStaged: again.newlyStaged, journaled: journal.entries.length },
      { staged: 7, newlyStaged: 0, journaled: 7 },
      'the same plan again: nothing journaled again',
    );
    const changed = ops.map((op) => (op.kind === 'createUser' && op.jcId === 'u1' ? { ...op, attributes: { ...op.attributes, sn: 'Other' } } : op));
    await apply(planOf(changed), { writer, journal, initialPassword: () => 'p', staging: { seen } });
    assert.deepEqual(
      journal.entries.slice(7).map((e) => `${e.kind} ${e.target}`),
      ['createUser CN=a'],
      'new after-values: journaled again',
    );
  });
});
