// What a batch of change-feed events asks of the agent (pure): whether AD needs a reconcile,
// which password events to apply, and which objects the events name (to release their
// quarantine). The reconcile itself is state-based, so a replayed event is harmless.
import type { ChangeEvent } from '../jumpcloud/agent-protocol';
import { emptyTargets, type Targets } from '../sync/targeted';

/** User fields the sync maps to AD; a user.updated touching none of them needs no reconcile. */
export const SYNCED_USER_FIELDS = new Set(['username', 'firstname', 'lastname', 'email', 'suspended', 'state', 'activated']);

const RECONCILE_TYPES = new Set([
  'user.created',
  'user.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'domain.association_added',
  'domain.association_removed',
]);

export interface BatchPlan {
  reconcile: boolean;
  /** What the reconcile may be limited to (targeted), unless `full`. */
  targets: Targets;
  /** An event the agent cannot target (no id where one is needed): a full reconcile. */
  full: boolean;
  /** user.password_changed events, oldest first. */
  passwords: ChangeEvent[];
  users: Set<string>;
  groups: Set<string>;
  memberships: boolean;
  primaryChanged: boolean;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const idOf = (value: unknown, field: string): string | null => (value && typeof value === 'object' ? text((value as Record<string, unknown>)[field]) : null);

export function planBatch(events: ChangeEvent[]): BatchPlan {
  const batch: BatchPlan = {
    reconcile: false,
    targets: emptyTargets(),
    full: false,
    passwords: [],
    users: new Set(),
    groups: new Set(),
    memberships: false,
    primaryChanged: false,
  };
  for (const event of events) {
    const data = event.data;
    const userId = idOf(data.user, '_id') ?? text(data.userId) ?? (data.targetType === 'user' ? text(data.targetId) : null);
    const groupId = idOf(data.group, 'id') ?? text(data.groupId) ?? (data.targetType === 'user_group' ? text(data.targetId) : null);
    if (userId) batch.users.add(userId);
    if (groupId) batch.groups.add(groupId);
    if (event.type === 'group.member_added' || event.type === 'group.member_removed') batch.memberships = true;
    if (event.type === 'user.password_changed') batch.passwords.push(event);
    else if (event.type === 'domain.primary_changed') batch.primaryChanged = true;
    else if (event.type === 'user.updated') {
      const changed = Array.isArray(data.changed) ? (data.changed as unknown[]).map(String) : null;
      if (!changed || changed.some((field) => SYNCED_USER_FIELDS.has(field))) {
        batch.reconcile = true;
        target(batch, event.type, data, userId, groupId);
      }
    } else if (RECONCILE_TYPES.has(event.type)) {
      batch.reconcile = true;
      target(batch, event.type, data, userId, groupId);
    }
  }
  return batch;
}

/** The objects one event asks the targeted reconcile to read; without the id it needs, a full reconcile. */
function target(batch: BatchPlan, type: string, data: Record<string, unknown>, userId: string | null, groupId: string | null): void {
  const t = batch.targets;
  if (type.startsWith('user.')) {
    if (userId) t.users.add(userId);
    else batch.full = true;
  } else if (type === 'group.member_added' || type === 'group.member_removed') {
    // The user's traversal gives all its bound-group edges; without a user, the group's members are read.
    if (userId) t.users.add(userId);
    else if (groupId) t.groupMembers.add(groupId);
    else batch.full = true;
  } else if (type.startsWith('group.')) {
    if (groupId) t.groups.add(groupId);
    else batch.full = true;
  } else if (type.startsWith('domain.association_')) {
    const id = text(data.targetId);
    if (id && data.targetType === 'user') t.users.add(id);
    else if (id && data.targetType === 'user_group') t.groupMembers.add(id);
    else batch.full = true;
  } else batch.full = true;
}
