// The agent's reconciles. Full: gather JumpCloud's desired state for the whole scope, read AD
// under the root, plan (the same pure planner as Invoke-JCSync). Targeted: the same on the slice
// that change events name (the objects by id, and the AD objects they map to). Both then hold back
// objects that are backing off or quarantined, apply the rest with the same applier and journal,
// and update the failure records. Both converge on state, so a replayed event changes nothing.
import { readActualSlice } from '../ad/directory';
import type { AttributeLimits } from '../ad/schema-limits';
import type { AdSession } from '../ad/session';
import { AdWriter, randomPassword } from '../ad/writer';
import { asEngineError } from '../errors';
import type { SyncSettings } from './config';
import type { JumpCloudClient } from '../jumpcloud/client';
import { apply, stagedKey } from '../sync/apply';
import { GuardedWriter } from '../sync/guarded-writer';
import { AdLedgerStore } from '../ad/ledger';
import { heldMessage, SafetyLimit, type KindStatus, type SafetyPolicy } from '../sync/safety-limit';
import { readBothSides } from '../sync/gather';
import type { Journal } from '../sync/journal';
import { APPLY_ORDER, type Plan, type PlanOp, type PlanOptions } from '../sync/model';
import { gatherSlice, type Targets } from '../sync/targeted';
import { plan as makePlan } from '../sync/planner';
import { unprovenAnchorsMessage } from '../sync/trust';
import { anchorKeyDn, keyFitsNoProof, keyMismatchError, type AnchorKeySource } from '../ad/anchorkey';
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
  /** Where the key came from (ad/anchorkey.ts): a key read from AD that fits no proof is refused. */
  anchorKeySource?: AnchorKeySource;
  /** A scheduled full reconcile: quarantined objects get one more try (failures.ts). */
  retryQuarantined?: boolean;
  /**
   * Where each anchored object is (`user:<jcId>` / `group:<jcId>` → DN): rebuilt by every full
   * reconcile, kept current by every plan applied; a targeted read finds its objects through it.
   * `complete` once a full reconcile has filled it.
   */
  hints?: DnHints;
  /**
   * The schema's attribute limits, read on the first full reconcile and kept for the agent's
   * life (ad/schema-limits.ts: the schema changes only when an administrator extends it).
   */
  schemaCache?: { attributeLimits?: AttributeLimits };
  /**
   * A staging agent: the would-be operations journaled already (agent state `staged`). Present:
   * the plan is journaled as `staged` and nothing is written (sync/apply.ts).
   */
  staged?: Record<string, string>;
}

export interface DnHints {
  dns: Map<string, string>;
  complete: boolean;
}

/** The hints after a plan: created and renamed objects move (an unbound group stays where it is). */
function updateHints(hints: DnHints | undefined, plan: Plan): void {
  if (!hints) return;
  for (const op of plan.operations) {
    if (op.kind === 'createUser') hints.dns.set(`user:${op.jcId}`, op.dn);
    else if (op.kind === 'renameUser' || op.kind === 'vacateUserName') hints.dns.set(`user:${op.jcId}`, op.newDn);
    else if (op.kind === 'createGroup') hints.dns.set(`group:${op.jcId}`, op.dn);
    else if (op.kind === 'renameGroup' || op.kind === 'vacateGroupName') hints.dns.set(`group:${op.jcId}`, op.newDn);
  }
}

/** The hints of what a read found (a full read: all of them). */
function recordHints(
  hints: DnHints | undefined,
  actual: { users: Array<{ dn: string; anchor: { jcId: string } | null }>; groups: Array<{ dn: string; anchor: { jcId: string } | null }> },
  full: boolean,
): void {
  if (!hints) return;
  if (full) hints.dns.clear();
  for (const u of actual.users) if (u.anchor) hints.dns.set(`user:${u.anchor.jcId}`, u.dn);
  for (const g of actual.groups) if (g.anchor) hints.dns.set(`group:${g.anchor.jcId}`, g.dn);
  if (full) hints.complete = true;
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
  /**
   * Objects the sync manages in AD after this run: those the plan saw (a full plan: all of them)
   * plus those it created. Targeted plans take it as the domain's count for the safety limit's
   * percentage, so a first reconcile into an empty root must count what it created, not 0.
   */
  managedObjects: number;
  /** Staging: operations planned and not applied, and those journaled for the first time. */
  staged: number;
  newlyStaged: number;
  /** A full reconcile's word on anchors without a proof (sync/trust.ts unprovenAnchorsMessage), when there are any. */
  unprovenAnchors?: string | null;
}

