// The sandbox org: users, groups, ADI domains, bindings, agents, the change feed and Directory
// Insights events. Every change, whichever surface made it (public API, admin API, seed), goes
// through here, so all surfaces see the same org and the agents see every change.
// Passwords: the store never keeps one. A new password is checked against the org policy, sealed
// at once to each registered agent of every domain the user is bound to, and dropped; the
// ciphertexts are dropped in turn when the agent acknowledges the event.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sealToAgent, type SealedSecret } from '../jumpcloud/agent-crypto';
import type { AckRequest, ChangeType, ExchangeRequest, HeartbeatRequest } from '../jumpcloud/agent-protocol';
import { fieldViolationDetails, SandboxError } from './errors';
import { IdMaker } from './ids';
import { IdSet } from './idset';

export const DAY_MS = 86_400_000;
const CONNECT_KEY_TTL_MS = 7 * DAY_MS;

/** The users and user groups bound to an ADI domain. */
export interface DomainBindings {
  users: IdSet;
  groups: IdSet;
}

export interface StoreOptions {
  now?: () => number;
  /** An agent unheard for this long is inactive, and a silent primary loses the role. */
  agentTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** An unacknowledged password event is delivered again after this long. */
  passwordLeaseMs?: number;
  connectKeyTtlMs?: number;
  maxRetainedChanges?: number;
  maxRetainedInsights?: number;
}

export interface PasswordPolicyRecord {
  [field: string]: unknown;
  minLength: number;
  enableMinLength: boolean;
  needsLowercase: boolean;
  needsUppercase: boolean;
  needsNumeric: boolean;
  needsSymbolic: boolean;
  allowUsernameSubstring: boolean;
}

const DEFAULT_PASSWORD_POLICY: PasswordPolicyRecord = {
  minLength: 8,
  enableMinLength: true,
  needsLowercase: true,
  needsUppercase: true,
  needsNumeric: true,
  needsSymbolic: false,
  disallowSequentialOrRepetitiveChars: false,
  disallowCommonlyUsedPasswords: false,
  allowUsernameSubstring: true,
  maxHistory: 0,
  enableMaxHistory: false,
  minChangePeriodInDays: 0,
  enableMinChangePeriodInDays: false,
  passwordExpirationInDays: 90,
  enablePasswordExpirationInDays: false,
  maxLoginAttempts: 10,
  enableMaxLoginAttempts: false,
  lockoutTimeInSeconds: 600,
  enableLockoutTimeInSeconds: false,
};

export interface OrgRecord {
  _id: string;
  displayName: string;
  created: string;
  logoUrl: string;
  settings: { passwordPolicy: PasswordPolicyRecord; [field: string]: unknown };
}

export interface UserRecord {
  [field: string]: unknown;
  _id: string;
  username: string;
  email: string;
  firstname: string;
  lastname: string;
  middlename: string;
  displayname: string;
  state: 'STAGED' | 'ACTIVATED' | 'SUSPENDED';
  suspended: boolean;
  activated: boolean;
  account_locked: boolean;
  password_expired: boolean;
  passwordDate: string | null;
  employeeIdentifier: string | null;
  created: string;
  organization: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  type: 'user_group';
  description: string;
  email: string;
  attributes: Record<string, unknown> | null;
  membershipAutomated: boolean;
  created: string;
}

