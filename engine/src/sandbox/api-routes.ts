// The JumpCloud public API subset the engine uses: v1 systemusers and organizations, v2
// activedirectories (+ associations, traversals, agents) and usergroups (+ members, membership),
// and the Directory Insights events search. Same paths, fields, paging and error bodies.
import { SandboxError } from './errors';
import { body, v1List, v2IdList, v2List, type RouteResult, type Router } from './router';
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

  router.on('POST', '/api/search/systemusers', (ctx) => searchSystemUsers(store, ctx.query, ctx.body === undefined ? {} : body(ctx)));
  router.on('GET', '/api/v2/users/:id/activedirectories', (ctx) =>
    v2List(
      store
        .userDomains(ctx.params.id as string)
        .map((d) => ({ id: d.id, type: 'active_directory', paths: d.paths.map((p) => p.map((e) => edge(e.to.id, e.to.type))), compiledAttributes: null })),
      ctx.query,
      { idField: 'id' },
    ),
  );

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
    return v2IdList((targets === 'user' ? b.users : b.groups).sorted(), ctx.query, 'to', (id) => edge(id, targets));
  });
  router.on('POST', '/api/v2/activedirectories/:id/associations', (ctx) => {
    const input = body(ctx);
    if (input.type !== 'user' && input.type !== 'user_group') throw new SandboxError(400, "type must be 'user' or 'user_group'");
    store.bind(ctx.params.id as string, input.type, targetId(input.id), op(input.op));
    return { status: 204 };
  });
  router.on('GET', '/api/v2/activedirectories/:id/users', (ctx) =>
    v2List(
      store
        .domainUsers(ctx.params.id as string)
        .map((u) => ({ id: u.id, type: 'user', paths: u.paths.map((p) => p.map((e) => edge(e.to.id, e.to.type))), compiledAttributes: null })),
      ctx.query,
      { idField: 'id' },
    ),
  );
  router.on('GET', '/api/v2/activedirectories/:id/usergroups', (ctx) => {
    const b = store.domainBindings(ctx.params.id as string);
    return v2IdList(b.groups.sorted(), ctx.query, 'id', (id) => ({ id, type: 'user_group', paths: [[edge(id, 'user_group')]], compiledAttributes: null }));
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
    v2IdList(store.sortedMembers(ctx.params.id as string), ctx.query, 'to', (id) => edge(id, 'user')),
  );
  router.on('POST', '/api/v2/usergroups/:id/members', (ctx) => {
    const input = body(ctx);
    if (input.type !== 'user') throw new SandboxError(400, "type must be 'user'");
    store.changeMember(ctx.params.id as string, targetId(input.id), op(input.op));
    return { status: 204 };
  });
  router.on('GET', '/api/v2/usergroups/:id/activedirectories', (ctx) =>
    v2List(
      store
        .groupDomains(ctx.params.id as string)
        .map((id) => ({ id, type: 'active_directory', paths: [[edge(id, 'active_directory')]], compiledAttributes: null })),
      ctx.query,
      { idField: 'id' },
    ),
  );
  router.on('GET', '/api/v2/usergroups/:id/membership', (ctx) => {
    return v2IdList(store.sortedMembers(ctx.params.id as string), ctx.query, 'id', (id) => ({
      id,
      type: 'user',
      paths: [[edge(id, 'user')]],
      compiledAttributes: null,
    }));
  });

  // ---- Directory Insights ----
  router.on('POST', '/insights/directory/v1/events', (ctx) => insightsSearch(store, body(ctx)));
}

/**
 * `POST /api/search/systemusers` as JumpCloud publishes it (v1 Search API): the body's `filter` is
 * an array of query expressions (all must match), or an object with one property, `and` or `or`,
 * holding that array; an expression is an object of exact field values (`{"_id": "..."}`,
 * `{"department": "IT"}`). `searchFilter` ({searchTerm, fields}) matches a partial text in any of
 * the fields, case-insensitive. `fields` (space-separated, in the body or the query), `limit`
 * (at most 100) and `skip` as in the v1 lists; the answer is `{results, totalCount}`, by _id.
 */
function searchSystemUsers(store: SandboxStore, query: URLSearchParams, input: Record<string, unknown>): RouteResult {
  const expressions = searchExpressions(input.filter);
  const search = input.searchFilter;
  let textMatch: ((user: Record<string, unknown>) => boolean) | null = null;
  if (search !== undefined) {
    const s = search as { searchTerm?: unknown; fields?: unknown };
    if (!s || typeof s !== 'object' || typeof s.searchTerm !== 'string' || !Array.isArray(s.fields) || !s.fields.every((f) => typeof f === 'string')) {
      throw new SandboxError(400, 'searchFilter must be {"searchTerm": string, "fields": [string]}');
    }
    const term = s.searchTerm.toLowerCase();
    const fields = s.fields as string[];
    textMatch = (user) => fields.some((f) => typeof user[f] === 'string' && (user[f] as string).toLowerCase().includes(term));
  }
  const exact = (user: Record<string, unknown>, expression: Record<string, unknown>) =>
    Object.entries(expression).every(([field, value]) => user[field] === value);
  let candidates: Record<string, unknown>[];
  // An `or` of ids is answered by lookups (how the sync fetches a scope by id); anything else scans.
  const byIds = expressions?.mode === 'or' && expressions.list.every((e) => Object.keys(e).length === 1 && typeof e._id === 'string');
  if (byIds && expressions) {
    const ids = [...new Set(expressions.list.map((e) => e._id as string))].sort();
    candidates = ids.flatMap((id) => (store.users.has(id) ? [store.users.get(id) as unknown as Record<string, unknown>] : []));
  } else {
    candidates = store.userList() as unknown as Record<string, unknown>[];
    if (expressions)
      candidates = candidates.filter((user) =>
        expressions.mode === 'and' ? expressions.list.every((e) => exact(user, e)) : expressions.list.some((e) => exact(user, e)),
      );
  }
  if (textMatch) candidates = candidates.filter(textMatch);
  const bodyFields = typeof input.fields === 'string' ? input.fields : '';
  const params = new URLSearchParams(query);
  if (bodyFields.trim() !== '' && !params.has('fields')) params.set('fields', bodyFields);
  return v1List(candidates as unknown as Array<Record<string, unknown>>, params, { idField: '_id', presortedById: true, view: (u) => publicUser(u as never) });
}

function searchExpressions(filter: unknown): { mode: 'and' | 'or'; list: Array<Record<string, unknown>> } | null {
  if (filter === undefined || filter === null) return null;
  const isExpression = (e: unknown): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e);
  let mode: 'and' | 'or' = 'and';
  let list: unknown = filter;
  if (!Array.isArray(filter)) {
    if (!isExpression(filter)) throw new SandboxError(400, 'filter must be an array of query expressions, or {"and": [...]} / {"or": [...]}');
    const keys = Object.keys(filter);
    if (keys.length !== 1 || (keys[0] !== 'and' && keys[0] !== 'or')) throw new SandboxError(400, 'filter must have a single property, "and" or "or"');
    mode = keys[0] as 'and' | 'or';
    list = filter[keys[0] as string];
  }
  if (!Array.isArray(list) || !list.every(isExpression)) throw new SandboxError(400, 'filter expressions must be objects of field values');
  return { mode, list };
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
      'X-Search_after': JSON.stringify(last ? key(last) : (after ?? [])),
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
