// plan(desired, actual, options) → Plan. Pure: no I/O, no clock, no randomness. The same plan
// drives -WhatIf, Get-JCSyncPlan and a real run; only the applier writes.
import { escapeDnValue } from '../ad/escape';
import {
  APPLY_ORDER,
  type AttributeChange,
  type DesiredGroup,
  type DesiredState,
  type DesiredUser,
  type Plan,
  type PlanOp,
  type PlanOptions,
  type SkipCode,
} from './model';
import { type ActualState, type AdGroup, type AdUser, type UserAttributes } from '../ad/model';
import { accountNameProblem, lower, MAX_CN, MAX_GROUP_SAM, MAX_USER_SAM } from '../ad/names';
import { describeOverLimit, valuesOverLimit } from '../ad/schema-limits';
import { resolveRenames, type RenameIntent } from './renames';
import { compareOrdinal } from '../util/text';
import { screenActual } from './trust';

const OUT_OF_SCOPE = 'no longer bound to the ADI domain in JumpCloud (directly or through a bound group)';

function userAttributes(user: DesiredUser, upnSuffix: string): UserAttributes {
  return {
    cn: user.username,
    sAMAccountName: user.username,
    userPrincipalName: `${user.username}@${upnSuffix}`,
    givenName: user.firstName,
    sn: user.lastName,
    displayName: `${user.firstName} ${user.lastName}`,
    mail: user.email ?? '',
  };
}

/** The readable name of a member: its RDN value, unescaped. */
function displayName(dn: string): string {
  return /^CN=((?:\\.|[^,])+)/i.exec(dn)?.[1]?.replace(/\\(.)/g, '$1') ?? dn;
}

function childDn(cn: string, parentDn: string): string {
  return `CN=${escapeDnValue(cn)},${parentDn}`;
}

/** The attributes whose value differs (one loop: most objects of a reconcile have none). */
function changes(before: Record<string, string>, after: Record<string, string>, attributes: readonly string[]): AttributeChange[] {
  let diff: AttributeChange[] | null = null;
  for (const a of attributes) {
    if ((before[a] ?? '') !== (after[a] ?? '')) (diff ??= []).push({ attribute: a, before: before[a] ?? '', after: after[a] ?? '' });
  }
  return diff ?? [];
}
/** The user attributes a plan updates: the names, and the logon names unless a rename sets them. */
const USER_UPDATED = ['givenName', 'sn', 'displayName', 'mail'] as const;
const USER_UPDATED_WITH_LOGON_NAMES = [...USER_UPDATED, 'sAMAccountName', 'userPrincipalName'] as const;

/**
 * By name regardless of case, lower case first among names that differ only in case (the one that
 * keeps the name when JumpCloud has both), then by id: the same order on every machine. Each name
 * is lower-cased once, not at every comparison.
 */
function sortedByName<T extends { jcId: string }>(objects: readonly T[], nameOf: (object: T) => string): T[] {
  const keyed = objects.map((object) => {
    const name = nameOf(object);
    return { object, name, key: lower(name) };
  });
  keyed.sort((a, b) => compareOrdinal(a.key, b.key) || compareOrdinal(b.name, a.name) || compareOrdinal(a.object.jcId, b.object.jcId));
  return keyed.map((k) => k.object);
}

/** Indexes one kind of AD object under the root: anchored by JumpCloud id, unanchored by name. */
function index<T extends AdUser | AdGroup>(objects: T[], skip: (op: PlanOp) => void, objectType: 'user' | 'group') {
  const byJcId = new Map<string, T>();
  const unanchoredByName = new Map<string, T>();
  for (const object of objects) {
    if (object.anchor) {
      const first = byJcId.get(object.anchor.jcId);
      if (first) {
        skip({
          kind: 'skip',
          objectType,
          jcId: object.anchor.jcId,
          name: object.cn,
          dn: object.dn,
          code: 'Conflict',
          reason: `carries the same JumpCloud anchor as ${first.dn}; left alone until one anchor is removed`,
        });
        continue;
      }
      byJcId.set(object.anchor.jcId, object);
    } else {
      unanchoredByName.set(lower(object.sAMAccountName), object);
      unanchoredByName.set(lower(object.cn), unanchoredByName.get(lower(object.cn)) ?? object);
    }
  }
  return { byJcId, unanchoredByName };
}