function skipKey(op: Extract<PlanOp, { kind: 'skip' }>): string {
  return `skip:${op.objectType}:${op.jcId ?? op.name.toLowerCase()}`;
}

/** Journals skips that are new or changed; forgets those that no longer occur. */
function reportSkips(plan: Plan, ctx: ReconcileContext, scope: PlanScope | null): PlanOp[] {
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
  for (const key of Object.keys(ctx.reported)) if (key.startsWith('skip:') && !seen.has(key) && inScope(key, scope)) delete ctx.reported[key];
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
  // A hold of passwords from JumpCloud is ended by the password path (./password-holds.ts), not by a plan.
  for (const key of Object.keys(ctx.reported)) if (key.startsWith('safety:') && key !== 'safety:passwordChange' && !now.has(key)) delete ctx.reported[key];
  return fresh;
}

export async function reconcile(ctx: ReconcileContext): Promise<ReconcileResult> {
  const started = Date.now();
  let full: Plan;
  let unproven: ReturnType<typeof unprovenAnchorsMessage> = null;
  {
    // Scoped so that neither side's snapshot outlives the plan: only the plan is applied.
    const { desired, actual } = await readBothSides(ctx.client, ctx.domainId, ctx.session, {
      rootDN: ctx.rootDN,
      anchorAttribute: ctx.settings.anchorAttribute,
      anchorKey: ctx.anchorKey ?? null,
      attributeLimits: ctx.schemaCache?.attributeLimits,
    });
    if (ctx.schemaCache && !ctx.schemaCache.attributeLimits) ctx.schemaCache.attributeLimits = actual.attributeLimits;
    if (ctx.anchorKeySource === 'directory' && keyFitsNoProof([...actual.users, ...actual.groups]))
      throw keyMismatchError(anchorKeyDn(ctx.rootDN), 'directory');
    unproven = unprovenAnchorsMessage(actual);
    recordHints(ctx.hints, actual, true);
    full = await screenPrivileged(makePlan(desired, actual, planOptions(ctx)), new PrivilegeChecker(ctx.session, ctx.settings.privilegedGroups));
  }
  const result = await applyPlan(full, ctx, started, null);
  return { ...result, unprovenAnchors: reportUnproven(unproven, ctx) };
}

/**
 * Anchors without a proof (an install from before the anchor key): journaled when their count
 * changes, so the history says why those objects are left alone and what to run.
 */
function reportUnproven(unproven: ReturnType<typeof unprovenAnchorsMessage>, ctx: ReconcileContext): string | null {
  const key = 'anchors:unproven';
  if (!unproven) {
    delete ctx.reported[key];
    return null;
  }
  if (ctx.reported[key] !== String(unproven.count)) {
    ctx.reported[key] = String(unproven.count);
    ctx.journal.write({ kind: 'skip', target: ctx.rootDN, jcId: null, outcome: 'reported', detail: unproven.message });
  }
  return unproven.message;
}

function planOptions(ctx: ReconcileContext, managedObjects?: number): PlanOptions {
  return {
    adoptUnanchored: false,
    force: false,
    maxDisableCount: ctx.settings.maxDisableCount,
    maxDisablePercent: ctx.settings.maxDisablePercent,
    ...(managedObjects !== undefined ? { managedObjects } : {}),
  };
}

/** The objects a targeted plan decides about: only their failure records and skips are its business. */
interface PlanScope {
  users: Set<string>;
  groups: Set<string>;
}

function inScope(key: string, scope: PlanScope | null): boolean {
  if (!scope) return true;
  const [type, id] = key.split(':');
  if (key.startsWith('skip:')) {
    const [, objectType, jcId] = key.split(':');
    return objectType === 'user' ? scope.users.has(jcId ?? '') : scope.groups.has(jcId ?? '');
  }
  return type === 'user' ? scope.users.has(id ?? '') : type === 'group' ? scope.groups.has(id ?? '') : false;
}

interface TargetedResult extends ReconcileResult {
  /** Users and groups the plan looked at. */
  users: number;
  groups: number;
}

/** Why a batch cannot be targeted (nothing was applied): the caller reconciles fully. */
export class NeedsFullReconcile {
  constructor(readonly reason: string) {}
}

