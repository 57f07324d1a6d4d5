// The admin surface (/sandbox/admin/...): what an administrator does in the JumpCloud console,
// for tests, the demo and rehearsals. Users, groups and domains may be named by id or by
// username / group name / ADI domain. See engine/src/sandbox/README.md.
import * as z from 'zod';
import { SandboxError } from './errors';
import { faultRuleSchema, type FaultInjector } from './faults';
import type { RouteContext, Router } from './router';
import { publicDomain } from './api-routes';
import { publicUser, type SandboxStore, type UserRecord } from './store';

export const ADMIN_PREFIX = '/sandbox/admin';

const text = z.string().max(1024);
const userFields = {
  username: z.string().min(1).max(128),
  email: z.string().min(3).max(320),
  firstname: text.optional(),
  lastname: text.optional(),
  middlename: text.optional(),
  displayname: text.optional(),
  department: text.optional(),
  jobTitle: text.optional(),
  company: text.optional(),
  location: text.optional(),
  employeeIdentifier: text.optional(),
  employeeType: text.optional(),
  suspended: z.boolean().optional(),
  state: z.enum(['STAGED', 'ACTIVATED', 'SUSPENDED']).optional(),
  account_locked: z.boolean().optional(),
  password_expired: z.boolean().optional(),
  password: z.string().min(1).max(512).optional(),
};
const newUserSchema = z.strictObject({
  ...userFields,
  /** Group ids or names to add the user to. */
  groups: z.array(z.string().min(1)).optional(),
  /** Bind the user directly to this domain (id or ADI name). */
  bindToDomain: z.string().min(1).optional(),
});
const userPatchSchema = z.strictObject(userFields).partial();
const generateSchema = z.strictObject({
  count: z.number().int().min(1).max(200_000),
  prefix: z
    .string()
    .regex(/^[a-z][a-z0-9.-]{0,40}$/)
    .default('user'),
  group: z.string().min(1).optional(),
  bindToDomain: z.string().min(1).optional(),
});
const newGroupSchema = z.strictObject({
  name: z.string().min(1).max(256),
  description: z.string().max(1024).optional(),
  members: z.array(z.string().min(1)).optional(),
  bindToDomain: z.string().min(1).optional(),
});
const groupPatchSchema = z.strictObject({ name: z.string().min(1).max(256).optional(), description: z.string().max(1024).optional() });
const memberSchema = z.strictObject({ user: z.string().min(1) });
const bindingSchema = z.strictObject({
  op: z.enum(['add', 'remove']).default('add'),
  type: z.enum(['user', 'user_group']),
  target: z.string().min(1),
});
const domainSchema = z.strictObject({ domain: z.string().min(1), useCase: z.string().optional() });
const clockSchema = z.strictObject({
  advanceSeconds: z
    .number()
    .min(0)
    .max(10 * 365 * 86_400),
});
const faultListSchema = z.strictObject({ rules: z.array(faultRuleSchema) });

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SandboxError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}

export interface AdminDeps {
  store: SandboxStore;
  faults: FaultInjector;
  advanceClock: (ms: number) => void;
  clockOffsetMs: () => number;
}