export function plan(desired: DesiredState, found: ActualState, options: PlanOptions): Plan {
  const ops: PlanOp[] = [];
  const emit = (op: PlanOp) => ops.push(op);
  // Objects the sync cannot vouch for (anchor without a valid proof, critical system objects)
  // arrive protected and unanchored: reported, never written (./trust.ts).
  const trust = screenActual(found, options);
  const actual = trust.actual;
  for (const report of trust.reports) emit(report);
  const whyProtected = (dn: string) => trust.protectedWhy.get(lower(dn)) ?? 'is protected (adminCount=1)';
  const skip = (objectType: 'user' | 'group', jcId: string | null, name: string, dn: string | null, code: SkipCode, reason: string) =>
    emit({ kind: 'skip', objectType, jcId, name, dn, code, reason });

  const users = index(actual.users, emit, 'user');
  const groups = index(actual.groups, emit, 'group');
  /**
   * Lower-case DN → the object there (null: a DN a targeted read found occupied). One map for every
   * DN question, built at the first one: a reconcile that creates, renames and removes nothing asks
   * none (20,000 lower-cased DNs less at every no-op).
   */
  let underRootMap: Map<string, AdUser | AdGroup | null> | null = null;
  const underRoot = (): Map<string, AdUser | AdGroup | null> => {
    if (underRootMap) return underRootMap;
    const map = new Map<string, AdUser | AdGroup | null>();
    for (const object of actual.users) map.set(lower(object.dn), object);
    for (const object of actual.groups) map.set(lower(object.dn), object);
    for (const dn of actual.occupiedDns ?? []) map.set(lower(dn), map.get(lower(dn)) ?? null);
    return (underRootMap = map);
  };
  /** Final DN of every managed, unprotected user after the plan applies, by JumpCloud id. */
  const finalUserDn = new Map<string, string>();
  /** Current DN (lower case) → final DN, so renamed members are not removed and re-added. */
  const renamed = new Map<string, string>();
  /** renamed's new DNs in lower case, made when the first group's members are planned (renames are all known then). */
  let renamedTo: Set<string> | null = null;
  const protectedDns = new Set<string>();
  for (const object of actual.users) if (object.protected) protectedDns.add(lower(object.dn));
  for (const object of actual.groups) if (object.protected) protectedDns.add(lower(object.dn));

  // Names another object in the domain holds (ours excluded), so a create or rename cannot clash.
  const nameTakenBy = (name: string, self: string | null): string | null => {
    const holder = actual.accountNames.get(lower(name));
    return holder && lower(holder) !== lower(self ?? '') ? holder : null;
  };
  const upnTakenBy = (upn: string, self: string | null): string | null => {
    const holder = actual.principalNames.get(lower(upn));
    return holder && lower(holder) !== lower(self ?? '') ? holder : null;
  };

  // ---- users
  const seenUsernames = new Map<string, string>();
  const desiredUsers = sortedByName(desired.users, (u) => u.username);
  const desiredUserIds = new Set(desiredUsers.map((u) => u.jcId));
  // Renames that wait on each other (swaps, rotations, a name held by a user leaving the scope)
  // go through temporary names: see ./renames.ts.
  const managedUsers = new Map<string, AdUser>();
  users.byJcId.forEach((user, jcId) => {
    if (!user.protected) managedUsers.set(jcId, user);
  });
  const intents: RenameIntent[] = [];
  const counted = new Set<string>();
  for (const user of desiredUsers) {
    const existing = managedUsers.get(user.jcId);
    const nameKey = lower(user.username);
    if (!existing || counted.has(nameKey) || missingName(user) !== null) continue;
    counted.add(nameKey);
    if (existing.cn === user.username || accountNameProblem(user.username, MAX_USER_SAM, 'username')) continue;
    const want = userAttributes(user, actual.upnSuffix);
    // Skipped below for a value over the schema's limit: its rename does not happen, so it needs no name.
    if (valuesOverLimit(want, actual.attributeLimits).length > 0) continue;
    intents.push({
      jcId: user.jcId,
      object: existing,
      dn: childDn(want.cn, actual.rootDN),
      sAMAccountName: want.sAMAccountName,
      userPrincipalName: want.userPrincipalName,
    });
  }
  const departing = new Set<string>();
  for (const jcId of managedUsers.keys()) if (!desiredUserIds.has(jcId)) departing.add(jcId);
  const renames = resolveRenames(intents, managedUsers, departing, actual, underRoot);
  /** DN of each user after its vacate, so the operations after it find it. */
  const vacatedDn = new Map<string, string>();
  for (const v of [...renames.vacates.values()].sort((a, b) => compareOrdinal(a.tempName, b.tempName))) {
    const leaving = departing.has(v.jcId);
    emit({
      kind: 'vacateUserName',
      jcId: v.jcId,
      dn: v.dn,
      newDn: v.tempDn,
      name: v.object.sAMAccountName,
      tempName: v.tempName,
      tempUpn: v.tempUpn,
      reason: leaving
        ? 'left the scope; its name is parked so a JumpCloud user renamed onto it can have it'
        : 'its name is needed by another renamed user; moves to a temporary name first',
    });
    vacatedDn.set(v.jcId, v.tempDn);
    if (leaving) renamed.set(lower(v.dn), v.tempDn);
  }
  // An account the sync already manages keeps its group memberships while its JumpCloud record is
  // not syncable; it is only left unchanged.
  const keepMemberships = (jcId: string) => {
    const managed = users.byJcId.get(jcId);
    if (managed && !managed.protected) finalUserDn.set(jcId, managed.dn);
  };
  for (const user of desiredUsers) {
    const label = user.username;
    const nameKey = lower(user.username);
    const firstHolder = seenUsernames.get(nameKey);
    if (firstHolder) {
      skip(
        'user',
        user.jcId,
        label,
        null,
        'DuplicateInJumpCloud',
        `another JumpCloud user (${firstHolder}) has the same username apart from case; AD logon names ignore case`,
      );
      continue;
    }
    seenUsernames.set(nameKey, user.jcId);
    const missing = missingName(user);
    if (missing !== null) {
      skip('user', user.jcId, label, null, 'MissingName', `has no ${missing} in JumpCloud; AD sync needs both (add them in JumpCloud)`);
      keepMemberships(user.jcId);
      continue;
    }
    const nameProblem = accountNameProblem(user.username, MAX_USER_SAM, 'username');
    if (nameProblem) {
      skip('user', user.jcId, label, null, 'InvalidUsername', `${nameProblem}; change the username in JumpCloud`);
      keepMemberships(user.jcId);
      continue;
    }
    const want = userAttributes(user, actual.upnSuffix);
    const tooLong = valuesOverLimit(want, actual.attributeLimits);
    if (tooLong.length > 0) {
      skip(
        'user',
        user.jcId,
        label,
        users.byJcId.get(user.jcId)?.dn ?? null,
        'ValueTooLong',
        `${describeOverLimit(tooLong)}; shorten it in JumpCloud (values are never truncated)`,
      );
      keepMemberships(user.jcId);
      continue;
    }
    const wantDn = childDn(want.cn, actual.rootDN);
    let existing = users.byJcId.get(user.jcId);
    let adopt = false;
    if (!existing) {
      const clash = users.unanchoredByName.get(nameKey);
      if (clash) {
        if (clash.protected) {
          skip(
            'user',
            user.jcId,
            label,
            clash.dn,
            'Protected',
            `matches the account ${clash.dn}, which ${whyProtected(clash.dn)}; it is never managed from JumpCloud`,
          );
          continue;
        }
        if (clash.foreignAnchor || !options.adoptUnanchored) {
          skip(
            'user',
            user.jcId,
            label,
            clash.dn,
            'Conflict',
            `the AD account ${clash.dn} has this name but was not created by the sync; adopt it explicitly (-AdoptExisting) or rename one of them`,
          );
          continue;
        }
        existing = clash;
        adopt = true;
      }
    }

    if (!existing) {
      const holder = nameTakenBy(want.sAMAccountName, null) ?? upnTakenBy(want.userPrincipalName, null);
      if (holder && actual.anchoredOutside?.get(lower(holder)) === user.jcId) {
        skip(
          'user',
          user.jcId,
          label,
          holder,
          'MovedOutOfRoot',
          `the account the sync manages for this user is outside the root container (${holder}), moved there in AD; it is left alone, its group memberships too, until it is moved back under the root`,
        );
        continue;
      }
      if (holder) {
        skip('user', user.jcId, label, null, 'NameTaken', `the logon name is already used by ${holder} elsewhere in the ${actual.upnScope?.scope ?? 'domain'}`);
        continue;
      }
      if (underRoot().has(lower(wantDn))) {
        skip('user', user.jcId, label, wantDn, 'NameTaken', `${wantDn} already exists`);
        continue;
      }
      emit({
        kind: 'createUser',
        jcId: user.jcId,
        dn: wantDn,
        attributes: want,
        enabled: !user.suspended,
        reason: user.suspended ? 'new in scope (suspended in JumpCloud: created disabled)' : 'new in scope',
      });
      finalUserDn.set(user.jcId, wantDn);
      continue;
    }

    if (existing.protected) {
      skip('user', user.jcId, label, existing.dn, 'Protected', 'the account is protected (adminCount=1); privileged accounts are never modified');
      continue;
    }
    let finalDn = existing.dn;
    let renameBlocked = false;
    let logonNamesInRename = false;
    if (existing.cn !== want.cn) {
      const holder = nameTakenBy(want.sAMAccountName, existing.dn) ?? upnTakenBy(want.userPrincipalName, existing.dn);
      if (!renames.movable.has(user.jcId)) {
        skip('user', user.jcId, label, existing.dn, 'NameTaken', `cannot rename to '${want.cn}': the name is used by ${holder ?? wantDn}`);
        renameBlocked = true;
      } else {
        const from = vacatedDn.get(user.jcId) ?? existing.dn;
        // A user that vacated its name first holds its temporary logon names when its rename runs.
        const vacate = renames.vacates.get(user.jcId);
        const before = vacate
          ? { sAMAccountName: vacate.tempName, userPrincipalName: vacate.tempUpn }
          : { sAMAccountName: existing.sAMAccountName, userPrincipalName: existing.userPrincipalName };
        const logonNames = { after: { sAMAccountName: want.sAMAccountName, userPrincipalName: want.userPrincipalName }, before };
        emit({
          kind: 'renameUser',
          jcId: user.jcId,
          dn: from,
          newDn: wantDn,
          name: label,
          reason: `username changed in JumpCloud from '${existing.sAMAccountName}'`,
          logonNames,
        });
        logonNamesInRename = true;
        finalDn = wantDn;
        renamed.set(lower(existing.dn), wantDn);
      }
    }
    const attributes = renameBlocked || logonNamesInRename ? USER_UPDATED : USER_UPDATED_WITH_LOGON_NAMES;
    let diff = changes(existing as unknown as Record<string, string>, want as unknown as Record<string, string>, attributes);
    if (diff.length > 0) diff = diff.filter((c) => !(c.attribute === 'mail' && c.after === ''));
    if (diff.length > 0 || adopt) {
      emit({
        kind: 'updateUser',
        jcId: user.jcId,
        dn: finalDn,
        name: label,
        changes: diff,
        adopt,
        reason: adopt ? 'adopted: existing AD account taken over by explicit choice' : 'attributes changed in JumpCloud',
      });
    }
    if (user.suspended && !existing.disabled) {
      emit({ kind: 'disableUser', jcId: user.jcId, dn: finalDn, name: label, reason: 'suspended in JumpCloud' });
    } else if (!user.suspended && existing.disabled) {
      if (existing.anchor?.syncDisabled) {
        emit({ kind: 'enableUser', jcId: user.jcId, dn: finalDn, name: label, mayLackPassword: !existing.passwordSet, reason: 'active again in JumpCloud' });
      } else {
        const why = existing.anchor?.offboarded
          ? 'disabled in AD by an administrator (offboarded: the agent suspended the user in JumpCloud) and active in JumpCloud again; not re-enabled'
          : 'disabled in AD by an administrator while active in JumpCloud; not re-enabled (offboarding is kept)';
        skip('user', user.jcId, label, finalDn, 'DisabledInAD', why);
      }
    }
    finalUserDn.set(user.jcId, finalDn);
  }

  users.byJcId.forEach((adUser, jcId) => {
    if (desiredUserIds.has(jcId) || adUser.protected || adUser.disabled) return;
    emit({ kind: 'disableUser', jcId, dn: vacatedDn.get(jcId) ?? adUser.dn, name: adUser.sAMAccountName, reason: OUT_OF_SCOPE });
  });

  // ---- groups and membership
  const seenGroupNames = new Map<string, string>();
  const desiredGroups = sortedByName(desired.groups, (g) => g.name);
  const desiredGroupIds = new Set(desiredGroups.map((g) => g.jcId));
  // Group renames that wait on each other (swaps, rotations, a name held by a group that left the
  // scope and keeps its name) go through temporary names too: see ./renames.ts.
  const managedGroups = new Map([...groups.byJcId].filter(([, g]) => !g.protected));
  const groupIntents: RenameIntent[] = [];
  const countedGroups = new Set<string>();
  for (const group of desiredGroups) {
    if (group.scope === 'members') continue;
    const existing = managedGroups.get(group.jcId);
    if (!existing || countedGroups.has(lower(group.name))) continue;
    countedGroups.add(lower(group.name));
    if (accountNameProblem(group.name, Math.min(MAX_GROUP_SAM, MAX_CN), 'group name') || existing.cn === group.name) continue;
    if (valuesOverLimit({ cn: group.name, description: group.description }, actual.attributeLimits).length > 0) continue;
    groupIntents.push({ jcId: group.jcId, object: existing, dn: childDn(group.name, actual.rootDN), sAMAccountName: group.name, userPrincipalName: '' });
  }
  const departingGroups = new Set([...managedGroups.keys()].filter((jcId) => !desiredGroupIds.has(jcId)));
  const groupRenames = resolveRenames(groupIntents, managedGroups, departingGroups, actual, underRoot, false);
  /** DN of each group after its vacate, so the operations after it find it. */
  const vacatedGroupDn = new Map<string, string>();
  for (const v of [...groupRenames.vacates.values()].sort((a, b) => compareOrdinal(a.tempName, b.tempName))) {
    emit({
      kind: 'vacateGroupName',
      jcId: v.jcId,
      dn: v.dn,
      newDn: v.tempDn,
      name: v.object.sAMAccountName,
      tempName: v.tempName,
      reason: departingGroups.has(v.jcId)
        ? 'left the scope; its name is parked so a JumpCloud group renamed onto it can have it (the group itself is kept)'
        : 'its name is needed by another renamed group; moves to a temporary name first',
    });
    vacatedGroupDn.set(v.jcId, v.tempDn);
  }
  for (const group of desiredGroups) {
    planGroup(group);
  }
  // A group that leaves the scope is never deleted (its SID is named in ACLs everywhere): it is
  // emptied of the members the sync manages, marked ;unbound in its anchor, and left in place.
  const isManagedUser = (dn: string): boolean => {
    const object = underRoot().get(lower(dn));
    return !!object?.anchor && !object.protected && users.byJcId.get(object.anchor.jcId) === object;
  };
  for (const [jcId, adGroup] of groups.byJcId) {
    if (desiredGroupIds.has(jcId) || adGroup.protected) continue;
    const groupDn = vacatedGroupDn.get(jcId) ?? adGroup.dn;
    // Emptied again if it was marked before all its removals went through (a run stopped in between).
    // A member renamed in this plan is removed at its new DN: removals run after renames, and AD
    // takes the removal of a DN that no longer exists as done (the member would stay).
    for (const member of adGroup.members) {
      if (!isManagedUser(member)) continue;
      const memberDn = renamed.get(lower(member)) ?? member;
      emit({
        kind: 'removeMember',
        groupDn,
        memberDn,
        group: adGroup.cn,
        member: displayName(memberDn),
        reason: 'the group left the scope: emptied of the members the sync manages',
      });
    }
    if (adGroup.anchor?.unbound) continue;
    emit({
      kind: 'unbindGroup',
      jcId,
      dn: groupDn,
      name: adGroup.cn,
      reason: 'the user group is no longer bound to the ADI domain in JumpCloud: kept (never deleted), emptied of managed members and marked unbound',
    });
  }

  function planGroup(group: DesiredGroup): void {
    if (group.scope === 'members') {
      planMembership(group);
      return;
    }
    const label = group.name;
    const first = seenGroupNames.get(lower(group.name));
    if (first) {
      skip('group', group.jcId, label, null, 'DuplicateInJumpCloud', `another bound group (${first}) has the same name apart from case`);
      return;
    }
    seenGroupNames.set(lower(group.name), group.jcId);
    const problem = accountNameProblem(group.name, Math.min(MAX_GROUP_SAM, MAX_CN), 'group name');
    if (problem) {
      skip('group', group.jcId, label, null, 'InvalidGroupName', `${problem}; rename the group in JumpCloud`);
      return;
    }
    const tooLong = valuesOverLimit({ cn: group.name, description: group.description }, actual.attributeLimits);
    if (tooLong.length > 0) {
      skip(
        'group',
        group.jcId,
        label,
        groups.byJcId.get(group.jcId)?.dn ?? null,
        'ValueTooLong',
        `${describeOverLimit(tooLong)}; shorten it in JumpCloud (values are never truncated)`,
      );
      return;
    }
    const wantDn = childDn(group.name, actual.rootDN);
    let existing = groups.byJcId.get(group.jcId);
    let adopt = false;
    if (!existing) {
      const clash = groups.unanchoredByName.get(lower(group.name));
      if (clash) {
        if (clash.protected || clash.foreignAnchor || !options.adoptUnanchored) {
          const why = clash.protected ? whyProtected(clash.dn) : 'was not created by the sync; adopt it explicitly (-AdoptExisting) or rename one of them';
          skip('group', group.jcId, label, clash.dn, clash.protected ? 'Protected' : 'Conflict', `the AD group ${clash.dn} has this name and ${why}`);
          return;
        }
        existing = clash;
        adopt = true;
      }
    }
    let finalDn = wantDn;
    let currentMembers: string[] = [];
    if (!existing) {
      const holder = nameTakenBy(group.name, null);
      if (holder || underRoot().has(lower(wantDn))) {
        skip('group', group.jcId, label, null, 'NameTaken', `the name is already used by ${holder ?? wantDn}`);
        return;
      }
      emit({
        kind: 'createGroup',
        jcId: group.jcId,
        dn: wantDn,
        name: group.name,
        description: group.description,
        reason: 'user group newly bound to the ADI domain',
      });
    } else {
      if (existing.protected) {
        skip('group', group.jcId, label, existing.dn, 'Protected', `the group ${whyProtected(existing.dn)}; never modified`);
        return;
      }
      finalDn = existing.dn;
      if (existing.anchor?.unbound)
        emit({
          kind: 'rebindGroup',
          jcId: group.jcId,
          dn: existing.dn,
          name: label,
          reason: 'bound to the ADI domain again: the same AD group (same SID) gets its members back',
        });
      let renameBlocked = false;
      let accountNameInRename = false;
      if (existing.cn !== group.name) {
        if (!groupRenames.movable.has(group.jcId)) {
          const holder = nameTakenBy(group.name, existing.dn);
          skip('group', group.jcId, label, existing.dn, 'NameTaken', `cannot rename to '${group.name}': the name is used by ${holder ?? wantDn}`);
          renameBlocked = true;
        } else {
          // A group that vacated its name first holds its temporary sAMAccountName when its rename runs.
          const vacate = groupRenames.vacates.get(group.jcId);
          emit({
            kind: 'renameGroup',
            jcId: group.jcId,
            dn: vacatedGroupDn.get(group.jcId) ?? existing.dn,
            newDn: wantDn,
            name: label,
            reason: `renamed in JumpCloud from '${existing.cn}'`,
            accountName: { before: vacate ? vacate.tempName : existing.sAMAccountName, after: group.name },
          });
          accountNameInRename = true;
          finalDn = wantDn;
        }
      }
      const diff = changes(
        existing as unknown as Record<string, string>,
        { sAMAccountName: group.name, description: group.description },
        renameBlocked || accountNameInRename ? ['description'] : ['sAMAccountName', 'description'],
      );
      if (diff.length > 0 || adopt) {
        emit({
          kind: 'updateGroup',
          jcId: group.jcId,
          dn: finalDn,
          name: label,
          changes: diff,
          adopt,
          reason: adopt ? 'adopted: existing AD group taken over by explicit choice' : 'changed in JumpCloud',
        });
      }
      currentMembers = membersAfterRenames(existing.members);
    }

    if (group.scope === 'attributes') return;
    planMembers(group, label, finalDn, currentMembers);
  }

  /** A targeted plan's view of a group: only the edges of the slice's users; the group itself is not planned. */
  function planMembership(group: DesiredGroup): void {
    const existing = groups.byJcId.get(group.jcId);
    if (!existing || existing.protected || existing.anchor?.unbound) return;
    planMembers(group, existing.cn, existing.dn, membersAfterRenames(existing.members));
  }

  /** A group's members with each renamed account at its new DN. */
  function membersAfterRenames(members: string[]): string[] {
    return renamed.size === 0 ? members : members.map((m) => renamed.get(lower(m)) ?? m);
  }

  function planMembers(group: DesiredGroup, label: string, finalDn: string, currentMembers: string[]): void {
    // DNs are case-insensitive: compared in lower case, written in their own case. Most members
    // are the very DN string of their account (the reader shares it), so those equal as they are
    // come out first; only the rest is lower-cased (a group of 20,000 members lower-cased 40,000
    // DNs at every reconcile).
    const wantedDns = new Set<string>();
    for (const memberId of group.memberJcIds) {
      const dn = finalUserDn.get(memberId);
      if (dn) wantedDns.add(dn);
    }
    const currentDns = new Set(currentMembers);
    const wanted = new Map<string, string>();
    for (const dn of wantedDns) if (!currentDns.has(dn)) wanted.set(lower(dn), dn);
    const current = new Map<string, string>();
    for (const dn of currentDns) if (!wantedDns.has(dn)) current.set(lower(dn), dn);
    renamedTo ??= new Set([...renamed.values()].map(lower));
    for (const [key, dn] of wanted) {
      if (!current.has(key)) emit({ kind: 'addMember', groupDn: finalDn, memberDn: dn, group: label, member: displayName(dn), reason: 'member in JumpCloud' });
    }
    for (const [key, dn] of current) {
      // Members outside the root are not the sync's (an account moved out keeps its groups).
      const isUnderRoot = underRoot().has(key) || renamedTo.has(key);
      if (wanted.has(key) || protectedDns.has(key) || !isUnderRoot) continue;
      emit({ kind: 'removeMember', groupDn: finalDn, memberDn: dn, group: label, member: displayName(dn), reason: 'not a member of the group in JumpCloud' });
    }
  }

  return finish(ops, options, options.managedObjects ?? users.byJcId.size + groups.byJcId.size, desired);
}

