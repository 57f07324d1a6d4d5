// Desired state from JumpCloud for one ADI domain: users bound directly or through a bound user
// group, their mapped attributes and state, and the bound groups with their members. Reads only,
// and only the scope: the bindings and the bound groups' members name the users, whose records are
// then fetched by id (JumpCloud's search, 100 a request), never by listing the org.
import { badRequest, EngineError, ExitCode } from '../errors';
import type { JumpCloudClient } from '../jumpcloud/client';
import type { ActiveDirectory, SyncUser } from '../jumpcloud/schemas';
import type { DesiredGroup, DesiredState, DesiredUser } from './model';
import { storableText } from '../ad/names';
import { readActualState, type ReadOptions } from '../ad/directory';
import type { AdSession } from '../ad/session';
import type { ActualState } from '../ad/model';
import { knownValuesOnceRead, shareEqualStrings } from './share-strings';

const JC_ID = /^[0-9a-fA-F]{24}$/;

/** Finds the ADI domain by id or by its exact ADI name (DC=example;DC=com; case matters, as in JumpCloud). */
export async function findDomain(client: JumpCloudClient, domain: string): Promise<ActiveDirectory> {
  if (JC_ID.test(domain)) return client.getActiveDirectory(domain);
  const known: string[] = [];
  for await (const ad of client.listActiveDirectories()) {
    if (ad.domain === domain) return ad;
    known.push(ad.domain);
  }
  const caseOnly = known.find((d) => d.toLowerCase() === domain.toLowerCase());
  throw new EngineError(
    'JumpCloud.DomainNotFound',
    caseOnly
      ? `The ADI domain '${domain}' is registered in JumpCloud as '${caseOnly}'; the case must match exactly.`
      : `No ADI domain '${domain}' in this JumpCloud organisation${known.length ? ` (found: ${known.join(', ')})` : ''}. Create it with New-JCADIDomain.`,
    { category: 'ObjectNotFound', exitCode: ExitCode.BadRequest, target: domain },
  );
}

/** STAGED users are not active yet: like suspended ones, their AD accounts stay disabled. */
function isSuspended(user: SyncUser): boolean {
  return user.suspended === true || user.state === 'SUSPENDED' || user.state === 'STAGED';
}

export function toDesiredUser(user: SyncUser): DesiredUser {
  return {
    jcId: user._id,
    username: user.username,
    firstName: storableText(user.firstname ?? ''),
    lastName: storableText(user.lastname ?? ''),
    email: user.email === '' ? null : storableText(user.email),
    suspended: isSuspended(user),
  };
}

export interface GatherProgress {
  (status: string, percent: number): void;
}

/**
 * The JumpCloud ids in scope of the ADI domain (bound directly or through a bound group), without
 * reading the users themselves: what offboarding checks before it suspends anyone.
 */
export async function gatherScope(client: JumpCloudClient, domainId: string): Promise<Set<string>> {
  if (!domainId) throw badRequest('Request.Invalid', 'An ADI domain id is required.');
  const inScope = new Set<string>();
  for await (const edge of client.listDomainAssociations(domainId, 'user')) if (edge.to.type === 'user') inScope.add(edge.to.id);
  for await (const edge of client.listDomainAssociations(domainId, 'user_group')) {
    if (edge.to.type !== 'user_group') continue;
    for await (const member of client.listGroupMembership(edge.to.id)) if (member.type === 'user') inScope.add(member.id);
  }
  return inScope;
}

export async function gatherDesired(client: JumpCloudClient, domainId: string, progress: GatherProgress = () => undefined): Promise<DesiredState> {
  if (!domainId) throw badRequest('Request.Invalid', 'An ADI domain id is required.');
  progress('Reading the ADI domain bindings', 5);
  const inScope = new Set<string>();
  for await (const edge of client.listDomainAssociations(domainId, 'user')) if (edge.to.type === 'user') inScope.add(edge.to.id);
  const groupIds: string[] = [];
  for await (const edge of client.listDomainAssociations(domainId, 'user_group')) if (edge.to.type === 'user_group') groupIds.push(edge.to.id);

  const groups: DesiredGroup[] = [];
  for (const [i, groupId] of groupIds.entries()) {
    progress(`Reading bound group ${i + 1} of ${groupIds.length}`, 10 + Math.floor((i / Math.max(1, groupIds.length)) * 30));
    const group = await client.getUserGroup(groupId);
    const memberJcIds: string[] = [];
    for await (const member of client.listGroupMembership(groupId)) {
      if (member.type !== 'user') continue;
      memberJcIds.push(member.id);
      inScope.add(member.id);
    }
    groups.push({ jcId: group.id, name: group.name, description: storableText(group.description ?? ''), memberJcIds });
  }

  progress(`Reading ${inScope.size} users in scope`, 45);
  const users: DesiredUser[] = [];
  // The scope's users by id (100 a request), never the whole org: the cost follows the scope.
  for await (const user of client.searchUsersById(inScope)) users.push(toDesiredUser(user));
  shareMemberIds(users, groups);
  return { users, groups };
}

/** Each member id points at its user's id string instead of a copy of its own (20,000 users in groups: about 1 MB). */
function shareMemberIds(users: DesiredUser[], groups: DesiredGroup[]): void {
  const ids = new Map(users.map((u) => [u.jcId, u.jcId]));
  for (const group of groups) group.memberJcIds = group.memberJcIds.map((id) => ids.get(id) ?? id);
}

/** The names a plan may give AD objects (usernames, group names): the reader looks up who holds them. */
function candidateNamesOf(desired: DesiredState): string[] {
  return desired.users.map((u) => u.username).concat(desired.groups.map((g) => g.name));
}

/**
 * A full reconcile's two reads, at the same time: the ADI domain's scope from JumpCloud and the
 * root in AD (the AD reader needs JumpCloud's names only at its end: who holds the names the plan
 * may create). The AD side then shares JumpCloud's strings for equal values (./share-strings.ts).
 * `onDesired` runs once JumpCloud is read (the sync command's progress).
 */
export async function readBothSides(
  client: JumpCloudClient,
  domainId: string,
  session: AdSession,
  options: Omit<ReadOptions, 'candidateNames' | 'knownValues'>,
  progress?: GatherProgress,
  onDesired: () => void = () => undefined,
): Promise<{ desired: DesiredState; actual: ActualState }> {
  const reading = gatherDesired(client, domainId, progress).then((d) => (onDesired(), d));
  reading.catch(() => undefined); // awaited below; a failure of AD first must not leave it unhandled
  const actual = await readActualState(session, {
    ...options,
    candidateNames: async () => candidateNamesOf(await reading),
    knownValues: knownValuesOnceRead(reading),
  });
  const desired = await reading;
  shareEqualStrings(desired, actual);
  return { desired, actual };
}
