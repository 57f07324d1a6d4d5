// The JumpCloud side of a targeted plan: only the objects a batch of change events names, read by
// id, and "is this user still in scope?" answered from JumpCloud's graph for that one user
// (`GET /v2/users/{id}/activedirectories`, whose paths also name the bound groups it reaches the
// domain through), never by listing the org. The result is a DesiredState slice for the same pure
// planner as the full reconcile, with each group marked for what the plan decides about it.
import { asEngineError } from '../errors';
import type { JumpCloudClient } from '../jumpcloud/client';
import type { GraphObjectWithPaths } from '../jumpcloud/schemas';
import { storableText } from '../ad/names';
import { toDesiredUser } from './gather';
import type { DesiredGroup, DesiredState, DesiredUser } from './model';

/** What a batch of change events names (see agent/targets.ts). */
export interface Targets {
  /** Users whose record, scope and bound-group memberships are read. */
  users: Set<string>;
  /** Groups whose record and binding are read (a rename, a new description, a deletion). */
  groups: Set<string>;
  /** Groups whose whole membership is read too (newly bound, created, or a membership change naming no user). */
  groupMembers: Set<string>;
}

export function emptyTargets(): Targets {
  return { users: new Set(), groups: new Set(), groupMembers: new Set() };
}

export function targetCount(t: Targets): number {
  return t.users.size + new Set([...t.groups, ...t.groupMembers]).size;
}

interface DesiredSlice {
  desired: DesiredState;
  /** Every user the plan decides about (in scope or not): their anchored AD accounts are read. */
  userIds: string[];
  /** Every group the plan looks at: those named, and the bound groups the named users reach the domain through. */
  groupIds: string[];
  /** Groups whose whole membership the plan decides. */
  fullGroupIds: string[];
  /** The bound groups each named user reaches the domain through (for the planner's 'members' groups). */
  memberOf: Map<string, Set<string>>;
}

const notFound = (err: unknown) => asEngineError(err).id === 'JumpCloud.NotFound';

async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The bound groups a traversal's paths go through (empty for a direct binding). */
function groupsOnPaths(entry: GraphObjectWithPaths): string[] {
  return (entry.paths ?? []).flatMap((path) => path.filter((edge) => edge.to.type === 'user_group').map((edge) => edge.to.id));
}

/**
 * Reads the slice. Calls: per named group its record and its domains (plus its members when its
 * membership is read); per named user one traversal; the users' records by id, 100 a call.
 */
export async function gatherSlice(client: JumpCloudClient, domainId: string, targets: Targets): Promise<DesiredSlice> {
  // Scope and bound groups of each named user, from the graph.
  const memberOf = new Map<string, Set<string>>();
  const inScope = new Set<string>();
  for (const userId of targets.users) {
    const domains = await orNull(collect(client.listUserDomains(userId)));
    const ours = domains?.find((d) => d.id === domainId);
    if (!ours) continue;
    inScope.add(userId);
    memberOf.set(userId, new Set(groupsOnPaths(ours)));
  }
  const reached = new Set([...memberOf.values()].flatMap((g) => [...g]));

  const named = new Set([...targets.groups, ...targets.groupMembers]);
  const desiredGroups = new Map<string, DesiredGroup>();
  const usersToRead = new Set(targets.users);
  const fullGroupIds: string[] = [];
  for (const groupId of named) {
    const group = await orNull(client.getUserGroup(groupId));
    if (!group) continue; // deleted: its AD group goes
    const domains = await orNull(collect(client.listGroupDomains(groupId)));
    if (!domains?.some((d) => d.id === domainId)) continue; // not bound: its AD group goes
    const entry: DesiredGroup = { jcId: group.id, name: group.name, description: storableText(group.description ?? ''), memberJcIds: [] };
    // A named user's edge with a named group: one plan decides both, so the whole membership is read.
    if (targets.groupMembers.has(groupId) || reached.has(groupId)) {
      for await (const member of client.listGroupMembership(groupId)) {
        if (member.type !== 'user') continue;
        entry.memberJcIds.push(member.id);
        usersToRead.add(member.id);
        inScope.add(member.id);
      }
      fullGroupIds.push(groupId);
    } else {
      entry.scope = 'attributes';
    }
    desiredGroups.set(groupId, entry);
  }

  // The named users' edges with the other bound groups they reach the domain through.
  for (const [userId, groups] of memberOf) {
    for (const groupId of groups) {
      if (named.has(groupId)) continue;
      const edge = desiredGroups.get(groupId) ?? { jcId: groupId, name: '', description: '', memberJcIds: [], scope: 'members' as const };
      edge.memberJcIds.push(userId);
      desiredGroups.set(groupId, edge);
    }
  }

  const users: DesiredUser[] = [];
  for await (const user of client.searchUsersById([...usersToRead].filter((id) => inScope.has(id)))) users.push(toDesiredUser(user));
  return {
    desired: { users, groups: [...desiredGroups.values()] },
    userIds: [...usersToRead],
    groupIds: [...new Set([...named, ...reached])],
    fullGroupIds,
    memberOf,
  };
}
