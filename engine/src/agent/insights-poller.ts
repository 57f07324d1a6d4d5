// The API-key mode's change signal: Directory Insights (POST /insights/directory/v1/events,
// service ["directory"]), read from a cursor. Directory Insights indexes an event a little after
// it happened, so every query starts `INSIGHTS_OVERLAP_MS` before the cursor's time and the events
// seen in that overlap are remembered by id (a late event is still found, a seen one is not
// counted twice). Events about users, groups, memberships and domain bindings ask for the same
// debounced full reconcile as the change feed; sign-ins and other services' changes are ignored.
// Directory Insights carries no passwords: the API-key mode does not sync them.
import type { JumpCloudClient } from '../jumpcloud/client';
import type { DirectoryEvent } from '../jumpcloud/schemas';
import { emptyTargets, type Targets } from '../sync/targeted';
import { SYNCED_USER_FIELDS } from './events';

/** How far before the cursor each query starts: covers Directory Insights' indexing delay. */
export const INSIGHTS_OVERLAP_MS = 60_000;
/** Events read per poll at most; the rest is read by the next poll. */
const MAX_EVENTS_PER_POLL = 10_000;
/** Ids remembered for the overlap at most (a busier minute may count an event twice: one more reconcile, no harm). */
export const MAX_REMEMBERED_IDS = 5_000;
/** How far back the first start looks for the newest event, to anchor the cursor on JumpCloud's clock. */
const INITIAL_LOOKBACK_MS = 7 * 86_400_000;
const PAGE_SIZE = 1000;

export interface InsightsCursor {
  /** Timestamp of the newest event seen (JumpCloud's clock). */
  time: string;
  /** Ids of the events seen from `time` minus the overlap on. */
  ids: string[];
}

export interface InsightsPlan {
  reconcile: boolean;
  /** What the reconcile may be limited to (targeted), unless `full`. */
  targets: Targets;
  /** An event whose shape the agent cannot target: a full reconcile. */
  full: boolean;
  /** Objects the events name: their failure records are released (quarantine included). */
  users: Set<string>;
  groups: Set<string>;
  memberships: boolean;
}

/** `start_time` of the next query. */
export function queryStart(cursor: InsightsCursor, overlapMs = INSIGHTS_OVERLAP_MS): string {
  const time = Date.parse(cursor.time);
  return new Date((Number.isNaN(time) ? Date.now() : time) - overlapMs).toISOString();
}

