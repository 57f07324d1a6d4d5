// The rolling safety limit's arithmetic (sync/safety-limit.ts): per-kind counts over an hourly
// window, holding a whole kind, approvals, -Force, the window sliding, and the ledger's
// compare-and-swap when two writers race. The AD ledger itself is exercised in
// tests/engine/integration/safety-limit.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan, PlanOp } from '../../../engine/src/sync/model';
import {
  approve,
  decide,
  decidePasswordChange,
  heldMessage,
  emptyLedger,
  parseLedger,
  SafetyLimit,
  safetyKindOf,
  type Ledger,
  type LedgerStore,
  type SafetyPolicy,
} from '../../../engine/src/sync/safety-limit';

const POLICY: SafetyPolicy = { windowHours: 24, maxCount: 500, maxPercent: 25 };
const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T10:15:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

const disable = (n: number): PlanOp => ({ kind: 'disableUser', jcId: String(n).padStart(24, '0'), dn: `CN=u${n},OU=R`, name: `u${n}`, reason: 'out of scope' });
const update = (n: number): PlanOp => ({
  kind: 'updateUser',
  jcId: String(n).padStart(24, '0'),
  dn: `CN=u${n},OU=R`,
  name: `u${n}`,
  changes: [],
  adopt: false,
  reason: 'x',
});
function planOf(ops: PlanOp[], managed = 100): Plan {
  const counts: Plan['counts'] = {};
  for (const op of ops) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
  return { operations: ops, counts, refusal: null, managedObjects: managed };
}
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => disable(from + i));

