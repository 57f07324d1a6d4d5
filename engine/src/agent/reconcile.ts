// One full reconcile of the agent: gather JumpCloud's desired state, read AD, plan (the same pure
// planner as Invoke-JCSync), hold back objects that are backing off or quarantined, apply the
// rest, and update the failure records. A debounced full reconcile is how the agent applies
// change events too: on a few thousand users a no-op reconcile costs well under a second, and it
// cannot apply an event twice or in the wrong order (it converges on state, not on deltas).
import { readActualState } from '../ad/directory';
import type { AdSession } from '../ad/session';
import { AdWriter, randomPassword } from '../ad/writer';
import { asEngineError } from '../errors';
import type { SyncSettings } from './config';
import type { JumpCloudClient } from '../jumpcloud/client';
import { apply } from '../sync/apply';
import { GuardedWriter } from '../sync/guarded-writer';
import { AdLedgerStore } from '../ad/ledger';
import { heldMessage, SafetyLimit, type KindStatus, type SafetyPolicy } from '../sync/safety-limit';
import { gatherDesired } from '../sync/gather';
import type { Journal } from '../sync/journal';
import type { Plan, PlanOp } from '../sync/model';
import { plan as makePlan } from '../sync/planner';
import { screenPrivileged } from '../sync/privilege-gate';
import { PrivilegeChecker } from '../ad/privilege';
import { deferOperations, failureKey, objectKey, recordFailure, recordSuccesses, retryQuarantined, type BackoffPolicy, type Failures } from './failures';

export interface ReconcileContext {
  client: JumpCloudClient;
  session: AdSession;
  domainId: string;
  /** LDAP form of the Root User DN. */
  rootDN: string;
  settings: SyncSettings;
  journal: Journal;
  failures: Failures;
  /** Skip reasons already journaled (key → code): a skip is journaled once, not on every run. */
  reported: Record<string, string>;
  backoff: BackoffPolicy;
  signal: AbortSignal;
  now: () => Date;
  /** The anchor key: only proven anchors count, every anchor written is proven (sync/trust.ts). */
  anchorKey?: Buffer | null;
  /** A scheduled full reconcile: quarantined objects get one more try (failures.ts). */
  retryQuarantined?: boolean;
}

export interface ReconcileResult {
  durationMs: number;
  planned: number;
  applied: number;
  failed: number;
  deferred: number;
  interrupted: boolean;
  refusal: string | null;
  /** Failures of this run, with whether the object is now quarantined. */
  failures: Array<{ key: string; target: string; errorId: string; message: string; quarantined: boolean }>;
  /** Skips reported for the first time in this run. */
  newSkips: PlanOp[];
  /** Quarantined objects given one more try in this run. */
  retried: string[];
  /** Kinds of destructive change the rolling safety limit held back in this run. */
  held: KindStatus[];
  /** Holds reported for the first time (journaled once, until the hold ends). */
  newHolds: KindStatus[];
}

function skipKey(op: Extract<PlanOp, { kind: 'skip' }>): string {
  return `skip:${op.objectType}:${op.jcId ?? op.name.toLowerCase()}`;
}

/** Journals skips that are new or changed; forgets those that no longer occur. */
function reportSkips(plan: Plan, ctx: ReconcileContext): PlanOp[] {
  const fresh: PlanOp[] = [];
  const seen = new Set<string>();
  for (const op of plan.operations) {
    if (op.kind !== 'skip') continue;
    const key = skipKey(op);
    seen.add(key);
    if (ctx.reported[key] === op.code) continue;
    ctx.reported[key] = op.code;
    ctx.journal.write({ kind: 'skip', target: op.dn ?? op.name, jcId: op.jcId, outcome: 'reported', detail: op.reason });
    fresh.push(op);
  }
  for (const key of Object.keys(ctx.reported)) if (key.startsWith('skip:') && !seen.has(key)) delete ctx.reported[key];
  return fresh;
}

function safetyPolicyOf(settings: Pick<SyncSettings, 'safetyWindowHours' | 'maxDisableCount' | 'maxDisablePercent'>): SafetyPolicy {
  return { windowHours: settings.safetyWindowHours, maxCount: settings.maxDisableCount, maxPercent: settings.maxDisablePercent };
}

/** Journals a hold when it starts (once per kind until it ends); forgets holds that ended. */
function reportHolds(held: KindStatus[], ctx: ReconcileContext): KindStatus[] {
  const fresh: KindStatus[] = [];
  const now = new Set(held.map((k) => `safety:${k.kind}`));
  for (const k of held) {
    const key = `safety:${k.kind}`;
    if (ctx.reported[key]) continue;
    ctx.reported[key] = 'held';
    ctx.journal.write({ kind: 'safetyLimit', target: k.kind, jcId: null, outcome: 'reported', detail: heldMessage(k, ctx.settings.safetyWindowHours) });
    fresh.push(k);
  }
  for (const key of Object.keys(ctx.reported)) if (key.startsWith('safety:') && !now.has(key)) delete ctx.reported[key];
  return fresh;
}