/** What a user lacks of the first and last name AD needs ('first name', 'last name' or both), or null. */
function missingName(user: DesiredUser): string | null {
  const noFirstName = user.firstName.trim() === '';
  const noLastName = user.lastName.trim() === '';
  if (!noFirstName && !noLastName) return null;
  return noFirstName && noLastName ? 'first name and no last name' : noFirstName ? 'first name' : 'last name';
}

function onlyUserOps(ops: PlanOp[], desired: DesiredState, who: string): PlanOp[] {
  const user = desired.users.find((u) => u.jcId === who || lower(u.username) === lower(who));
  if (!user) return [];
  const userDns = new Set(
    ops.flatMap((op) => ('jcId' in op && op.jcId === user.jcId && 'dn' in op && op.dn ? [lower(op.dn), ...('newDn' in op ? [lower(op.newDn)] : [])] : [])),
  );
  const kept = ops.filter((op) =>
    op.kind === 'addMember' || op.kind === 'removeMember' ? userDns.has(lower(op.memberDn)) : 'jcId' in op && op.jcId === user.jcId,
  );
  const neededGroups = new Set(kept.filter((op) => op.kind === 'addMember').map((op) => lower((op as { groupDn: string }).groupDn)));
  const groupCreates = ops.filter((op) => op.kind === 'createGroup' && neededGroups.has(lower(op.dn)));
  return [...groupCreates, ...kept];
}

