// Per-object failure handling of the agent (pure): an object whose operation failed is retried
// after a growing delay; after N failures in a row it is quarantined (reported, no longer
// retried on its own) until a change event names it again, or for one more try at each
// scheduled full reconcile. The rest of the plan goes on.
import type { OperationFailure } from '../sync/apply';
import type { Plan, PlanOp } from '../sync/model';
import type { FailureRecord } from './state';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  quarantineAfter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 15_000, maxMs: 15 * 60_000, quarantineAfter: 5 };

export type Failures = Record<string, FailureRecord>;

const lower = (s: string) => s.toLowerCase();

/** The object an operation acts on: a user or group by JumpCloud id, or one membership edge. */
export function objectKey(op: PlanOp): string | null {
  switch (op.kind) {
    case 'createUser':
    case 'vacateUserName':
    case 'renameUser':
    case 'updateUser':
    case 'enableUser':
    case 'disableUser':
      return `user:${op.jcId}`;
    case 'createGroup':
    case 'vacateGroupName':
    case 'renameGroup':
    case 'updateGroup':
    case 'rebindGroup':
    case 'unbindGroup':
      return `group:${op.jcId}`;
    case 'addMember':
    case 'removeMember':
      return `member:${lower(op.groupDn)}|${lower(op.memberDn)}`;
    case 'skip':
      return null;
  }
}

/** The same key for an applier failure (apply.ts names membership targets "<member> in <group>"). */
export function failureKey(failure: Pick<OperationFailure, 'kind' | 'jcId' | 'target'>, plan: Plan): string {
  if (failure.kind === 'addMember' || failure.kind === 'removeMember') {
    const op = plan.operations.find(
      (o) => (o.kind === 'addMember' || o.kind === 'removeMember') && o.kind === failure.kind && `${o.member} in ${o.group}` === failure.target,
    );
    if (op) return objectKey(op) as string;
    return `member:${lower(failure.target)}`;
  }
  const type = /Group(Name)?$/.test(failure.kind) ? 'group' : 'user';
  return `${type}:${failure.jcId ?? failure.target}`;
}

export function backoffMs(count: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, count - 1));
}

export function recordFailure(
  failures: Failures,
  key: string,
  what: { kind: string; target: string; jcId: string | null; errorId: string; message: string },
  now: Date,
  policy: BackoffPolicy,
): FailureRecord {
  const previous = failures[key];
  const count = (previous?.count ?? 0) + 1;
  const record: FailureRecord = {
    kind: what.kind,
    target: what.target,
    jcId: what.jcId,
    count,
    firstAt: previous?.firstAt ?? now.toISOString(),
    lastAt: now.toISOString(),
    nextAttemptAt: new Date(now.getTime() + backoffMs(count, policy)).toISOString(),
    quarantined: count >= policy.quarantineAfter,
    lastError: what.message,
    errorId: what.errorId,
  };
  failures[key] = record;
  return record;
}

/** Forgets failures of objects whose operations just succeeded. */
export function recordSuccesses(failures: Failures, keys: Iterable<string>): void {
  for (const key of keys) delete failures[key];
}

/** Change events named these JumpCloud users/groups: their failures (quarantine included) start over. */
export function releaseObjects(failures: Failures, ids: { users: Iterable<string>; groups: Iterable<string>; memberships: boolean }): string[] {
  const released: string[] = [];
  const keys = new Set([...[...ids.users].map((id) => `user:${id}`), ...[...ids.groups].map((id) => `group:${id}`)]);
  for (const key of Object.keys(failures)) {
    if (keys.has(key) || (ids.memberships && key.startsWith('member:'))) {
      delete failures[key];
      released.push(key);
    }
  }
  return released;
}

/**
 * One more try for every quarantined object (the agent calls this at each scheduled full
 * reconcile, every fullReconcileMinutes): due at `now`, but its failure count is kept, so one
 * more failure quarantines it again at once. Never a loop: the next try is the next schedule.
 */
export function retryQuarantined(failures: Failures, now: Date): string[] {
  const retried: string[] = [];
  for (const [key, record] of Object.entries(failures)) {
    if (!record.quarantined) continue;
    record.quarantined = false;
    record.nextAttemptAt = now.toISOString();
    retried.push(key);
  }
  return retried;
}

export function isDeferred(record: FailureRecord | undefined, now: Date): boolean {
  if (!record) return false;
  return record.quarantined || Date.parse(record.nextAttemptAt) > now.getTime();
}

/**
 * Removes the operations of objects that are backing off or quarantined, and the membership
 * operations that depend on them (a deferred user's DN may not exist yet, or may be renamed).
 */
export function deferOperations(plan: Plan, failures: Failures, now: Date): { plan: Plan; deferred: PlanOp[] } {
  const deferredKeys = new Set(
    Object.entries(failures)
      .filter(([, r]) => isDeferred(r, now))
      .map(([k]) => k),
  );
  if (deferredKeys.size === 0) return { plan, deferred: [] };
  const heldDns = new Set<string>();
  for (const op of plan.operations) {
    const key = objectKey(op);
    if (!key || !deferredKeys.has(key) || key.startsWith('member:')) continue;
    if ('dn' in op && op.dn) heldDns.add(lower(op.dn));
    if ('newDn' in op) heldDns.add(lower(op.newDn));
  }
  const kept: PlanOp[] = [];
  const deferred: PlanOp[] = [];
  for (const op of plan.operations) {
    const key = objectKey(op);
    const dependsOnHeld = (op.kind === 'addMember' || op.kind === 'removeMember') && (heldDns.has(lower(op.memberDn)) || heldDns.has(lower(op.groupDn)));
    if ((key && deferredKeys.has(key)) || dependsOnHeld) deferred.push(op);
    else kept.push(op);
  }
  const counts: Plan['counts'] = {};
  for (const op of kept) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
  return { plan: { ...plan, operations: kept, counts }, deferred };
}
