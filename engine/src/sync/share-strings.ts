// A full reconcile holds both sides of the whole scope at once (20,000 users: the JumpCloud users
// and the AD accounts), and on a settled domain most values are equal on both sides: username and
// sAMAccountName, first name and givenName, last name and sn, e-mail and mail, the JumpCloud id
// and the anchor's id. Equal strings read from two sources are two copies in memory; this makes
// the AD side point at the JumpCloud side's copy (values unchanged, only shared), before planning,
// which is when memory peaks (docs/memory.md: about 4 MB of 20,000 users).
import type { ActualState } from '../ad/model';
import type { DesiredState, DesiredUser } from './model';

export function shareEqualStrings(desired: DesiredState, actual: ActualState): void {
  const byJcId = new Map(desired.users.map((u) => [u.jcId, u]));
  for (const account of actual.users) {
    const user = account.anchor ? byJcId.get(account.anchor.jcId) : undefined;
    if (!user || !account.anchor) continue;
    account.anchor.jcId = user.jcId;
    if (account.sAMAccountName === user.username) account.sAMAccountName = user.username;
    if (account.cn === user.username) account.cn = user.username;
    if (account.givenName === user.firstName) account.givenName = user.firstName;
    if (account.sn === user.lastName) account.sn = user.lastName;
    if (user.email !== null && account.mail === user.email) account.mail = user.email;
    if (user.email !== null && account.userPrincipalName === user.email) account.userPrincipalName = user.email;
  }
  const groupsByJcId = new Map(desired.groups.map((g) => [g.jcId, g]));
  for (const adGroup of actual.groups) {
    const group = adGroup.anchor ? groupsByJcId.get(adGroup.anchor.jcId) : undefined;
    if (!group || !adGroup.anchor) continue;
    adGroup.anchor.jcId = group.jcId;
    if (adGroup.sAMAccountName === group.name) adGroup.sAMAccountName = group.name;
    if (adGroup.cn === group.name) adGroup.cn = group.name;
    if (adGroup.description === group.description) adGroup.description = group.description;
  }
}

/**
 * For the AD reader (ReadOptions.knownValues) while JumpCloud is read at the same time: once
 * `reading` is done, the JumpCloud values of each user by id, so the accounts read after that
 * share them as they are read (shareEqualStrings covers those read before).
 */
export function knownValuesOnceRead(reading: Promise<DesiredState>): (jcId: string) => readonly string[] | undefined {
  let byJcId: Map<string, DesiredUser> | null = null;
  reading.then(
    (desired) => (byJcId = new Map(desired.users.map((u) => [u.jcId, u]))),
    () => undefined,
  );
  return (jcId) => {
    const user = byJcId?.get(jcId);
    return user && [user.jcId, user.username, user.firstName, user.lastName, ...(user.email === null ? [] : [user.email])];
  };
}
