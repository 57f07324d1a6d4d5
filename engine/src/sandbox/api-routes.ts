// The JumpCloud public API subset the engine uses: v1 systemusers and organizations, v2
// activedirectories (+ associations, traversals, agents) and usergroups (+ members, membership),
// and the Directory Insights events search. Same paths, fields, paging and error bodies.
import { SandboxError } from './errors';
import { body, v1List, v2List, type RouteResult, type Router } from './router';
import { project } from './query';
import { publicUser, type DomainRecord, type InsightRecord, type SandboxStore } from './store';

export function publicDomain(domain: DomainRecord): Record<string, unknown> {
  return {
    id: domain.id,
    domain: domain.domain,
    useCase: domain.useCase,
    delegationState: domain.delegationState,
    groupsEnabled: domain.groupsEnabled,
    primaryAgent: domain.primaryAgent ?? '',
    updatedAt: domain.updatedAt,
  };
}

const edge = (id: string, type: string) => ({ attributes: null, to: { attributes: null, id, type } });

function op(value: unknown): 'add' | 'remove' {
  if (value !== 'add' && value !== 'remove') throw new SandboxError(400, "op must be 'add' or 'remove'");
  return value;
}

function targetId(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new SandboxError(400, 'id is required');
  return value;
}

export function addPublicRoutes(router: Router, store: SandboxStore): void {
  // ---- v1 ----
  router.on('GET', '/api/systemusers', (ctx) => v1List(store.userList(), ctx.query, { idField: '_id', presortedById: true, view: publicUser }));
  router.on('POST', '/api/systemusers', (ctx) => ({ status: 200, body: publicUser(store.createUser(body(ctx))) }));
  router.on('GET', '/api/systemusers/:id', (ctx) => {
    const fields = ctx.query.get('fields');
    return { status: 200, body: project(publicUser(store.getUser(ctx.params.id as string)), fields ? fields.split(/[\s,]+/).filter(Boolean) : null, '_id') };
  });
  router.on('PUT', '/api/systemusers/:id', (ctx) => ({ status: 200, body: publicUser(store.updateUser(ctx.params.id as string, body(ctx))) }));
  router.on('DELETE', '/api/systemusers/:id', (ctx) => ({ status: 200, body: publicUser(store.deleteUser(ctx.params.id as string)) }));

  router.on('GET', '/api/organizations', (ctx) =>
    v1List([{ _id: store.org._id, displayName: store.org.displayName, logoUrl: store.org.logoUrl }], ctx.query, { idField: '_id' }),
  );
  router.on('GET', '/api/organizations/:id', (ctx) => {
    if (ctx.params.id !== store.org._id) throw new SandboxError(404, 'Organization ID Not Found');
    return { status: 200, body: store.org };
  });

  // ---- v2 Active Directory ----
  router.on('GET', '/api/v2/activedirectories', (ctx) => v2List(store.domainList(), ctx.query, { idField: 'id', view: publicDomain }));
  router.on('POST', '/api/v2/activedirectories', (ctx) => ({ status: 201, body: publicDomain(store.createDomain(body(ctx))) }));
  router.on('GET', '/api/v2/activedirectories/:id', (ctx) => ({ status: 200, body: publicDomain(store.getDomain(ctx.params.id as string)) }));
  router.on('DELETE', '/api/v2/activedirectories/:id', (ctx) => {
    const domain = publicDomain(store.getDomain(ctx.params.id as string));
    store.deleteDomain(ctx.params.id as string);
    return { status: 200, body: domain };
  });

  router.on('GET', '/api/v2/activedirectories/:id/associations', (ctx) => {
    const targets = ctx.query.get('targets');
    if (targets !== 'user' && targets !== 'user_group') throw new SandboxError(400, "targets is required: 'user' or 'user_group'");
    const b = store.domainBindings(ctx.params.id as string);
    const ids = [...(targets === 'user' ? b.users : b.groups)].sort();
    return v2List(ids.map((id) => edge(id, targets)), ctx.query, { idField: 'to' });
  });
  router.on('POST', '/api/v2/activedirectories/:id/associations', (ctx) => {
    const input = body(ctx);
    if (input.type !== 'user' && input.type !== 'user_group') throw new SandboxError(400, "type must be 'user' or 'user_group'");
    store.bind(ctx.params.id as string, input.type, targetId(input.id), op(input.op));
    return { status: 204 };
  });
  router.on('GET', '/api/v2/activedirectories/:id/users', (ctx) =>
    v2List(
      store.domainUsers(ctx.params.id as string).map((u) => ({ id: u.id, type: 'user', paths: u.paths.map((p) => p.map((e) => edge(e.to.id, e.to.type))), compiledAttributes: null })),
      ctx.query,
      { idField: 'id' },
    ),
  );
  router.on('GET', '/api/v2/activedirectories/:id/usergroups', (ctx) => {
    const b = store.domainBindings(ctx.params.id as string);
    const groups = [...b.groups].sort().map((id) => ({ id, type: 'user_group', paths: [[edge(id, 'user_group')]], compiledAttributes: null }));
    return v2List(groups, ctx.query, { idField: 'id' });
  });

  router.on('GET', '/api/v2/activedirectories/:id/agents', (ctx) => {
    const agents = store.agentList(ctx.params.id as string);
    store.designatePrimary(ctx.params.id as string);
    return v2List(agents, ctx.query, { idField: 'id', view: (a) => store.publicAgent(a) });
  });
  router.on('POST', '/api/v2/activedirectories/:id/agents', (ctx) => {
    const input = ctx.body === undefined ? {} : body(ctx);
    const { agent, connectKey } = store.createAgent(ctx.params.id as string, input.agentType);
    return { status: 201, body: { ...store.publicAgent(agent), connectKey } };
  });
  router.on('GET', '/api/v2/activedirectories/:id/agents/:agentId', (ctx) => {
    const agent = store.agentList(ctx.params.id as string).find((a) => a.id === ctx.params.agentId);
    if (!agent) throw new SandboxError(404, `No agent ${ctx.params.agentId}`);
    return { status: 200, body: store.publicAgent(agent) };
  });
  router.on('DELETE', '/api/v2/activedirectories/:id/agents/:agentId', (ctx) => {
    store.deleteAgent(ctx.params.id as string, ctx.params.agentId as string);
    return { status: 204 };
  });

  // ---- v2 user groups ----
  router.on('GET', '/api/v2/usergroups', (ctx) => v2List(store.groupList(), ctx.query, { idField: 'id', presortedById: true }));
  router.on('POST', '/api/v2/usergroups', (ctx) => ({ status: 201, body: store.createGroup(body(ctx)) }));
  router.on('GET', '/api/v2/usergroups/:id', (ctx) => ({ status: 200, body: store.getGroup(ctx.params.id as string) }));
  router.on('PUT', '/api/v2/usergroups/:id', (ctx) => ({ status: 200, body: store.updateGroup(ctx.params.id as string, body(ctx)) }));
  router.on('DELETE', '/api/v2/usergroups/:id', (ctx) => ({ status: 200, body: store.deleteGroup(ctx.params.id as string) }));
  router.on('GET', '/api/v2/usergroups/:id/members', (ctx) =>
    v2List(store.groupMembers(ctx.params.id as string).sort().map((id) => edge(id, 'user')), ctx.query, { idField: 'to' }),
  );
  router.on('POST', '/api/v2/usergroups/:id/members', (ctx) => {
    const input = body(ctx);
    if (input.type !== 'user') throw new SandboxError(400, "type must be 'user'");
    store.changeMember(ctx.params.id as string, targetId(input.id), op(input.op));
    return { status: 204 };
  });
  router.on('GET', '/api/v2/usergroups/:id/membership', (ctx) => {
    const groupId = ctx.params.id as string;
    const users = store.groupMembers(groupId).sort().map((id) => ({ id, type: 'user', paths: [[edge(id, 'user')]], compiledAttributes: null }));
    return v2List(users, ctx.query, { idField: 'id' });
  });

  // ---- Directory Insights ----
  router.on('POST', '/insights/directory/v1/events', (ctx) => insightsSearch(store, body(ctx)));
}