/**
 * A targeted reconcile: the same planner, applier, journal and failure handling as the full one,
 * on the slice the change events name (sync/targeted.ts for JumpCloud, readActualSlice for AD).
 * `managedObjects` is the agent's count of managed objects (the last full reconcile's, plus what
 * was created since), for the safety threshold's percentage.
 */
export async function reconcileTargeted(ctx: ReconcileContext, targets: Targets, managedObjects: number): Promise<TargetedResult | NeedsFullReconcile> {
  const started = Date.now();
  const read = async (t: Targets) => {
    const slice = await gatherSlice(ctx.client, ctx.domainId, t);
    const candidates = slice.desired.users.map((u) => u.username).concat(slice.desired.groups.filter((g) => g.scope !== 'members').map((g) => g.name));
    const actual = await readActualSlice(ctx.session, {
      rootDN: ctx.rootDN,
      anchorAttribute: ctx.settings.anchorAttribute,
      userIds: slice.userIds,
      groupIds: slice.groupIds,
      fullGroupIds: slice.fullGroupIds,
      edgeUserIds: [...t.users],
      candidateNames: candidates,
      hints: ctx.hints?.dns,
      hintsComplete: ctx.hints?.complete ?? false,
      anchorKey: ctx.anchorKey ?? null,
      attributeLimits: ctx.schemaCache?.attributeLimits,
    });
    if (ctx.schemaCache && !ctx.schemaCache.attributeLimits) ctx.schemaCache.attributeLimits = actual.attributeLimits;
    recordHints(ctx.hints, actual, false);
    return { slice, actual };
  };
  let { slice, actual } = await read(targets);
  // A bound group a named user reaches but AD lacks (not created yet): the plan decides it whole.
  // (An AD group marked unbound that JumpCloud binds again is rebound by a whole plan too.)
  const inAd = new Set(
    actual.groups
      .filter((g) => !g.anchor?.unbound)
      .map((g) => g.anchor?.jcId)
      .filter((id): id is string => typeof id === 'string'),
  );
  const missing = slice.desired.groups.filter((g) => g.scope === 'members' && !inAd.has(g.jcId)).map((g) => g.jcId);
  // A group named for its attributes only (a rename) whose AD group holds a named user JumpCloud
  // no longer reaches it through (the user deleted or left in the same batch): an 'attributes'
  // plan leaves members alone, so the plan decides that group whole, or the stale edge would stay.
  const attributesOnly = new Set(slice.desired.groups.filter((g) => g.scope === 'attributes').map((g) => g.jcId));
  const holding = actual.groupsHoldingSliceUsers.filter((jcId) => attributesOnly.has(jcId));
  const whole = [...missing, ...holding];
  if (whole.length > 0) ({ slice, actual } = await read({ ...targets, groupMembers: new Set([...targets.groupMembers, ...whole]) }));
  // A group deleted or unbound: its members may leave the scope with it, which only the whole
  // scope can tell (the full reconcile: an administrative change, rare).
  const desiredIds = new Set(slice.desired.groups.map((g) => g.jcId));
  const gone = [...targets.groups, ...targets.groupMembers].filter((id) => !desiredIds.has(id) && inAd.has(id));
  if (gone.length > 0) return new NeedsFullReconcile(`user group ${gone.join(', ')} deleted or unbound in JumpCloud`);
  // AD groups holding a named user that JumpCloud no longer reaches it through: that edge goes.
  const planned = new Set(slice.desired.groups.map((g) => g.jcId));
  for (const jcId of actual.groupsHoldingSliceUsers) {
    if (!planned.has(jcId)) slice.desired.groups.push({ jcId, name: '', description: '', memberJcIds: [], scope: 'members' });
  }
  const plan = await screenPrivileged(
    makePlan(slice.desired, actual, planOptions(ctx, managedObjects)),
    new PrivilegeChecker(ctx.session, ctx.settings.privilegedGroups),
  );
  const scope: PlanScope = {
    users: new Set(slice.userIds),
    groups: new Set(
      slice.desired.groups
        .filter((g) => g.scope !== 'members')
        .map((g) => g.jcId)
        .concat([...targets.groups, ...targets.groupMembers]),
    ),
  };
  const result = await applyPlan(plan, ctx, started, scope);
  return { ...result, users: scope.users.size, groups: scope.groups.size };
}