describe('rolling safety limit', () => {
  it('counts the destructive kinds only', () => {
    assert.equal(safetyKindOf(disable(1)), 'disable');
    assert.equal(safetyKindOf(update(1)), null);
    assert.equal(safetyKindOf({ kind: 'enableUser', jcId: 'x', dn: 'x', name: 'x', mayLackPassword: true, reason: '' }), 'password');
    assert.equal(safetyKindOf({ kind: 'enableUser', jcId: 'x', dn: 'x', name: 'x', mayLackPassword: false, reason: '' }), null);
    assert.equal(safetyKindOf({ kind: 'removeMember', groupDn: 'g', memberDn: 'm', group: 'g', member: 'm', reason: '' }), 'removeMember');
    assert.equal(safetyKindOf({ kind: 'unbindGroup', jcId: 'x', dn: 'x', name: 'x', reason: '' }), 'emptyGroup');
  });

  it('five 24 % batches: the first passes, the second is held whole, the other kinds go on', () => {
    let ledger: Ledger = emptyLedger();
    const first = decide(planOf([...batch(0, 24), update(900)]), ledger, POLICY, T0, false);
    assert.equal(first.plan.operations.length, 25);
    ledger = first.ledger;
    const second = decide(planOf([...batch(24, 24), update(901)]), ledger, POLICY, at(1), false);
    assert.deepEqual(
      second.plan.operations.map((o) => o.kind),
      ['updateUser'],
    );
    assert.deepEqual(second.kinds, [{ kind: 'disable', windowCount: 24, limit: 25, approved: 0, planned: 24, held: true }]);
    assert.equal(second.ledger.held['0'], 23, 'the shortfall is remembered for the approval');
    // Held changes were not counted.
    const again = decide(planOf(batch(24, 24)), second.ledger, POLICY, at(2), false);
    assert.equal(again.kinds[0]?.windowCount, 24);
    assert.equal(again.kinds[0]?.held, true);
  });

  it('an approval lets exactly the held changes through; the next batch is held again', () => {
    let ledger = decide(planOf(batch(0, 24)), emptyLedger(), POLICY, T0, false).ledger;
    ledger = decide(planOf(batch(24, 24)), ledger, POLICY, at(1), false).ledger;
    const approved = approve(ledger, 'disable', null, at(1), 24);
    assert.equal(approved.granted, 23);
    const through = decide(planOf(batch(24, 24)), approved.ledger, POLICY, at(1), false);
    assert.equal(through.plan.operations.length, 24);
    assert.deepEqual(through.ledger.held, {});
    const third = decide(planOf(batch(48, 24)), through.ledger, POLICY, at(2), false);
    assert.equal(third.plan.operations.length, 0);
    assert.deepEqual(approve(third.ledger, 'rename', null, at(2), 24).granted, 0, 'nothing held of another kind: nothing granted');
  });

  it('force admits a held kind for one run and still counts it', () => {
    let ledger = decide(planOf(batch(0, 24)), emptyLedger(), POLICY, T0, false).ledger;
    const forced = decide(planOf(batch(24, 24)), ledger, POLICY, at(1), true);
    assert.equal(forced.plan.operations.length, 24);
    ledger = forced.ledger;
    const next = decide(planOf(batch(48, 1)), ledger, POLICY, at(1), false);
    assert.deepEqual(next.kinds, [{ kind: 'disable', windowCount: 48, limit: 25, approved: 0, planned: 1, held: true }]);
  });

  it('the window slides: changes older than the window no longer count, approvals expire with it', () => {
    let ledger = decide(planOf(batch(0, 24)), emptyLedger(), POLICY, T0, false).ledger;
    ledger = approve(ledger, 'disable', 100, T0, 24).ledger;
    assert.equal(decide(planOf(batch(24, 24)), ledger, POLICY, at(23), false).plan.operations.length, 24, 'within the window, by approval');
    const later = decide(planOf(batch(24, 24)), ledger, POLICY, at(24), false);
    assert.deepEqual(later.kinds[0], { kind: 'disable', windowCount: 0, limit: 25, approved: 0, planned: 24, held: false });
    assert.deepEqual(later.ledger.x, [], 'the approval left the window');
    assert.ok(JSON.stringify(later.ledger).length < 1024);
  });

  it('the count limit applies to small domains (under 20 objects: no percentage)', () => {
    const small: SafetyPolicy = { windowHours: 24, maxCount: 3, maxPercent: 25 };
    const r = decide(planOf(batch(0, 4), 10), emptyLedger(), small, T0, false);
    assert.equal(r.kinds[0]?.limit, 3);
    assert.equal(r.kinds[0]?.held, true);
    assert.equal(decide(planOf(batch(0, 3), 10), emptyLedger(), small, T0, false).kinds[0]?.held, false);
  });

  it('a targeted plan (few objects) is limited by the percentage of the whole domain seen in the window', () => {
    const ledger = decide(planOf(batch(0, 20), 100), emptyLedger(), POLICY, T0, false).ledger;
    const targeted = decide(planOf(batch(20, 6), 6), ledger, POLICY, at(1), false);
    assert.deepEqual(targeted.kinds[0], { kind: 'disable', windowCount: 20, limit: 25, approved: 0, planned: 6, held: true });
    // Once the whole-domain count leaves the window, the plan's own count applies again.
    assert.equal(decide(planOf(batch(20, 6), 6), ledger, POLICY, at(24), false).kinds[0]?.limit, 500);
  });

  it('a damaged ledger reads as empty', () => {
    assert.deepEqual(parseLedger('not json'), emptyLedger());
    assert.deepEqual(parseLedger('{"v":2}'), emptyLedger());
    assert.deepEqual(parseLedger(null), emptyLedger());
  });

  it('two writers racing: the loser reads again and both counts land', async () => {
    let value: string | null = null;
    let interfere = true;
    const store: LedgerStore = {
      read: async () => value,
      replace: async (expected, next) => {
        if (interfere) {
          // Another agent writes between this writer's read and its write.
          interfere = false;
          value = JSON.stringify(decide(planOf(batch(100, 5)), parseLedger(value), POLICY, T0, false).ledger);
          return false;
        }
        if (expected !== value) return false;
        value = next;
        return true;
      },
    };
    const limit = new SafetyLimit(store, POLICY, () => T0, false);
    const decision = await limit.admit(planOf(batch(0, 10)));
    assert.equal(decision.held.length, 0);
    assert.deepEqual(Object.values(parseLedger(value).h), [[15, 0, 0, 0, 0, 0]]);
  });

  it('a plan with nothing destructive writes no ledger', async () => {
    let writes = 0;
    const store: LedgerStore = { read: async () => null, replace: async () => ++writes > 0 };
    await new SafetyLimit(store, POLICY, () => T0).admit(planOf([update(1)]));
    assert.equal(writes, 0);
  });
});