export interface DomainRecord {
  id: string;
  domain: string;
  useCase: string;
  delegationState: string;
  groupsEnabled: boolean;
  primaryAgent: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AgentRecord {
  id: string;
  domainId: string;
  agentType: 'SYNC' | 'IMPORT';
  createdAt: number;
  connectKeyHash: string | null;
  connectKeyExpiresAt: number;
  connectKeyUsedAt: number | null;
  secretHash: string | null;
  publicKey: string | null;
  hostname: string | null;
  version: string | null;
  sourceIp: string | null;
  contactAt: number | null;
  status: string | null;
  statusMessage: string | null;
}

export interface PasswordDelivery {
  envelopes: Record<string, SealedSecret>;
  deliveredAt: Record<string, number>;
  outcome: 'pending' | 'applied' | 'rejected' | 'undeliverable';
  reason: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

export interface ChangeRecord {
  id: string;
  seq: number;
  type: ChangeType;
  at: string;
  domainId: string | null;
  data: Record<string, unknown>;
  password?: PasswordDelivery;
  acks?: Record<string, { outcome: string; reason: string | null; at: string }>;
}

export interface InsightRecord {
  [field: string]: unknown;
  id: string;
  event_type: string;
  timestamp: string;
  service: string;
  organization: string;
}

export interface StateFile {
  version: 1;
  org: OrgRecord;
  users: UserRecord[];
  groups: GroupRecord[];
  members: Record<string, string[]>;
  domains: DomainRecord[];
  bindings: Record<string, { users: string[]; groups: string[] }>;
  agents: AgentRecord[];
  changes: ChangeRecord[];
  seq: number;
  insights: InsightRecord[];
  ids: { counter: number; machine: string };
}

export type UserInput = Record<string, unknown>;

const USER_TEXT_FIELDS = [
  'firstname',
  'lastname',
  'middlename',
  'displayname',
  'employeeType',
  'department',
  'jobTitle',
  'company',
  'location',
  'costCenter',
  'description',
];
const ADMIN_ACTOR = { type: 'admin', email: 'admin@sandbox.invalid' };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SandboxStore {
  private readonly clock: () => number;
  /** Set while seeding, so a seeded org is the same on every run. */
  private frozenNow: number | null = null;
  readonly agentTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly passwordLeaseMs: number;
  readonly connectKeyTtlMs: number;
  readonly maxRetainedChanges: number;
  readonly maxRetainedInsights: number;
  /** 'change' after every mutation (persistence, long-polls); 'feed' when the change feed grew. */
  readonly events = new EventEmitter();

  org!: OrgRecord;
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly members = new Map<string, IdSet>();
  readonly domains = new Map<string, DomainRecord>();
  readonly bindings = new Map<string, DomainBindings>();
  readonly agents = new Map<string, AgentRecord>();
  changes: ChangeRecord[] = [];
  insights: InsightRecord[] = [];
  seq = 0;
  ids: IdMaker;
  private sortedUsers: UserRecord[] | null = null;
  /** Lower-cased username / e-mail → user id (both unique in an org). */
  private readonly byUsername = new Map<string, string>();
  private readonly byEmail = new Map<string, string>();

  constructor(options: StoreOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.agentTimeoutMs = options.agentTimeoutMs ?? 15_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
    this.passwordLeaseMs = options.passwordLeaseMs ?? 30_000;
    this.connectKeyTtlMs = options.connectKeyTtlMs ?? CONNECT_KEY_TTL_MS;
    this.maxRetainedChanges = options.maxRetainedChanges ?? 20_000;
    this.maxRetainedInsights = options.maxRetainedInsights ?? 20_000;
    this.events.setMaxListeners(0);
    this.ids = new IdMaker(0);
  }

  now(): number {
    return this.frozenNow ?? this.clock();
  }

  /** Runs `fn` with the clock stopped at `ms` (advanced by `fn` through the returned setter). */
  withFrozenClock<T>(ms: number, fn: (setNow: (ms: number) => void) => T): T {
    this.frozenNow = ms;
    try {
      return fn((next) => {
        this.frozenNow = next;
      });
    } finally {
      this.frozenNow = null;
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** A new org with nothing in it. */
  initEmpty(displayName = 'Sandbox Org', ids?: IdMaker): void {
    if (ids) this.ids = ids;
    const now = this.now();
    this.org = {
      _id: this.ids.next(now),
      displayName,
      created: new Date(now).toISOString(),
      logoUrl: '',
      settings: { passwordPolicy: { ...DEFAULT_PASSWORD_POLICY } },
    };
  }

  load(state: StateFile): void {
    if (state.version !== 1) throw new Error(`state file version ${String(state.version)} is not supported`);
    this.org = state.org;
    for (const u of state.users) {
      this.users.set(u._id, u);
      this.index(u);
    }
    for (const g of state.groups) this.groups.set(g.id, g);
    for (const [groupId, ids] of Object.entries(state.members)) this.members.set(groupId, new IdSet(ids));
    for (const d of state.domains) this.domains.set(d.id, d);
    for (const [domainId, b] of Object.entries(state.bindings)) this.bindings.set(domainId, { users: new IdSet(b.users), groups: new IdSet(b.groups) });
    for (const a of state.agents) this.agents.set(a.id, a);
    this.changes = state.changes;
    this.insights = state.insights;
    this.seq = state.seq;
    this.ids = new IdMaker(state.ids.counter, state.ids.machine);
    this.sortedUsers = null;
  }

  snapshot(): StateFile {
    return {
      version: 1,
      org: this.org,
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      members: Object.fromEntries([...this.members].map(([k, v]) => [k, [...v]])),
      domains: [...this.domains.values()],
      bindings: Object.fromEntries([...this.bindings].map(([k, v]) => [k, { users: [...v.users], groups: [...v.groups] }])),
      agents: [...this.agents.values()],
      changes: this.changes,
      seq: this.seq,
      insights: this.insights,
      ids: this.ids.state,
    };
  }

  private touched(): void {
    this.events.emit('change');
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  // ---- change feed and insights -------------------------------------------------------------

  private record(type: ChangeType, domainId: string | null, data: Record<string, unknown>, password?: PasswordDelivery): ChangeRecord {
    const change: ChangeRecord = { id: this.ids.next(this.now()), seq: ++this.seq, type, at: this.iso(), domainId, data, ...(password ? { password } : {}) };
    this.pushChange(change);
    return change;
  }

  private pushChange(change: ChangeRecord): void {
    this.changes.push(change);
    if (this.changes.length > this.maxRetainedChanges) this.changes.splice(0, this.changes.length - this.maxRetainedChanges);
    this.events.emit('feed');
  }

  private insight(eventType: string, resource: Record<string, unknown>, changes?: Array<Record<string, unknown>>): void {
    const now = this.now();
    this.insights.push({
      id: this.ids.next(now),
      event_type: eventType,
      timestamp: this.iso(now),
      service: 'directory',
      organization: this.org._id,
      initiated_by: { id: this.org._id, ...ADMIN_ACTOR },
      resource,
      ...(changes ? { changes } : {}),
      success: true,
      client_ip: '127.0.0.1',
      '@version': '1',
    });
    if (this.insights.length > this.maxRetainedInsights) this.insights.splice(0, this.insights.length - this.maxRetainedInsights);
  }

  // ---- users --------------------------------------------------------------------------------

  /** Users sorted by _id (creation order), cached until the next change. */
  userList(): UserRecord[] {
    this.sortedUsers ??= [...this.users.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    return this.sortedUsers;
  }

  getUser(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new SandboxError(404, `No system user with id ${id}`);
    return user;
  }

  findUserByName(username: string): UserRecord | undefined {
    const id = this.byUsername.get(username.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  private index(user: UserRecord): void {
    this.byUsername.set(user.username.toLowerCase(), user._id);
    this.byEmail.set(user.email.toLowerCase(), user._id);
  }

  private unindex(user: UserRecord): void {
    this.byUsername.delete(user.username.toLowerCase());
    this.byEmail.delete(user.email.toLowerCase());
  }

  createUser(input: UserInput, options: { createdMs?: number; quiet?: boolean } = {}): UserRecord {
    const username = input.username;
    const email = input.email;
    if (typeof username !== 'string' || !/^[^\s:]{1,128}$/.test(username)) throw new SandboxError(400, 'username is required (1–128 characters, no spaces)');
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new SandboxError(400, 'email is required and must be an e-mail address');
    this.assertUnique(username, email, null);
    const now = options.createdMs ?? this.now();
    const suspended = input.suspended === true || input.state === 'SUSPENDED';
    const user: UserRecord = {
      _id: this.ids.next(now),
      username,
      email,
      firstname: '',
      lastname: '',
      middlename: '',
      displayname: '',
      state: suspended ? 'SUSPENDED' : input.state === 'STAGED' ? 'STAGED' : 'ACTIVATED',
      suspended,
      activated: false,
      account_locked: false,
      password_expired: false,
      passwordDate: null,
      employeeIdentifier: null,
      employeeType: '',
      department: '',
      jobTitle: '',
      company: '',
      location: '',
      costCenter: '',
      description: '',
      allow_public_key: true,
      sudo: false,
      passwordless_sudo: false,
      enable_managed_uid: false,
      unix_uid: 5000 + this.users.size + 1,
      unix_guid: 5000 + this.users.size + 1,
      externally_managed: false,
      ldap_binding_user: false,
      totp_enabled: false,
      mfa: { configured: false, exclusion: false },
      attributes: [],
      addresses: [],
      phoneNumbers: [],
      badLoginAttempts: 0,
      created: this.iso(now),
      organization: this.org._id,
    };
    this.assignText(user, input);
    if (typeof input.employeeIdentifier === 'string' && input.employeeIdentifier !== '') user.employeeIdentifier = input.employeeIdentifier;
    if (typeof input.password === 'string') this.checkPassword(input.password, user.username);
    this.users.set(user._id, user);
    this.index(user);
    this.sortedUsers = null;
    if (!options.quiet) {
      this.record('user.created', null, { user: publicUser(user) });
      this.insight('user_create', { id: user._id, type: 'user', username: user.username });
    }
    if (typeof input.password === 'string') this.applyPassword(user, input.password);
    this.touched();
    return user;
  }

  updateUser(id: string, input: UserInput): UserRecord {
    const user = this.getUser(id);
    const before = { ...user };
    if (input.username !== undefined || input.email !== undefined) {
      const username = input.username ?? user.username;
      const email = input.email ?? user.email;
      if (typeof username !== 'string' || !/^[^\s:]{1,128}$/.test(username)) throw new SandboxError(400, 'username must be 1–128 characters, no spaces');
      if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new SandboxError(400, 'email must be an e-mail address');
      this.assertUnique(username, email, user._id);
    }
    if (typeof input.password === 'string') this.checkPassword(input.password, typeof input.username === 'string' ? input.username : user.username);
    this.unindex(user);
    if (typeof input.username === 'string') user.username = input.username;
    if (typeof input.email === 'string') user.email = input.email;
    this.index(user);
    this.assignText(user, input);
    if (input.employeeIdentifier !== undefined)
      user.employeeIdentifier = typeof input.employeeIdentifier === 'string' && input.employeeIdentifier !== '' ? input.employeeIdentifier : null;
    if (typeof input.account_locked === 'boolean') user.account_locked = input.account_locked;
    if (typeof input.password_expired === 'boolean') user.password_expired = input.password_expired;
    const suspend = input.suspended === true || input.state === 'SUSPENDED';
    const resume = input.suspended === false || input.state === 'ACTIVATED';
    if (suspend) {
      user.suspended = true;
      user.state = 'SUSPENDED';
    } else if (resume) {
      user.suspended = false;
      user.state = 'ACTIVATED';
    } else if (input.state === 'STAGED') user.state = 'STAGED';

    const changed = Object.keys(publicUser(user)).filter((k) => JSON.stringify(user[k]) !== JSON.stringify(before[k]));
    if (changed.length > 0) {
      this.sortedUsers = null;
      this.record('user.updated', null, { user: publicUser(user), changed });
      this.insight(
        'user_update',
        { id: user._id, type: 'user', username: user.username },
        changed.map((field) => ({ field, from: before[field], to: user[field] })),
      );
    }
    if (typeof input.password === 'string') this.applyPassword(user, input.password);
    this.touched();
    return user;
  }

  deleteUser(id: string): UserRecord {
    const user = this.getUser(id);
    this.users.delete(id);
    this.unindex(user);
    this.sortedUsers = null;
    for (const [groupId, set] of this.members) if (set.delete(id)) this.record('group.member_removed', null, { groupId, userId: id });
    for (const [domainId, b] of this.bindings)
      if (b.users.delete(id)) this.record('domain.association_removed', domainId, { targetType: 'user', targetId: id });
    this.record('user.deleted', null, { userId: id, username: user.username });
    this.insight('user_delete', { id, type: 'user', username: user.username });
    this.touched();
    return user;
  }

  private assignText(user: UserRecord, input: UserInput): void {
    for (const field of USER_TEXT_FIELDS) {
      const value = input[field];
      if (typeof value === 'string') user[field] = value;
      else if (value === null) user[field] = '';
    }
  }

  private assertUnique(username: string, email: string, exceptId: string | null): void {
    const byName = this.byUsername.get(username.toLowerCase());
    if (byName !== undefined && byName !== exceptId) throw new SandboxError(400, `User already exists: the username '${username}' is taken`);
    const byMail = this.byEmail.get(email.toLowerCase());
    if (byMail !== undefined && byMail !== exceptId) throw new SandboxError(400, `User already exists: the email '${email}' is taken`);
  }

  /**
   * Refuses a password the org policy does not allow, like JumpCloud does: 400 "Password
   * validation fail", the broken rules only as field violations (google.rpc.BadRequest,
   * `fieldViolationsList` of { field: "password", description: <rule> }; docs/jumpcloud-errors.md).
   */
  checkPassword(password: string, username: string): void {
    const policy = this.org.settings.passwordPolicy;
    const rules: string[] = [];
    if (password.length === 0) rules.push('required');
    if (policy.enableMinLength && password.length < policy.minLength) rules.push('minLength');
    if (policy.needsLowercase && !/\p{Ll}/u.test(password)) rules.push('lowercase');
    if (policy.needsUppercase && !/\p{Lu}/u.test(password)) rules.push('uppercase');
    if (policy.needsNumeric && !/\p{Nd}/u.test(password)) rules.push('numeric');
    if (policy.needsSymbolic && !/[^\p{L}\p{Nd}]/u.test(password)) rules.push('specialCharacter');
    if (!policy.allowUsernameSubstring && password.toLowerCase().includes(username.toLowerCase())) rules.push('usernameSubstring');
    if (rules.length > 0) {
      throw new SandboxError(400, 'Password validation fail', null, fieldViolationDetails(rules.map((rule) => ({ field: 'password', description: rule }))));
    }
  }

  /**
   * Seals the password to each registered agent of every domain the user is bound to, records
   * one user.password_changed event per domain, and keeps nothing else of it.
   */
  private applyPassword(user: UserRecord, password: string): void {
    const now = this.now();
    user.passwordDate = this.iso(now);
    user.password_expired = false;
    user.activated = true;
    for (const domain of this.domains.values()) {
      if (!this.inScope(domain.id, user._id)) continue;
      const eventId = this.ids.next(now);
      const envelopes: Record<string, SealedSecret> = {};
      for (const agent of this.agents.values()) {
        if (agent.domainId !== domain.id || !agent.publicKey) continue;
        envelopes[agent.id] = sealToAgent(password, agent.publicKey, { eventId, agentId: agent.id, userId: user._id });
      }
      const delivery: PasswordDelivery = {
        envelopes,
        deliveredAt: {},
        outcome: Object.keys(envelopes).length > 0 ? 'pending' : 'undeliverable',
        reason: Object.keys(envelopes).length > 0 ? null : 'no agent is registered for this domain',
        acknowledgedBy: null,
        acknowledgedAt: null,
      };
      const change: ChangeRecord = {
        id: eventId,
        seq: ++this.seq,
        type: 'user.password_changed',
        at: this.iso(now),
        domainId: domain.id,
        data: { userId: user._id, username: user.username },
        password: delivery,
      };
      this.pushChange(change);
    }
    this.insight('user_update', { id: user._id, type: 'user', username: user.username }, [{ field: 'password' }]);
  }

  // ---- groups -------------------------------------------------------------------------------

  groupList(): GroupRecord[] {
    return [...this.groups.values()];
  }

  getGroup(id: string): GroupRecord {
    const group = this.groups.get(id);
    if (!group) throw new SandboxError(404, `No user group with id ${id}`);
    return group;
  }

  findGroupByName(name: string): GroupRecord | undefined {
    for (const group of this.groups.values()) if (group.name === name) return group;
    return undefined;
  }

  createGroup(input: { name?: unknown; description?: unknown; email?: unknown }): GroupRecord {
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 256)
      throw new SandboxError(400, 'name is required (1–256 characters)');
    if (this.findGroupByName(input.name)) throw new SandboxError(409, `A user group named '${input.name}' already exists`);
    const now = this.now();
    const group: GroupRecord = {
      id: this.ids.next(now),
      name: input.name,
      type: 'user_group',
      description: typeof input.description === 'string' ? input.description : '',
      email: typeof input.email === 'string' ? input.email : '',
      attributes: null,
      membershipAutomated: false,
      created: this.iso(now),
    };
    this.groups.set(group.id, group);
    this.members.set(group.id, new IdSet());
    this.record('group.created', null, { group: { ...group } });
    this.insight('group_create', { id: group.id, type: 'user_group', name: group.name });
    this.touched();
    return group;
  }

  updateGroup(id: string, input: { name?: unknown; description?: unknown }): GroupRecord {
    const group = this.getGroup(id);
    const before = { ...group };
    if (input.name !== undefined) {
      if (typeof input.name !== 'string' || input.name.trim() === '') throw new SandboxError(400, 'name must be a non-empty string');
      const clash = this.findGroupByName(input.name);
      if (clash && clash.id !== id) throw new SandboxError(409, `A user group named '${input.name}' already exists`);
      group.name = input.name;
    }
    if (typeof input.description === 'string') group.description = input.description;
    this.record('group.updated', null, { group: { ...group }, previousName: before.name });
    this.insight('group_update', { id, type: 'user_group', name: group.name }, [{ field: 'name', from: before.name, to: group.name }]);
    this.touched();
    return group;
  }

  deleteGroup(id: string): GroupRecord {
    const group = this.getGroup(id);
    this.groups.delete(id);
    this.members.delete(id);
    for (const [domainId, b] of this.bindings)
      if (b.groups.delete(id)) this.record('domain.association_removed', domainId, { targetType: 'user_group', targetId: id });
    this.record('group.deleted', null, { groupId: id, name: group.name });
    this.insight('group_delete', { id, type: 'user_group', name: group.name });
    this.touched();
    return group;
  }

  groupMembers(groupId: string): string[] {
    this.getGroup(groupId);
    return [...(this.members.get(groupId) ?? [])];
  }

  /** The group's member ids in ascending order, shared until the membership changes (do not modify). */
  sortedMembers(groupId: string): readonly string[] {
    this.getGroup(groupId);
    return this.members.get(groupId)?.sorted() ?? [];
  }

  /** Adding a member twice or removing a non-member changes nothing (like JumpCloud's graph). */
  changeMember(groupId: string, userId: string, op: 'add' | 'remove'): void {
    this.getGroup(groupId);
    this.getUser(userId);
    const set = this.members.get(groupId) ?? new IdSet();
    this.members.set(groupId, set);
    if (op === 'add' ? set.has(userId) : !set.has(userId)) return;
    if (op === 'add') set.add(userId);
    else set.delete(userId);
    this.record(op === 'add' ? 'group.member_added' : 'group.member_removed', null, { groupId, userId });
    this.insight('user_group_member_' + (op === 'add' ? 'add' : 'remove'), { id: groupId, type: 'user_group' }, [{ field: 'member', to: userId }]);
    this.touched();
  }

  // ---- ADI domains and bindings -------------------------------------------------------------

  domainList(): DomainRecord[] {
    for (const domain of this.domains.values()) this.designatePrimary(domain.id);
    return [...this.domains.values()];
  }

  getDomain(id: string): DomainRecord {
    const domain = this.domains.get(id);
    if (!domain) throw new SandboxError(404, `No Active Directory instance with id ${id}`);
    this.designatePrimary(id);
    return domain;
  }

  createDomain(input: { domain?: unknown; useCase?: unknown }): DomainRecord {
    if (typeof input.domain !== 'string' || !/^(DC=[^;=,]+)(;DC=[^;=,]+)*$/i.test(input.domain)) {
      throw new SandboxError(400, "domain is required in ADI form, e.g. 'DC=example;DC=com'");
    }
    for (const d of this.domains.values()) {
      if (d.domain.toLowerCase() === input.domain.toLowerCase()) throw new SandboxError(409, `The domain ${input.domain} already exists`);
    }
    const useCases = ['UNSET', 'TWOWAYSYNC', 'JCASAUTHORITY', 'ADASAUTHORITY'];
    const useCase = input.useCase === undefined ? 'JCASAUTHORITY' : input.useCase;
    if (typeof useCase !== 'string' || !useCases.includes(useCase)) throw new SandboxError(400, `useCase must be one of ${useCases.join(', ')}`);
    const now = this.iso();
    const domain: DomainRecord = {
      id: this.ids.next(this.now()),
      domain: input.domain,
      useCase,
      delegationState: 'ENABLED',
      groupsEnabled: true,
      primaryAgent: null,
      createdAt: now,
      updatedAt: now,
    };
    this.domains.set(domain.id, domain);
    this.bindings.set(domain.id, { users: new IdSet(), groups: new IdSet() });
    this.insight('activedirectory_create', { id: domain.id, type: 'active_directory', domain: domain.domain });
    this.touched();
    return domain;
  }

  deleteDomain(id: string): void {
    this.getDomain(id);
    this.domains.delete(id);
    this.bindings.delete(id);
    for (const agent of [...this.agents.values()]) if (agent.domainId === id) this.agents.delete(agent.id);
    this.touched();
  }

  domainBindings(domainId: string): DomainBindings {
    this.getDomain(domainId);
    let b = this.bindings.get(domainId);
    if (!b) {
      b = { users: new IdSet(), groups: new IdSet() };
      this.bindings.set(domainId, b);
    }
    return b;
  }

  bind(domainId: string, type: 'user' | 'user_group', targetId: string, op: 'add' | 'remove'): void {
    const b = this.domainBindings(domainId);
    if (type === 'user') this.getUser(targetId);
    else this.getGroup(targetId);
    const set = type === 'user' ? b.users : b.groups;
    if (op === 'add' ? set.has(targetId) : !set.has(targetId)) return;
    if (op === 'add') set.add(targetId);
    else set.delete(targetId);
    const domain = this.getDomain(domainId);
    domain.updatedAt = this.iso();
    this.record(op === 'add' ? 'domain.association_added' : 'domain.association_removed', domainId, { targetType: type, targetId });
    this.insight('association_change', { id: domainId, type: 'active_directory' }, [{ field: type, op, to: targetId }]);
    this.touched();
  }

  inScope(domainId: string, userId: string): boolean {
    const b = this.bindings.get(domainId);
    if (!b) return false;
    if (b.users.has(userId)) return true;
    for (const groupId of b.groups) if (this.members.get(groupId)?.has(userId)) return true;
    return false;
  }

  /** Users bound to the domain, each with its paths (direct, or through each bound group). */
  domainUsers(domainId: string): Array<{ id: string; paths: Array<Array<{ to: { id: string; type: string } }>> }> {
    const b = this.domainBindings(domainId);
    const paths = new Map<string, Array<Array<{ to: { id: string; type: string } }>>>();
    const add = (userId: string, path: Array<{ to: { id: string; type: string } }>) => {
      const list = paths.get(userId) ?? [];
      list.push(path);
      paths.set(userId, list);
    };
    for (const userId of b.users) add(userId, [{ to: { id: userId, type: 'user' } }]);
    for (const groupId of b.groups) {
      for (const userId of this.members.get(groupId) ?? []) add(userId, [{ to: { id: groupId, type: 'user_group' } }, { to: { id: userId, type: 'user' } }]);
    }
    return [...paths.entries()].sort(([a], [b2]) => (a < b2 ? -1 : 1)).map(([id, p]) => ({ id, paths: p }));
  }

  /**
   * The domains a user is bound to, each with its paths from the user (JumpCloud's
   * `GET /v2/users/{id}/activedirectories` traversal): `[[domain]]` when bound directly,
   * `[[group, domain]]` through each bound group the user is a member of.
   */
  userDomains(userId: string): Array<{ id: string; paths: Array<Array<{ to: { id: string; type: string } }>> }> {
    this.getUser(userId);
    const found: Array<{ id: string; paths: Array<Array<{ to: { id: string; type: string } }>> }> = [];
    for (const [domainId, b] of [...this.bindings.entries()].sort(([a], [c]) => (a < c ? -1 : 1))) {
      const paths: Array<Array<{ to: { id: string; type: string } }>> = [];
      if (b.users.has(userId)) paths.push([{ to: { id: domainId, type: 'active_directory' } }]);
      for (const groupId of [...b.groups].sort()) {
        if (this.members.get(groupId)?.has(userId))
          paths.push([{ to: { id: groupId, type: 'user_group' } }, { to: { id: domainId, type: 'active_directory' } }]);
      }
      if (paths.length > 0) found.push({ id: domainId, paths });
    }
    return found;
  }

  /** The domains a user group is bound to (`GET /v2/usergroups/{id}/activedirectories`). */
  groupDomains(groupId: string): string[] {
    this.getGroup(groupId);
    return [...this.bindings.entries()]
      .filter(([, b]) => b.groups.has(groupId))
      .map(([domainId]) => domainId)
      .sort();
  }

  // ---- password policy ----------------------------------------------------------------------

  updatePasswordPolicy(changes: Record<string, unknown>): PasswordPolicyRecord {
    const policy = this.org.settings.passwordPolicy;
    for (const [key, value] of Object.entries(changes)) {
      const current = policy[key];
      if (current !== undefined && typeof current !== typeof value) throw new SandboxError(400, `passwordPolicy.${key} must be a ${typeof current}`);
      if (typeof value !== 'number' && typeof value !== 'boolean') throw new SandboxError(400, `passwordPolicy.${key} must be a number or boolean`);
      policy[key] = value;
    }
    this.record('org.password_policy_changed', null, { passwordPolicy: { ...policy } });
    this.insight('organization_update', { id: this.org._id, type: 'organization' }, [{ field: 'settings.passwordPolicy' }]);
    this.touched();
    return policy;
  }

  // ---- agents (public side) -----------------------------------------------------------------

  agentState(agent: AgentRecord): 'unsealed' | 'active' | 'inactive' {
    if (!agent.secretHash) return 'unsealed';
    return agent.contactAt !== null && this.now() - agent.contactAt <= this.agentTimeoutMs ? 'active' : 'inactive';
  }

  publicAgent(agent: AgentRecord): Record<string, unknown> {
    return {
      id: agent.id,
      agentType: agent.agentType,
      contactAt: agent.contactAt === null ? null : this.iso(agent.contactAt),
      hostname: agent.hostname ?? '',
      source_ip: agent.sourceIp ?? '',
      state: this.agentState(agent),
      version: agent.version ?? '',
    };
  }

  agentList(domainId: string): AgentRecord[] {
    this.getDomain(domainId);
    return [...this.agents.values()].filter((a) => a.domainId === domainId);
  }

  /** A new agent record and its one-time connect key (shown only in this answer). */
  createAgent(domainId: string, agentType: unknown): { agent: AgentRecord; connectKey: string } {
    this.getDomain(domainId);
    const type = agentType === undefined ? 'SYNC' : agentType;
    if (type !== 'SYNC' && type !== 'IMPORT') throw new SandboxError(400, "agentType must be 'SYNC' or 'IMPORT'");
    const now = this.now();
    const connectKey = `jcck_${randomBytes(32).toString('base64url')}`;
    const agent: AgentRecord = {
      id: this.ids.next(now),
      domainId,
      agentType: type,
      createdAt: now,
      connectKeyHash: sha256(connectKey),
      connectKeyExpiresAt: now + this.connectKeyTtlMs,
      connectKeyUsedAt: null,
      secretHash: null,
      publicKey: null,
      hostname: null,
      version: null,
      sourceIp: null,
      contactAt: null,
      status: null,
      statusMessage: null,
    };
    this.agents.set(agent.id, agent);
    this.insight('activedirectory_agent_create', { id: agent.id, type: 'active_directory_agent' });
    this.touched();
    return { agent, connectKey };
  }

  deleteAgent(domainId: string, agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.domainId !== domainId) throw new SandboxError(404, `No agent ${agentId} in Active Directory ${domainId}`);
    this.agents.delete(agentId);
    // Its sealed passwords can never be opened by anyone else: drop them.
    for (const change of this.changes) {
      if (change.password && change.password.envelopes[agentId]) delete change.password.envelopes[agentId];
    }
    this.designatePrimary(domainId);
    this.touched();
  }

  // ---- agent channel ------------------------------------------------------------------------

  exchange(request: ExchangeRequest, sourceIp: string | null): { agent: AgentRecord; agentSecret: string } {
    const hash = sha256(request.connectKey);
    const agent = [...this.agents.values()].find((a) => a.connectKeyHash !== null && sameHash(a.connectKeyHash, hash));
    if (!agent) throw new SandboxError(401, 'The connect key is not valid: copy it again from the agent record, or create a new agent.', 'ConnectKeyInvalid');
    if (agent.connectKeyUsedAt !== null) {
      throw new SandboxError(
        409,
        `The connect key was already used on ${this.iso(agent.connectKeyUsedAt)}; each key works once. Create a new agent for another installation.`,
        'ConnectKeyUsed',
      );
    }
    const now = this.now();
    if (now > agent.connectKeyExpiresAt) {
      throw new SandboxError(
        410,
        `The connect key expired on ${this.iso(agent.connectKeyExpiresAt)} (keys are valid for 7 days). Create a new agent to get a new key.`,
        'ConnectKeyExpired',
      );
    }
    const agentSecret = randomBytes(32).toString('base64url');
    agent.connectKeyUsedAt = now;
    agent.secretHash = sha256(agentSecret);
    agent.publicKey = request.publicKey;
    agent.hostname = request.hostname;
    agent.version = request.version;
    agent.sourceIp = sourceIp;
    agent.contactAt = now;
    this.designatePrimary(agent.domainId);
    this.touched();
    return { agent, agentSecret };
  }

  /** The agent named by a `Bearer <agentId>.<secret>` token, or a 401. */
  authenticateAgent(token: string | null): AgentRecord {
    const refuse = () => new SandboxError(401, 'Agent credentials are missing or not valid.', 'AgentAuthFailed');
    if (!token) throw refuse();
    const dot = token.indexOf('.');
    if (dot < 1) throw refuse();
    const agent = this.agents.get(token.slice(0, dot));
    if (!agent || !agent.secretHash || !sameHash(agent.secretHash, sha256(token.slice(dot + 1)))) throw refuse();
    return agent;
  }

  contact(agent: AgentRecord, sourceIp: string | null, heartbeat?: HeartbeatRequest): void {
    agent.contactAt = this.now();
    if (sourceIp) agent.sourceIp = sourceIp;
    if (heartbeat?.hostname) agent.hostname = heartbeat.hostname;
    if (heartbeat?.version) agent.version = heartbeat.version;
    if (heartbeat?.status) agent.status = heartbeat.status;
    if (heartbeat?.message !== undefined) agent.statusMessage = heartbeat.message;
    this.designatePrimary(agent.domainId);
  }

  /**
   * Keeps one primary per domain: the current one while it is heard from, else the most recently
   * heard active agent (the earliest registered on a tie).
   */
  designatePrimary(domainId: string): string | null {
    const domain = this.domains.get(domainId);
    if (!domain) return null;
    const now = this.now();
    const alive = (a: AgentRecord) => a.secretHash !== null && a.contactAt !== null && now - a.contactAt <= this.agentTimeoutMs;
    const current = domain.primaryAgent ? this.agents.get(domain.primaryAgent) : undefined;
    if (current && alive(current)) return current.id;
    const candidates = [...this.agents.values()]
      .filter((a) => a.domainId === domainId && alive(a))
      .sort((a, b) => (b.contactAt as number) - (a.contactAt as number) || a.createdAt - b.createdAt);
    const next = candidates[0]?.id ?? (current ? current.id : null);
    if (next !== domain.primaryAgent) {
      const previous = domain.primaryAgent;
      domain.primaryAgent = next;
      domain.updatedAt = this.iso(now);
      this.record('domain.primary_changed', domainId, { primaryAgent: next, previousPrimaryAgent: previous });
      this.touched();
    }
    return domain.primaryAgent;
  }

  /** Events after `cursor` for this agent (only the domain's primary may poll). */
  pollChanges(agent: AgentRecord, cursor: number, limit: number): { cursor: number; resync: boolean; events: Record<string, unknown>[] } {
    const primary = this.designatePrimary(agent.domainId);
    if (primary !== agent.id) {
      throw new SandboxError(
        409,
        `This agent is not the primary of its domain (the primary is ${primary ?? 'not designated'}); only the primary applies changes.`,
        'NotPrimary',
      );
    }
    const now = this.now();
    const oldest = this.changes[0]?.seq ?? this.seq + 1;
    const resync = cursor < oldest - 1 && cursor < this.seq;
    const events: Record<string, unknown>[] = [];
    const relevant = (c: ChangeRecord) => c.domainId === null || c.domainId === agent.domainId;

    // Unacknowledged password events whose delivery lease ran out come again, even behind the cursor.
    for (const change of this.changes) {
      if (change.seq > cursor) break;
      const delivery = change.password;
      if (!delivery || delivery.outcome !== 'pending' || !delivery.envelopes[agent.id]) continue;
      const deliveredAt = delivery.deliveredAt[agent.id];
      if (deliveredAt === undefined || now - deliveredAt >= this.passwordLeaseMs) {
        events.push(this.deliver(change, agent, now));
        if (events.length >= limit) return { cursor, resync, events };
      }
    }

    let next = cursor;
    let index = firstIndexAfter(this.changes, cursor);
    for (; index < this.changes.length && events.length < limit; index++) {
      const change = this.changes[index] as ChangeRecord;
      next = change.seq;
      if (relevant(change)) events.push(this.deliver(change, agent, now));
    }
    if (index >= this.changes.length) next = Math.max(next, this.seq);
    if (events.length > 0) this.touched();
    return { cursor: next, resync, events };
  }

  private deliver(change: ChangeRecord, agent: AgentRecord, now: number): Record<string, unknown> {
    const { password, acks: _acks, ...wire } = change;
    const envelope = password?.outcome === 'pending' ? password.envelopes[agent.id] : undefined;
    if (password && envelope) password.deliveredAt[agent.id] = now;
    return { ...wire, ...(envelope ? { password: envelope } : {}) };
  }

  ack(agent: AgentRecord, eventId: string, ack: AckRequest): void {
    const change = this.changes.find((c) => c.id === eventId);
    if (!change) throw new SandboxError(404, `No event ${eventId} in the retained change feed.`, 'EventNotFound');
    if (change.domainId !== null && change.domainId !== agent.domainId)
      throw new SandboxError(403, `Event ${eventId} belongs to another domain.`, 'EventNotForAgent');
    const at = this.iso();
    if (change.password) {
      if (!change.password.envelopes[agent.id] && change.password.outcome === 'pending') {
        throw new SandboxError(403, `Event ${eventId} holds no password for this agent.`, 'EventNotForAgent');
      }
      // The agent has it (applied or refused by AD): no ciphertext stays behind, for any agent.
      change.password.envelopes = {};
      change.password.deliveredAt = {};
      change.password.outcome = ack.outcome;
      change.password.reason = ack.reason ?? null;
      change.password.acknowledgedBy = agent.id;
      change.password.acknowledgedAt = at;
    }
    change.acks = { ...(change.acks ?? {}), [agent.id]: { outcome: ack.outcome, reason: ack.reason ?? null, at } };
    this.touched();
  }

  /** What the admin surface shows of an event: never a ciphertext. */
  describeChange(eventId: string): Record<string, unknown> {
    const change = this.changes.find((c) => c.id === eventId);
    if (!change) throw new SandboxError(404, `No event ${eventId} in the retained change feed.`);
    const { password, ...rest } = change;
    return {
      ...rest,
      ...(password
        ? {
            password: {
              outcome: password.outcome,
              reason: password.reason,
              acknowledgedBy: password.acknowledgedBy,
              acknowledgedAt: password.acknowledgedAt,
              sealedFor: Object.keys(password.envelopes),
            },
          }
        : {}),
    };
  }
}

function firstIndexAfter(changes: ChangeRecord[], cursor: number): number {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((changes[mid] as ChangeRecord).seq <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A user as the public API shows it (passwordDate is internal bookkeeping). */
export function publicUser(user: UserRecord): Record<string, unknown> {
  const { passwordDate: _passwordDate, ...rest } = user;
  return rest;
}