export async function reconcile(ctx: ReconcileContext): Promise<ReconcileResult> {
  const started = Date.now();
  const desired = await gatherDesired(ctx.client, ctx.domainId);
  const candidates = desired.users.map((u) => u.username).concat(desired.groups.map((g) => g.name));
  const actual = await readActualState(ctx.session, { rootDN: ctx.rootDN, anchorAttribute: ctx.settings.anchorAttribute, candidateNames: candidates, anchorKey: ctx.anchorKey ?? null });
  const full = await screenPrivileged(
    makePlan(desired, actual, {
      adoptUnanchored: false,
      force: false,
      maxDisableCount: ctx.settings.maxDisableCount,
      maxDisablePercent: ctx.settings.maxDisablePercent,
    }),
    new PrivilegeChecker(ctx.session, ctx.settings.privilegedGroups),
  );
  const result: ReconcileResult = { durationMs: 0, planned: 0, applied: 0, failed: 0, deferred: 0, interrupted: false, refusal: full.refusal, failures: [], newSkips: [], retried: [], held: [], newHolds: [] };
  if (full.refusal) {
    result.durationMs = Date.now() - started;
    return result;
  }
  result.newSkips = reportSkips(full, ctx);
  const work: Plan = { ...full, operations: full.operations.filter((op) => op.kind !== 'skip') };
  // An object that needs nothing any more has nothing left to retry.
  const stillNeeded = new Set(work.operations.map(objectKey));
  for (const key of Object.keys(ctx.failures)) if (!stillNeeded.has(key)) delete ctx.failures[key];
  if (ctx.retryQuarantined) result.retried = retryQuarantined(ctx.failures, ctx.now());
  const { plan: toApply, deferred } = deferOperations(work, ctx.failures, ctx.now());
  result.planned = toApply.operations.length;
  result.deferred = deferred.length;
  if (toApply.operations.length > 0) {
    const adWriter = new AdWriter(ctx.session, ctx.settings.anchorAttribute, ctx.anchorKey ?? null);
    const writer = new GuardedWriter(adWriter, Math.max(5_000, ctx.session.dc.timeoutMs * 2));
    const safety = new SafetyLimit(new AdLedgerStore(ctx.session, adWriter, ctx.rootDN), safetyPolicyOf(ctx.settings), ctx.now);
    const outcome = await apply(toApply, {
      safety,
      writer,
      journal: ctx.journal,
      initialPassword: () => randomPassword(),
      concurrency: ctx.settings.concurrency,
      signal: AbortSignal.any([ctx.signal, writer.signal]),
    });
    // The connection broke: an outage of the DC, not failures of the objects. What was applied
    // stays applied; the agent retries the rest after the outage with a full reconcile.
    if (writer.broken) throw writer.broken;
    result.applied = outcome.applied;
    result.failed = outcome.failed;
    result.interrupted = outcome.interrupted;
    result.held = outcome.held;
    result.newHolds = reportHolds(outcome.held, ctx);
    const failedKeys = new Set<string>();
    // A membership that failed because its user or group failed first is that object's failure, not its own.
    const objectFailures = outcome.failures.filter((f) => f.kind !== 'addMember' && f.kind !== 'removeMember').map((f) => failureKey(f, toApply));
    const failedDns = new Set(
      toApply.operations
        .filter((op) => objectFailures.includes(objectKey(op) ?? ''))
        .flatMap((op) => ['dn' in op ? op.dn : null, 'newDn' in op ? op.newDn : null])
        .filter((dn): dn is string => typeof dn === 'string')
        .map((dn) => dn.toLowerCase()),
    );
    const consequence = (key: string) => {
      const op = toApply.operations.find((o) => objectKey(o) === key);
      return op !== undefined && (op.kind === 'addMember' || op.kind === 'removeMember') && (failedDns.has(op.memberDn.toLowerCase()) || failedDns.has(op.groupDn.toLowerCase()));
    };
    for (const failure of outcome.failures) {
      const key = failureKey(failure, toApply);
      if (failedKeys.has(key)) continue;
      failedKeys.add(key);
      if (consequence(key)) continue;
      const err = asEngineError(failure.error);
      const record = recordFailure(ctx.failures, key, { kind: failure.kind, target: failure.target, jcId: failure.jcId, errorId: err.id, message: err.message }, ctx.now(), ctx.backoff);
      result.failures.push({ key, target: failure.target, errorId: err.id, message: err.message, quarantined: record.quarantined });
    }
    if (!outcome.interrupted) {
      const succeeded = new Set(toApply.operations.map(objectKey).filter((k): k is string => k !== null && !failedKeys.has(k)));
      recordSuccesses(ctx.failures, succeeded);
    }
  }
  if (toApply.operations.length === 0) reportHolds([], ctx);
  result.durationMs = Date.now() - started;
  return result;
}