function finish(all: PlanOp[], options: PlanOptions, managedObjects: number, desired: DesiredState): Plan {
  const selected = options.onlyUser ? onlyUserOps(all, desired, options.onlyUser) : all;
  const rank = new Map(APPLY_ORDER.map((kind, i) => [kind, i]));
  const operations = selected
    .map((op, i) => ({ op, i }))
    .sort((a, b) => (rank.get(a.op.kind) ?? 0) - (rank.get(b.op.kind) ?? 0) || a.i - b.i)
    .map(({ op }) => op);
  const counts: Plan['counts'] = {};
  for (const op of operations) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
  const removals = (counts.disableUser ?? 0) + (counts.unbindGroup ?? 0);
  let refusal: string | null = null;
  if (!options.force && removals > 0) {
    const percent = managedObjects > 0 ? (removals / managedObjects) * 100 : 0;
    if (removals > options.maxDisableCount) {
      refusal = `The plan disables or deletes ${removals} objects, more than the limit of ${options.maxDisableCount}. Check the JumpCloud bindings, then rerun with -Force if this is intended.`;
    } else if (managedObjects >= 20 && percent > options.maxDisablePercent) {
      refusal = `The plan disables or deletes ${removals} of ${managedObjects} managed objects (${percent.toFixed(0)}%), more than the limit of ${options.maxDisablePercent}%. Check the JumpCloud bindings, then rerun with -Force if this is intended.`;
    }
  }
  return { operations, counts, refusal, managedObjects };
}
