// A model of a JumpCloud org, changed through the sandbox's admin surface and in memory at the same
// time, so a test knows what AD must hold after a converged sync without asking the engine: every
// user ever in scope exists once (anchor JumpCloud:<id>, proven), with the model's attributes, disabled when
// suspended or out of scope; every bound group exists with exactly its members; an unbound group the sync created stays, marked
// ;unbound and emptied (kept for its SID), and one it never created is absent.
// AD is read with plain ldapts searches, independent of the engine's reader.
import { escapeDnValue } from '../../../engine/src/ad/escape';
import type { AdSession } from '../../../engine/src/ad/session';
import { DOMAIN } from './faultworld';

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

export interface ModelUser {
  id: string;
  username: string;
  firstname: string;
  lastname: string;
  email: string;
  suspended: boolean;
  /** Was in scope when a converged sync ran: AD holds it from then on. */
  synced: boolean;
  /** The names AD got at the last converged sync while in scope (out of scope, AD keeps them). */
  inAd?: Pick<ModelUser, 'username' | 'firstname' | 'lastname' | 'email'>;
}

export interface ModelGroup {
  id: string;
  name: string;
  description: string;
  bound: boolean;
  synced: boolean;
  members: Set<string>;
}

export interface AdObject {
  dn: string;
  objectClass: string[];
  attributes: Record<string, string>;
  members: string[];
}

const USER_ATTRIBUTES = ['cn', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'userAccountControl', 'adminDescription'];
const values = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));

/** Every user and group under `rootDN` as AD returns them (plain paged search, admin session). */
export async function readAdObjects(session: AdSession, rootDN: string): Promise<AdObject[]> {
  const found: AdObject[] = [];
  for await (const page of session.searchPaged(
    rootDN,
    { scope: 'sub', filter: '(|(objectClass=user)(objectClass=group))', attributes: ['objectClass', ...USER_ATTRIBUTES, 'description', 'member'] },
    1000,
  )) {
    for (const entry of page) {
      // The safety ledger (engine/src/ad/ledger.ts) is the sync's own bookkeeping, not a synced object.
      if (/^CN=jcsync-safety-ledger,/i.test(entry.dn)) continue;
      // So is the anchor key (engine/src/ad/anchorkey.ts).
      if (/^CN=jcsync-anchor-key,/i.test(entry.dn)) continue;
      const attributes: Record<string, string> = {};
      for (const name of [...USER_ATTRIBUTES, 'description']) {
        const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
        if (key !== undefined) attributes[name] = values(entry[key]).join('|');
      }
      const memberKey = Object.keys(entry).find((k) => k.toLowerCase() === 'member');
      found.push({
        dn: entry.dn,
        objectClass: values(entry.objectClass).map((c) => c.toLowerCase()),
        attributes,
        members: memberKey ? values(entry[memberKey]) : [],
      });
    }
  }
  return found;
}

export class OrgModel {
  readonly users = new Map<string, ModelUser>();
  readonly groups = new Map<string, ModelGroup>();

  constructor(private readonly admin: AdminCall) {}

  async createGroup(name: string, bound = true, description = `${name} team`): Promise<ModelGroup> {
    const created = await this.admin('POST', '/groups', { name, description, ...(bound ? { bindToDomain: DOMAIN } : {}) });
    const group: ModelGroup = { id: String(created.id), name, description, bound, synced: false, members: new Set() };
    this.groups.set(group.id, group);
    return group;
  }

  async createUser(username: string, groups: ModelGroup[], options: { suspended?: boolean; password?: string } = {}): Promise<ModelUser> {
    const body = {
      username,
      email: `${username}@example.com`,
      firstname: 'Fault',
      lastname: `User ${username}`,
      groups: groups.map((g) => g.id),
      ...(options.suspended ? { suspended: true } : {}),
      ...(options.password ? { password: options.password } : {}),
    };
    const created = await this.admin('POST', '/users', body);
    const user: ModelUser = {
      id: String(created._id),
      username,
      firstname: body.firstname,
      lastname: body.lastname,
      email: body.email,
      suspended: options.suspended === true,
      synced: false,
    };
    this.users.set(user.id, user);
    for (const g of groups) g.members.add(user.id);
    return user;
  }