/** The events not seen before, and the cursor after all of `events` (one query's answer, oldest first). */
export function advanceCursor(
  cursor: InsightsCursor,
  events: DirectoryEvent[],
  overlapMs = INSIGHTS_OVERLAP_MS,
): { fresh: DirectoryEvent[]; cursor: InsightsCursor } {
  if (events.length === 0) return { fresh: [], cursor };
  const seen = new Set(cursor.ids);
  const fresh = events.filter((e) => !seen.has(e.id));
  let newest = Date.parse(cursor.time);
  for (const e of events) {
    const t = Date.parse(e.timestamp);
    if (!Number.isNaN(t) && (Number.isNaN(newest) || t > newest)) newest = t;
  }
  if (Number.isNaN(newest)) return { fresh, cursor };
  const floor = newest - overlapMs;
  const ids = [...new Set(events.filter((e) => Date.parse(e.timestamp) >= floor).map((e) => e.id))];
  return { fresh, cursor: { time: new Date(newest).toISOString(), ids: ids.slice(-MAX_REMEMBERED_IDS) } };
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const record = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** Sign-ins and authentications are not changes of the directory. */
const NOT_A_CHANGE = /login|logout|_auth|authn|mfa/;

/**
 * Objects an event refers to besides its resource: the sandbox's `changes[].to` of a membership or
 * binding change, and an `association.connection.{from,to}` pair ({type, object_id | id}).
 */
function linkedObjects(event: DirectoryEvent): Array<{ type: string; id: string }> {
  const found: Array<{ type: string; id: string }> = [];
  for (const change of Array.isArray(event.changes) ? (event.changes as unknown[]) : []) {
    const c = record(change);
    const to = text(c?.to);
    const field = text(c?.field);
    if (!to || !field) continue;
    if (field === 'member' || field === 'user') found.push({ type: 'user', id: to });
    else if (field === 'user_group') found.push({ type: 'user_group', id: to });
  }
  const connection = record(record(event.association)?.connection);
  for (const end of [record(connection?.from), record(connection?.to)]) {
    const type = text(end?.type);
    const id = text(end?.object_id) ?? text(end?.id);
    if (type && id) found.push({ type, id });
  }
  return found;
}

/** Whether a user_update touched a field the sync maps (an unknown change list counts as yes). */
function touchesSyncedField(event: DirectoryEvent): boolean {
  if (!Array.isArray(event.changes)) return true;
  const fields = (event.changes as unknown[]).map((c) => text(record(c)?.field));
  if (fields.some((f) => f === null)) return true;
  return fields.some((f) => SYNCED_USER_FIELDS.has(f as string));
}

/** Resource types whose changes reach AD: users, user groups, and the ADI domain (its bindings). */
const SYNCED_TYPES = new Set(['user', 'user_group', 'active_directory']);

/** The resource type an event is about, from its type when the resource does not say. */
function resourceTypeOf(event: DirectoryEvent): string | null {
  const declared = text(event.resource?.type);
  if (declared) return declared;
  const type = event.event_type;
  if (type.startsWith('user_group') || type.startsWith('group_')) return 'user_group';
  if (type.startsWith('user_')) return 'user';
  if (type.startsWith('activedirectory')) return 'active_directory';
  return null;
}

/** What a batch of Directory Insights events asks of the agent (pure). */
export function planInsights(events: DirectoryEvent[]): InsightsPlan {
  const plan: InsightsPlan = { reconcile: false, targets: emptyTargets(), full: false, users: new Set(), groups: new Set(), memberships: false };
  for (const event of events) {
    const type = event.event_type;
    if (NOT_A_CHANGE.test(type)) continue;
    const resourceType = resourceTypeOf(event);
    const linked = linkedObjects(event);
    const kinds = [resourceType, ...linked.map((o) => o.type)].filter((k): k is string => k !== null);
    // An association whose ends are unknown counts: a reconcile too many is harmless, one too few is not.
    const relevant =
      type === 'association_change' ? kinds.length === 0 || kinds.some((k) => SYNCED_TYPES.has(k)) : resourceType !== null && SYNCED_TYPES.has(resourceType);
    if (!relevant) continue;
    const resourceId = text(event.resource?.id);
    if (resourceId && resourceType === 'user') plan.users.add(resourceId);
    if (resourceId && resourceType === 'user_group') plan.groups.add(resourceId);
    for (const o of linked) {
      if (o.type === 'user') plan.users.add(o.id);
      else if (o.type === 'user_group') plan.groups.add(o.id);
    }
    if (type.includes('member') || (linked.some((o) => o.type === 'user') && (resourceType === 'user_group' || linked.some((o) => o.type === 'user_group'))))
      plan.memberships = true;
    if (resourceType === 'user' && type === 'user_update' && !touchesSyncedField(event)) continue;
    plan.reconcile = true;
    targetInsight(plan, type, resourceType, resourceId, linked);
  }
  return plan;
}

/** The objects one event asks the targeted reconcile to read; a shape it does not know: a full reconcile. */
function targetInsight(
  plan: InsightsPlan,
  type: string,
  resourceType: string | null,
  resourceId: string | null,
  linked: Array<{ type: string; id: string }>,
): void {
  const t = plan.targets;
  const users = linked.filter((o) => o.type === 'user').map((o) => o.id);
  const groups = linked.filter((o) => o.type === 'user_group').map((o) => o.id);
  if (type === 'association_change') {
    // A binding of the domain (or a membership given as an association): the named ends.
    if (users.length === 0 && groups.length === 0) {
      plan.full = true;
      return;
    }
    for (const id of users) t.users.add(id);
    // A user's traversal gives its bound-group edges; a group alone (a binding) is read whole.
    if (users.length === 0) for (const id of groups) t.groupMembers.add(id);
    return;
  }
  if (resourceType === 'user' && resourceId) {
    t.users.add(resourceId);
    return;
  }
  if (resourceType === 'user_group' && resourceId) {
    if (type.includes('member')) {
      if (users.length > 0) for (const id of users) t.users.add(id);
      else t.groupMembers.add(resourceId);
    } else t.groups.add(resourceId);
    return;
  }
  plan.full = true;
}

/** Reads Directory Insights from a cursor. Errors are the client's (JumpCloud.AuthFailed, .Forbidden, .RateLimited, ...). */
export class InsightsPoller {
  readonly #client: JumpCloudClient;
  readonly #overlapMs: number;

  constructor(client: JumpCloudClient, options: { overlapMs?: number } = {}) {
    this.#client = client;
    this.#overlapMs = options.overlapMs ?? INSIGHTS_OVERLAP_MS;
  }

  /**
   * A first cursor, on JumpCloud's clock (a server clock that is off cannot hide events): just
   * past the newest event of the last week, with the events of its overlap remembered; or, in a
   * quiet org, the local time minus the overlap.
   */
  async initialCursor(now: Date): Promise<InsightsCursor> {
    let newest: DirectoryEvent | null = null;
    for await (const event of this.#client.listDirectoryEvents({
      service: ['directory'],
      startTime: new Date(now.getTime() - INITIAL_LOOKBACK_MS).toISOString(),
      sort: 'DESC',
      limit: 1,
    })) {
      newest = event;
      break;
    }
    if (!newest) return { time: new Date(now.getTime() - this.#overlapMs).toISOString(), ids: [] };
    return (await this.poll({ time: newest.timestamp, ids: [] })).cursor;
  }

  /** The events after the cursor (seen ones left out), and the cursor after them; the caller saves it when done. */
  async poll(cursor: InsightsCursor): Promise<{ fresh: DirectoryEvent[]; cursor: InsightsCursor }> {
    const events: DirectoryEvent[] = [];
    for await (const event of this.#client.listDirectoryEvents({
      service: ['directory'],
      startTime: queryStart(cursor, this.#overlapMs),
      sort: 'ASC',
      limit: PAGE_SIZE,
    })) {
      events.push(event);
      if (events.length >= MAX_EVENTS_PER_POLL) break;
    }
    return advanceCursor(cursor, events, this.#overlapMs);
  }
}