export function addAdminRoutes(router: Router, deps: AdminDeps): void {
  const { store, faults } = deps;
  const a = ADMIN_PREFIX;
  const user = (ref: string): UserRecord => store.users.get(ref) ?? store.findUserByName(ref) ?? store.getUser(ref);
  const group = (ref: string) => store.groups.get(ref) ?? store.findGroupByName(ref) ?? store.getGroup(ref);
  const domain = (ref: string) => {
    if (store.domains.has(ref)) return store.getDomain(ref);
    const found = [...store.domains.values()].find((d) => d.domain.toLowerCase() === ref.toLowerCase());
    if (!found) throw new SandboxError(404, `No Active Directory instance '${ref}'`);
    return found;
  };
  const param = (ctx: RouteContext, name: string) => ctx.params[name] as string;

  router.on('GET', `${a}/info`, () => ({
    status: 200,
    body: {
      orgId: store.org._id,
      orgName: store.org.displayName,
      users: store.users.size,
      groups: store.groups.size,
      domains: store.domainList().map((d) => ({ ...publicDomain(d), agents: store.agentList(d.id).map((ag) => store.publicAgent(ag)) })),
      changeFeed: { cursor: store.seq, retained: store.changes.length },
      faults: faults.list(),
      clock: { now: new Date(store.now()).toISOString(), offsetSeconds: deps.clockOffsetMs() / 1000 },
      agentTimeoutSeconds: store.agentTimeoutMs / 1000,
    },
  }));

  // ---- users ----
  router.on('GET', `${a}/users/:ref`, (ctx) => ({ status: 200, body: publicUser(user(param(ctx, 'ref'))) }));
  router.on('POST', `${a}/users`, (ctx) => {
    const input = parse(newUserSchema, ctx.body);
    const { groups, bindToDomain, ...fields } = input;
    const created = store.createUser(fields);
    for (const g of groups ?? []) store.changeMember(group(g).id, created._id, 'add');
    if (bindToDomain) store.bind(domain(bindToDomain).id, 'user', created._id, 'add');
    return { status: 201, body: publicUser(created) };
  });
  router.on('POST', `${a}/users/generate`, (ctx) => {
    // A fixture tool: many users at once, without per-user change or insight events.
    const input = parse(generateSchema, ctx.body);
    const g = input.group ? group(input.group) : null;
    const d = input.bindToDomain ? domain(input.bindToDomain) : null;
    const start = store.users.size;
    let first: string | null = null;
    let last: string | null = null;
    for (let i = 0; i < input.count; i++) {
      let n = start + i + 1;
      while (store.findUserByName(`${input.prefix}${n}`)) n += input.count;
      const name = `${input.prefix}${n}`;
      const created = store.createUser(
        { username: name, email: `${name}@example.com`, firstname: 'Generated', lastname: `User ${n}`, displayname: `Generated User ${n}` },
        { quiet: true },
      );
      first ??= created._id;
      last = created._id;
      if (g) store.members.get(g.id)?.add(created._id);
      if (d) store.domainBindings(d.id).users.add(created._id);
    }
    return { status: 201, body: { created: input.count, firstId: first, lastId: last, totalUsers: store.users.size } };
  });
  router.on('PATCH', `${a}/users/:ref`, (ctx) => ({
    status: 200,
    body: publicUser(store.updateUser(user(param(ctx, 'ref'))._id, parse(userPatchSchema, ctx.body))),
  }));
  router.on('DELETE', `${a}/users/:ref`, (ctx) => ({ status: 200, body: publicUser(store.deleteUser(user(param(ctx, 'ref'))._id)) }));

  // ---- groups ----
  router.on('POST', `${a}/groups`, (ctx) => {
    const input = parse(newGroupSchema, ctx.body);
    const created = store.createGroup(input);
    for (const m of input.members ?? []) store.changeMember(created.id, user(m)._id, 'add');
    if (input.bindToDomain) store.bind(domain(input.bindToDomain).id, 'user_group', created.id, 'add');
    return { status: 201, body: { ...created, members: store.groupMembers(created.id) } };
  });
  router.on('PATCH', `${a}/groups/:ref`, (ctx) => ({ status: 200, body: store.updateGroup(group(param(ctx, 'ref')).id, parse(groupPatchSchema, ctx.body)) }));
  router.on('DELETE', `${a}/groups/:ref`, (ctx) => ({ status: 200, body: store.deleteGroup(group(param(ctx, 'ref')).id) }));
  router.on('POST', `${a}/groups/:ref/members`, (ctx) => {
    const g = group(param(ctx, 'ref'));
    store.changeMember(g.id, user(parse(memberSchema, ctx.body).user)._id, 'add');
    return { status: 200, body: { ...g, members: store.groupMembers(g.id) } };
  });
  router.on('DELETE', `${a}/groups/:ref/members/:user`, (ctx) => {
    const g = group(param(ctx, 'ref'));
    store.changeMember(g.id, user(param(ctx, 'user'))._id, 'remove');
    return { status: 200, body: { ...g, members: store.groupMembers(g.id) } };
  });

  // ---- domains and bindings ----
  router.on('POST', `${a}/domains`, (ctx) => ({ status: 201, body: publicDomain(store.createDomain(parse(domainSchema, ctx.body))) }));
  router.on('POST', `${a}/domains/:ref/bindings`, (ctx) => {
    const d = domain(param(ctx, 'ref'));
    const input = parse(bindingSchema, ctx.body);
    const targetId = input.type === 'user' ? user(input.target)._id : group(input.target).id;
    store.bind(d.id, input.type, targetId, input.op);
    const b = store.domainBindings(d.id);
    return { status: 200, body: { domainId: d.id, users: [...b.users], groups: [...b.groups] } };
  });

  // ---- org password policy ----
  router.on('GET', `${a}/password-policy`, () => ({ status: 200, body: store.org.settings.passwordPolicy }));
  router.on('PUT', `${a}/password-policy`, (ctx) => {
    if (!ctx.body || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) throw new SandboxError(400, 'The body must be a JSON object of policy fields');
    return { status: 200, body: store.updatePasswordPolicy(ctx.body as Record<string, unknown>) };
  });

  // ---- change feed (what agents were sent; never a ciphertext) ----
  router.on('GET', `${a}/events`, (ctx) => {
    const type = ctx.query.get('type');
    const limit = Math.min(1000, Number(ctx.query.get('limit') ?? 100) || 100);
    const list = store.changes.filter((c) => !type || c.type === type).slice(-limit);
    return { status: 200, body: list.map((c) => store.describeChange(c.id)) };
  });
  router.on('GET', `${a}/events/:id`, (ctx) => ({ status: 200, body: store.describeChange(param(ctx, 'id')) }));

  // ---- faults ----
  router.on('GET', `${a}/faults`, () => ({ status: 200, body: faults.list() }));
  router.on('POST', `${a}/faults`, (ctx) => ({ status: 201, body: faults.add(parse(faultRuleSchema, ctx.body)) }));
  router.on('PUT', `${a}/faults`, (ctx) => ({ status: 200, body: faults.replace(parse(faultListSchema, ctx.body).rules) }));
  router.on('DELETE', `${a}/faults`, () => {
    faults.clear();
    return { status: 204 };
  });
  router.on('DELETE', `${a}/faults/:id`, (ctx) => {
    faults.remove(param(ctx, 'id'));
    return { status: 204 };
  });

  // ---- clock (connect-key expiry, agent timeouts in rehearsals) ----
  router.on('POST', `${a}/clock`, (ctx) => {
    deps.advanceClock(parse(clockSchema, ctx.body).advanceSeconds * 1000);
    return { status: 200, body: { now: new Date(store.now()).toISOString(), offsetSeconds: deps.clockOffsetMs() / 1000 } };
  });
}