function insightsSearch(store: SandboxStore, query: Record<string, unknown>): RouteResult {
  const service = query.service;
  if (!Array.isArray(service) || service.length === 0) throw new SandboxError(400, 'service is required, e.g. ["directory"] or ["all"]');
  const start = typeof query.start_time === 'string' ? Date.parse(query.start_time) : NaN;
  if (Number.isNaN(start)) throw new SandboxError(400, 'start_time is required (RFC 3339)');
  const end = typeof query.end_time === 'string' ? Date.parse(query.end_time) : Infinity;
  if (Number.isNaN(end) || end < start) throw new SandboxError(400, 'end_time must be RFC 3339 and after start_time');
  const limitRaw = typeof query.limit === 'number' ? query.limit : 1000;
  const limit = Number.isInteger(limitRaw) && limitRaw > 0 && limitRaw <= 10_000 ? limitRaw : 1000;
  const sort = typeof query.sort === 'string' && query.sort.toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
  const dir = sort === 'ASC' ? 1 : -1;
  const after = Array.isArray(query.search_after) ? query.search_after : null;
  const wanted = (service as unknown[]).map(String);
  const all = wanted.includes('all');
  const term = query.search_term as { and?: Array<Record<string, unknown>>; or?: Array<Record<string, unknown>> } | undefined;

  const key = (e: InsightRecord): [number, string] => [Date.parse(e.timestamp), e.id];
  const compare = (a: [number, string], b: [number, string]) => (a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)) * dir;
  const rows = store.insights
    .filter((e) => {
      const t = Date.parse(e.timestamp);
      if (t < start || t >= end) return false;
      if (!all && !wanted.includes(e.service)) return false;
      if (term?.and && !term.and.every((clause) => clauseMatches(e, clause))) return false;
      if (term?.or && !term.or.some((clause) => clauseMatches(e, clause))) return false;
      return true;
    })
    .sort((a, b) => compare(key(a), key(b)))
    .filter((e) => !after || compare(key(e), [Number(after[0]), String(after[1])]) > 0)
    .slice(0, limit);
  const last = rows.at(-1);
  return {
    status: 200,
    body: rows,
    headers: {
      'X-Result-Count': String(rows.length),
      'X-Limit': String(limit),
      'X-Sort': sort,
      'X-Search_after': JSON.stringify(last ? key(last) : after ?? []),
    },
  };
}

function clauseMatches(event: InsightRecord, clause: Record<string, unknown>): boolean {
  return Object.entries(clause).every(([path, wanted]) => {
    let value: unknown = event;
    for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    const values = Array.isArray(wanted) ? wanted : [wanted];
    return values.some((w) => String(w).toLowerCase() === String(value).toLowerCase());
  });
}