/** Staged keys of plan operations (offboarding and passwords keep their own). */
const PLAN_KEY = new RegExp(`^(${APPLY_ORDER.join('|')}):`);

const refuse = (): never => {
  throw new Error('a staging agent writes nothing to AD');
};
/** The writer a staging apply is given: apply() returns before any write, and this proves it. */
const NO_WRITER = {
  createUser: refuse,
  setPassword: refuse,
  updateAttributes: refuse,
  rename: refuse,
  setEnabled: refuse,
  createGroup: refuse,
  deleteGroup: refuse,
  setGroupUnbound: refuse,
  changeMembers: refuse,
};

async function applyPlan(full: Plan, ctx: ReconcileContext, started: number, scope: PlanScope | null): Promise<ReconcileResult> {
  const result: ReconcileResult = {
    durationMs: 0,
    planned: 0,
    applied: 0,
    failed: 0,
    deferred: 0,
    interrupted: false,
    refusal: full.refusal,
    failures: [],
    newSkips: [],
    retried: [],
    held: [],
    newHolds: [],
    managedObjects: full.managedObjects,
    staged: 0,
    newlyStaged: 0,
  };
  if (full.refusal) {
    result.durationMs = Date.now() - started;
    return result;
  }
  result.newSkips = reportSkips(full, ctx, scope);
  const work: Plan = { ...full, operations: full.operations.filter((op) => op.kind !== 'skip') };
  if (ctx.staged) {
    // Staging: journaled, not applied; no writer, no safety ledger, no failure records.
    const outcome = await apply(work, { writer: NO_WRITER, journal: ctx.journal, initialPassword: () => '', staging: { seen: ctx.staged } });
    // A full plan knows every would-be operation: one no longer planned is journaled again if it comes back.
    if (!scope) {
      const planned = new Set(work.operations.map((op) => stagedKey(op).key));
      for (const key of Object.keys(ctx.staged)) if (PLAN_KEY.test(key) && !planned.has(key)) delete ctx.staged[key];
    }
    result.planned = work.operations.length;
    result.staged = outcome.staged;
    result.newlyStaged = outcome.newlyStaged;
    result.durationMs = Date.now() - started;
    return result;
  }
  // An object that needs nothing any more has nothing left to retry.
  const stillNeeded = new Set(work.operations.map(objectKey));
  for (const key of Object.keys(ctx.failures)) if (!stillNeeded.has(key) && inScope(key, scope)) delete ctx.failures[key];
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
    if (writer.broken) {
      // Where the objects are now is not known for sure: the anchor search until the next full reconcile.
      if (ctx.hints) ctx.hints.complete = false;
      throw writer.broken;
    }
    result.applied = outcome.applied;
    result.failed = outcome.failed;
    result.interrupted = outcome.interrupted;
    result.held = outcome.held;
    result.newHolds = reportHolds(outcome.held, ctx);
    result.managedObjects += (outcome.byKind.createUser?.applied ?? 0) + (outcome.byKind.createGroup?.applied ?? 0);
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
      return (
        op !== undefined &&
        (op.kind === 'addMember' || op.kind === 'removeMember') &&
        (failedDns.has(op.memberDn.toLowerCase()) || failedDns.has(op.groupDn.toLowerCase()))
      );
    };
    for (const failure of outcome.failures) {
      const key = failureKey(failure, toApply);
      if (failedKeys.has(key)) continue;
      failedKeys.add(key);
      if (consequence(key)) continue;
      const err = asEngineError(failure.error);
      const record = recordFailure(
        ctx.failures,
        key,
        { kind: failure.kind, target: failure.target, jcId: failure.jcId, errorId: err.id, message: err.message },
        ctx.now(),
        ctx.backoff,
      );
      result.failures.push({ key, target: failure.target, errorId: err.id, message: err.message, quarantined: record.quarantined });
    }
    if (!outcome.interrupted) {
      const succeeded = new Set(toApply.operations.map(objectKey).filter((k): k is string => k !== null && !failedKeys.has(k)));
      recordSuccesses(ctx.failures, succeeded);
      updateHints(ctx.hints, { ...toApply, operations: toApply.operations.filter((op) => !failedKeys.has(objectKey(op) ?? '')) });
    } else if (ctx.hints) ctx.hints.complete = false;
  }
  if (toApply.operations.length === 0) reportHolds([], ctx);
  result.durationMs = Date.now() - started;
  return result;
}