  async rename(user: ModelUser, username: string): Promise<void> {
    await this.admin('PATCH', `/users/${user.id}`, { username, email: `${username}@example.com` });
    user.username = username;
    user.email = `${username}@example.com`;
  }

  async renameGroup(group: ModelGroup, name: string): Promise<void> {
    await this.admin('PATCH', `/groups/${group.id}`, { name });
    group.name = name;
  }

  async setLastName(user: ModelUser, lastname: string): Promise<void> {
    await this.admin('PATCH', `/users/${user.id}`, { lastname });
    user.lastname = lastname;
  }

  async setSuspended(user: ModelUser, suspended: boolean): Promise<void> {
    await this.admin('PATCH', `/users/${user.id}`, { suspended });
    user.suspended = suspended;
  }

  async setPassword(user: ModelUser, password: string): Promise<void> {
    await this.admin('PATCH', `/users/${user.id}`, { password });
  }

  async addMember(group: ModelGroup, user: ModelUser): Promise<void> {
    await this.admin('POST', `/groups/${group.id}/members`, { user: user.id });
    group.members.add(user.id);
  }

  async removeMember(group: ModelGroup, user: ModelUser): Promise<void> {
    await this.admin('DELETE', `/groups/${group.id}/members/${user.id}`);
    group.members.delete(user.id);
  }