describe('rolling safety limit: passwords from JumpCloud (passwordChange)', () => {
  const SMALL: SafetyPolicy = { windowHours: 24, maxCount: 3, maxPercent: 25 };
  /** Admits `n` password events in a row (each one held is remembered as pending, as the agent does). */
  function passwords(ledger: Ledger, n: number, now = T0, pendingBefore = 0) {
    let pending = pendingBefore;
    const outcomes: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const decided = decidePasswordChange(ledger, SMALL, 0, pending + 1, now);
      ledger = decided.ledger;
      if (!decided.admitted) pending++;
      outcomes.push(decided.admitted);
    }
    return { ledger, outcomes, pending };
  }

  it('counts each password one by one up to the limit, then holds; the ledger notes every held one', () => {
    const { ledger, outcomes } = passwords(emptyLedger(), 5);
    assert.deepEqual(outcomes, [true, true, true, false, false]);
    const i = 5; // SAFETY_KINDS index of passwordChange
    assert.equal(Object.values(ledger.h)[0]?.[i], 3, 'the three written are counted, the held ones are not');
    assert.equal(ledger.held[String(i)], 2, 'an approval must allow two more for both held passwords to go through');
  });

  it('an approval (default: what is held) lets exactly the held passwords through at their next delivery', () => {
    const held = passwords(emptyLedger(), 5);
    const { ledger: approved, granted } = approve(held.ledger, 'passwordChange', null, T0, 24);
    assert.equal(granted, 2);
    // Delivered again: each is admitted now; a sixth is held again.
    let ledger = approved;
    for (let n = 0; n < 2; n++) {
      const d = decidePasswordChange(ledger, SMALL, 0, 2 - n, T0);
      assert.equal(d.admitted, true);
      ledger = d.ledger;
    }
    assert.equal(decidePasswordChange(ledger, SMALL, 0, 1, T0).admitted, false);
  });

  it('a plan neither counts passwordChange nor clears its hold; the password path leaves the plan kinds alone', () => {
    const held = passwords(emptyLedger(), 4).ledger;
    const afterPlan = decide(planOf(batch(0, 2)), held, SMALL, T0, false).ledger;
    assert.equal(afterPlan.held['5'], 1, 'still held after a reconcile with no such operation');
    const heldPlan = decide(planOf(batch(0, 5)), emptyLedger(), SMALL, T0, false).ledger;
    assert.equal(heldPlan.held['0'], 2);
    assert.equal(decidePasswordChange(heldPlan, SMALL, 0, 1, T0).ledger.held['0'], 2, 'the disables stay held');
  });

  it('the percentage of the managed objects the plans saw applies to passwords too', () => {
    const POLICY_PCT: SafetyPolicy = { windowHours: 24, maxCount: 500, maxPercent: 10 };
    const seen = decide(planOf([], 40), emptyLedger(), POLICY_PCT, T0, false).ledger;
    let ledger = seen;
    const outcomes: boolean[] = [];
    for (let n = 0; n < 5; n++) {
      const d = decidePasswordChange(ledger, POLICY_PCT, 0, 1, T0);
      ledger = d.ledger;
      outcomes.push(d.admitted);
    }
    assert.deepEqual(outcomes, [true, true, true, true, false], '10 % of 40');
  });

  it('the window slides for passwords as for the other kinds', () => {
    const held = passwords(emptyLedger(), 4).ledger;
    assert.equal(decidePasswordChange(held, SMALL, 0, 1, at(23)).admitted, false);
    assert.equal(decidePasswordChange(held, SMALL, 0, 1, at(24)).admitted, true);
  });

  it('the hold message names the kind to approve and does not offer -Force (Invoke-JCSync writes no JumpCloud password)', () => {
    const { status } = decidePasswordChange(passwords(emptyLedger(), 3).ledger, SMALL, 0, 1, T0);
    const message = heldMessage(status, 24);
    assert.match(message, /1 passwords from JumpCloud written to AD held back; 3 were made in the last 24 h and the limit is 3/);
    assert.match(message, /Approve-JCSyncSafetyLimit -SafetyKind passwordChange/);
    assert.doesNotMatch(message, /-Force/);
  });
});