  async unbind(group: ModelGroup): Promise<void> {
    await this.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'remove', type: 'user_group', target: group.id });
    group.bound = false;
  }

  inScope(user: ModelUser): boolean {
    for (const g of this.groups.values()) if (g.bound && g.members.has(user.id)) return true;
    return false;
  }

  /** After a converged sync: whatever is in scope now is in AD from now on. */
  markSynced(): void {
    for (const u of this.users.values()) {
      if (!this.inScope(u)) continue;
      u.synced = true;
      u.inAd = { username: u.username, firstname: u.firstname, lastname: u.lastname, email: u.email };
    }
    for (const g of this.groups.values()) if (g.bound) g.synced = true;
  }

  scopedUsers(): ModelUser[] {
    return [...this.users.values()].filter((u) => this.inScope(u));
  }

  /** What AD must hold under rootDN after a converged sync: differences as readable lines (none = equal). */
  differences(actual: AdObject[], rootDN: string, upnSuffix = 'example.com'): string[] {
    const problems: string[] = [];
    // Every anchor the sync writes ends in its proof (the anchor key kept in AD, docs/anchor-trust.md).
    const anchorOf = (o: AdObject) =>
      /^JumpCloud:([A-Za-z0-9_-]+)(;syncDisabled)?(;offboarded)?(;unbound)?;proof=[A-Za-z0-9_-]{22}$/.exec(o.attributes.adminDescription ?? '');
    const withoutProof = (value: string | undefined) => (value ?? '').replace(/;proof=[A-Za-z0-9_-]{22}$/, '');
    const byId = new Map<string, AdObject>();
    const idByDn = new Map<string, string>();
    for (const o of actual) {
      const anchor = anchorOf(o);
      if (!anchor) {
        problems.push(`${o.dn} carries no anchor of ours ('${o.attributes.adminDescription ?? ''}')`);
        continue;
      }
      const id = anchor[1] as string;
      if (byId.has(id)) problems.push(`anchor ${id} is on two objects: ${byId.get(id)?.dn} and ${o.dn}`);
      byId.set(id, o);
      idByDn.set(o.dn.toLowerCase(), id);
    }
    const wantedUsers = [...this.users.values()].filter((u) => u.synced || this.inScope(u));
    const wantedGroups = [...this.groups.values()].filter((g) => g.bound);
    // Unbound groups are never deleted: one the sync created (surely if it was synced, maybe if a
    // killed run created it) stays in place, marked ;unbound and emptied of the managed members.
    const keptGroups = [...this.groups.values()].filter((g) => !g.bound && (g.synced || byId.has(g.id)));
    const wantedIds = new Set([...wantedUsers.map((u) => u.id), ...wantedGroups.map((g) => g.id), ...keptGroups.map((g) => g.id)]);
    for (const id of byId.keys()) if (!wantedIds.has(id)) problems.push(`unexpected object ${byId.get(id)?.dn} (anchor ${id})`);

    for (const current of wantedUsers) {
      // Out of scope, the account is only disabled: it keeps the names of its last sync.
      const inScope = this.inScope(current);
      const user = inScope || !current.inAd ? current : { ...current, ...current.inAd };
      const o = byId.get(user.id);
      if (!o) {
        problems.push(`user ${user.username} (${user.id}) is missing`);
        continue;
      }
      const disabled = user.suspended || !inScope;
      const want: Record<string, string> = {
        cn: user.username,
        sAMAccountName: user.username,
        userPrincipalName: `${user.username}@${upnSuffix}`,
        givenName: user.firstname,
        sn: user.lastname,
        displayName: `${user.firstname} ${user.lastname}`,
        mail: user.email,
        adminDescription: `JumpCloud:${user.id}${disabled ? ';syncDisabled' : ''}`,
      };
      for (const [name, value] of Object.entries(want)) {
        const found = name === 'adminDescription' ? withoutProof(o.attributes[name]) : (o.attributes[name] ?? '');
        if (found !== value) problems.push(`user ${user.username}: ${name} is '${found}', expected '${value}' (and its proof)`);
      }
      if (o.dn.toLowerCase() !== `CN=${escapeDnValue(user.username)},${rootDN}`.toLowerCase()) problems.push(`user ${user.username} is at ${o.dn}`);
      const uacDisabled = (Number(o.attributes.userAccountControl) & 2) === 2;
      if (uacDisabled !== disabled)
        problems.push(`user ${user.username}: ${uacDisabled ? 'disabled' : 'enabled'}, expected ${disabled ? 'disabled' : 'enabled'}`);
    }
    for (const group of wantedGroups) {
      const o = byId.get(group.id);
      if (!o) {
        problems.push(`group ${group.name} (${group.id}) is missing`);
        continue;
      }
      if (o.attributes.cn !== group.name || o.attributes.sAMAccountName !== group.name)
        problems.push(`group ${group.name}: cn '${o.attributes.cn}', sAMAccountName '${o.attributes.sAMAccountName}'`);
      if ((o.attributes.description ?? '') !== group.description) problems.push(`group ${group.name}: description '${o.attributes.description ?? ''}'`);
      const members = o.members.map((dn) => idByDn.get(dn.toLowerCase()) ?? `foreign:${dn}`);
      const wantMembers = [...group.members].filter((id) => this.inScope(this.users.get(id) as ModelUser));
      const missing = wantMembers.filter((id) => !members.includes(id));
      const extra = members.filter((id) => !wantMembers.includes(id));
      if (missing.length > 0) problems.push(`group ${group.name} lacks ${missing.map((id) => this.users.get(id)?.username).join(', ')}`);
      if (extra.length > 0) problems.push(`group ${group.name} has extra members ${extra.map((id) => this.users.get(id)?.username ?? id).join(', ')}`);
      if (new Set(members).size !== members.length) problems.push(`group ${group.name} lists a member twice`);
      if (anchorOf(o)?.[4]) problems.push(`group ${group.name} is bound but still marked ;unbound`);
    }
    for (const group of keptGroups) {
      const o = byId.get(group.id);
      if (!o) {
        problems.push(`unbound group ${group.name} (${group.id}) was deleted: it must be kept for its SID`);
        continue;
      }
      if (!anchorOf(o)?.[4]) problems.push(`unbound group ${group.name}: anchor '${o.attributes.adminDescription ?? ''}' lacks ;unbound`);
      const managed = o.members.filter((dn) => idByDn.has(dn.toLowerCase()));
      if (managed.length > 0) problems.push(`unbound group ${group.name} still holds managed members ${managed.join('; ')}`);
    }
    return problems;
  }
}

/** A small deterministic random source (mulberry32), so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, list: T[]): T {
  if (list.length === 0) throw new Error('pick from an empty list');
  return list[Math.floor(random() * list.length)] as T;
}
