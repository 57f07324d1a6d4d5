// The JumpCloud public API client: the calls the sync, CSV import and jc-ping need. Lists are
// async generators that fetch one page ahead and yield items one at a time, so a large org
// never sits in memory twice. Dependencies come in through the constructor; nothing is global.
import * as z from 'zod';
import { HttpTransport, type ClientLog, type TransportOptions, type TransportRequest } from './transport';
import type { ProxySettings } from './proxy';
import type { RetryPolicy } from './retry';
import {
  activeDirectorySchema,
  adAgentCreatedSchema,
  adAgentSchema,
  directoryEventSchema,
  graphConnectionSchema,
  graphObjectSchema,
  graphObjectWithPathsSchema,
  organizationSchema,
  organizationSummarySchema,
  SYSTEM_USER_SYNC_FIELDS,
  syncUserSchema,
  systemUserSchema,
  userGroupSchema,
  v1ListSchema,
  type ActiveDirectory,
  type AdAgent,
  type AdAgentCreated,
  type DirectoryEvent,
  type GraphConnection,
  type GraphObject,
  type GraphObjectWithPaths,
  type Organization,
  type OrganizationSummary,
  type PasswordPolicy,
  type SyncUser,
  type SystemUser,
  type UserGroup,
} from './schemas';
import { JumpCloudSchemaError } from './errors';

/** JumpCloud serves at most 100 items a page on v1 and v2 lists. */
const MAX_PAGE_SIZE = 100;

export interface JumpCloudClientOptions {
  /** Console origin: https://console.jumpcloud.com, https://console.eu.jumpcloud.com, or a sandbox URL. */
  baseUrl: string;
  /** Directory Insights origin (https://api.jumpcloud.com for US); defaults to baseUrl. */
  insightsBaseUrl?: string;
  apiKey: string;
  /** x-org-id, required for multi-tenant administrators. */
  orgId?: string;
  ca?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  log?: ClientLog;
  signal?: AbortSignal;
  /** Items per page (1–100, default 100). */
  pageSize?: number;
  /** Sockets kept open to JumpCloud (default 4); a bulk import raises it to its concurrency. */
  maxSockets?: number;
  /** An HTTP proxy to tunnel through (see ./proxy.ts); null or absent: direct. */
  proxy?: ProxySettings | null;
}

export interface ListOptions {
  /** v1: `field:$eq:value`; v2: `field:eq:value`. Several filters are ANDed. */
  filter?: string[];
  fields?: readonly string[];
  sort?: string;
}

export interface NewSystemUser {
  username: string;
  email: string;
  firstname?: string;
  lastname?: string;
  password?: string;
  [field: string]: unknown;
}

export interface DirectoryEventQuery {
  service?: string[];
  startTime: string;
  endTime?: string;
  /** Rows per page (max 10,000). */
  limit?: number;
  searchTerm?: Record<string, unknown>;
  sort?: 'ASC' | 'DESC';
}

export class JumpCloudClient {
  readonly baseUrl: string;
  readonly insightsBaseUrl: string;
  readonly orgId: string | undefined;
  readonly pageSize: number;
  readonly #transport: HttpTransport;

  constructor(options: JumpCloudClientOptions) {
    const apiKey = options.apiKey;
    const orgId = options.orgId;
    const transportOptions: TransportOptions = {
      baseUrl: options.baseUrl,
      ca: options.ca,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      sleep: options.sleep,
      random: options.random,
      now: options.now,
      log: options.log,
      signal: options.signal,
      maxSockets: options.maxSockets,
      proxy: options.proxy,
    };
    this.#transport = new HttpTransport(transportOptions, () => ({ 'x-api-key': apiKey, ...(orgId ? { 'x-org-id': orgId } : {}) }), [apiKey]);
    this.baseUrl = this.#transport.baseUrl;
    this.insightsBaseUrl = (options.insightsBaseUrl ?? options.baseUrl).replace(/\/+$/, '');
    this.orgId = orgId;
    this.pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, options.pageSize ?? MAX_PAGE_SIZE));
  }

  close(): void {
    this.#transport.close();
  }

  // ---- v1 system users ----------------------------------------------------------------------

  /** Every system user, sorted by _id, with the fields the sync maps (or `fields`). */
  listUsers(options: ListOptions = {}): AsyncGenerator<SystemUser> {
    return this.#pagedV1('/api/systemusers', systemUserSchema, { fields: SYSTEM_USER_SYNC_FIELDS, ...options });
  }

  /**
   * The users with these ids, with the fields the sync maps: `POST /api/search/systemusers` with
   * `{"filter": {"or": [{"_id": ...}, ...]}}`, SEARCH_BATCH ids a request (JumpCloud's published
   * search; its `limit` is at most 100), the next batch asked for while this one is worked through.
   * Ids JumpCloud no longer has are simply absent. Costs ceil(n / 100) calls, whatever the org's size.
   */
  async *searchUsersById(ids: Iterable<string>): AsyncGenerator<SyncUser> {
    const all = [...new Set(ids)];
    const batches: string[][] = [];
    for (let i = 0; i < all.length; i += SEARCH_BATCH) batches.push(all.slice(i, i + SEARCH_BATCH));
    const schema = v1ListSchema(syncUserSchema);
    const ask = (batch: string[]) =>
      this.#transport.json(
        {
          method: 'POST',
          path: '/api/search/systemusers',
          query: { limit: SEARCH_BATCH, skip: 0 },
          body: { filter: { or: batch.map((id) => ({ _id: id })) }, fields: SYSTEM_USER_SYNC_FIELDS.join(' ') },
          // A search changes nothing: safe to retry.
          idempotent: true,
        },
        schema,
      );
    let pending = batches.length > 0 ? ask(batches[0] as string[]) : null;
    for (let i = 0; pending; i++) {
      const { data } = await pending;
      pending = i + 1 < batches.length ? ask(batches[i + 1] as string[]) : null;
      yield* data.results as SyncUser[];
    }
  }

  /** How many users the org has (one tiny request). */
  async countUsers(filter?: string[]): Promise<number> {
    const { data } = await this.#transport.json(
      { method: 'GET', path: '/api/systemusers', query: { limit: 1, skip: 0, fields: '_id', ...filterQuery(filter) } },
      z.looseObject({ totalCount: z.number().int().min(0) }),
    );
    return data.totalCount;
  }

  async getUser(id: string): Promise<SystemUser> {
    const { data } = await this.#transport.json({ method: 'GET', path: `/api/systemusers/${enc(id)}` }, systemUserSchema);
    return data;
  }

  /** POST /systemusers. Not idempotent: retried only when JumpCloud surely did not act (429, refused). */
  async createUser(user: NewSystemUser): Promise<SystemUser> {
    const { data } = await this.#transport.json({ method: 'POST', path: '/api/systemusers', body: user, idempotent: false }, systemUserSchema);
    return data;
  }

  /** PUT /systemusers/{id} with the changed fields only (e.g. `{ suspended: true }`, `{ password }`). */
  async updateUser(id: string, changes: Record<string, unknown>): Promise<SystemUser> {
    const { data } = await this.#transport.json({ method: 'PUT', path: `/api/systemusers/${enc(id)}`, body: changes }, systemUserSchema);
    return data;
  }

  // ---- organizations ------------------------------------------------------------------------

  listOrganizations(): AsyncGenerator<OrganizationSummary> {
    return this.#pagedV1('/api/organizations', organizationSummarySchema, { sort: '_id' });
  }

  async getOrganization(id: string): Promise<Organization> {
    const { data } = await this.#transport.json({ method: 'GET', path: `/api/organizations/${enc(id)}` }, organizationSchema);
    return data;
  }

  /** The org this client works on: orgId if given, else the first (for a single-tenant key, the only) org. */
  async currentOrganization(): Promise<Organization> {
    if (this.orgId) return this.getOrganization(this.orgId);
    for await (const summary of this.listOrganizations()) return this.getOrganization(summary._id);
    throw new JumpCloudSchemaError('GET /api/organizations', 'results', 'the key sees no organization');
  }

  async getPasswordPolicy(orgId?: string): Promise<PasswordPolicy> {
    const org = orgId ? await this.getOrganization(orgId) : await this.currentOrganization();
    return org.settings?.passwordPolicy ?? {};
  }

  // ---- v2 Active Directory integrations -----------------------------------------------------

  listActiveDirectories(options: ListOptions = {}): AsyncGenerator<ActiveDirectory> {
    return this.#pagedV2('/api/v2/activedirectories', activeDirectorySchema, options);
  }

  async getActiveDirectory(id: string): Promise<ActiveDirectory> {
    const { data } = await this.#transport.json({ method: 'GET', path: `/api/v2/activedirectories/${enc(id)}` }, activeDirectorySchema);
    return data;
  }

  /** POST /v2/activedirectories `{ domain: "DC=example;DC=com", useCase }`. */
  async createActiveDirectory(domain: string, useCase = 'JCASAUTHORITY'): Promise<ActiveDirectory> {
    const { data } = await this.#transport.json(
      { method: 'POST', path: '/api/v2/activedirectories', body: { domain, useCase }, idempotent: false },
      activeDirectorySchema,
    );
    return data;
  }

  /** Direct bindings of a domain: `user` or `user_group` edges. */
  listDomainAssociations(domainId: string, target: 'user' | 'user_group'): AsyncGenerator<GraphConnection> {
    return this.#pagedV2(`/api/v2/activedirectories/${enc(domainId)}/associations`, graphConnectionSchema, {}, { targets: target });
  }

  /** Users bound to the domain directly or through a group, with their paths. */
  listDomainUsers(domainId: string): AsyncGenerator<GraphObjectWithPaths> {
    return this.#pagedV2(`/api/v2/activedirectories/${enc(domainId)}/users`, graphObjectWithPathsSchema, {});
  }

  /** The ADI domains a user is bound to, each with the paths from the user (direct, or `[group, domain]`). */
  listUserDomains(userId: string): AsyncGenerator<GraphObjectWithPaths> {
    return this.#pagedV2(`/api/v2/users/${enc(userId)}/activedirectories`, graphObjectWithPathsSchema, {});
  }

  /** The ADI domains a user group is bound to. */
  listGroupDomains(groupId: string): AsyncGenerator<GraphObjectWithPaths> {
    return this.#pagedV2(`/api/v2/usergroups/${enc(groupId)}/activedirectories`, graphObjectWithPathsSchema, {});
  }

  async bindToDomain(domainId: string, type: 'user' | 'user_group', id: string, op: 'add' | 'remove' = 'add'): Promise<void> {
    await this.#transport.send({ method: 'POST', path: `/api/v2/activedirectories/${enc(domainId)}/associations`, body: { op, type, id }, idempotent: true });
  }

  listAgents(domainId: string): AsyncGenerator<AdAgent> {
    return this.#pagedV2(`/api/v2/activedirectories/${enc(domainId)}/agents`, adAgentSchema, {});
  }

  /** Creates a sync agent record; the answer carries the one-time connect key (valid 7 days). */
  async createAgent(domainId: string, agentType: 'SYNC' | 'IMPORT' = 'SYNC'): Promise<AdAgentCreated> {
    const { data } = await this.#transport.json(
      { method: 'POST', path: `/api/v2/activedirectories/${enc(domainId)}/agents`, body: { agentType }, idempotent: false },
      adAgentCreatedSchema,
    );
    return data;
  }

  async deleteAgent(domainId: string, agentId: string): Promise<void> {
    await this.#transport.send({ method: 'DELETE', path: `/api/v2/activedirectories/${enc(domainId)}/agents/${enc(agentId)}` });
  }

  // ---- v2 user groups -----------------------------------------------------------------------

  listUserGroups(options: ListOptions = {}): AsyncGenerator<UserGroup> {
    return this.#pagedV2('/api/v2/usergroups', userGroupSchema, options);
  }

  async getUserGroup(id: string): Promise<UserGroup> {
    const { data } = await this.#transport.json({ method: 'GET', path: `/api/v2/usergroups/${enc(id)}` }, userGroupSchema);
    return data;
  }

  async createUserGroup(name: string, description?: string): Promise<UserGroup> {
    const { data } = await this.#transport.json(
      { method: 'POST', path: '/api/v2/usergroups', body: { name, ...(description ? { description } : {}) }, idempotent: false },
      userGroupSchema,
    );
    return data;
  }

  /** Direct member edges of a group. */
  listGroupMembers(groupId: string): AsyncGenerator<GraphConnection> {
    return this.#pagedV2(`/api/v2/usergroups/${enc(groupId)}/members`, graphConnectionSchema, {});
  }

  /** The group's resolved users (their paths are not read). */
  listGroupMembership(groupId: string): AsyncGenerator<GraphObject> {
    return this.#pagedV2(`/api/v2/usergroups/${enc(groupId)}/membership`, graphObjectSchema, {});
  }

  /** Adding an existing member or removing a missing one is harmless, so this is safe to retry. */
  async changeGroupMember(groupId: string, userId: string, op: 'add' | 'remove' = 'add'): Promise<void> {
    await this.#transport.send({
      method: 'POST',
      path: `/api/v2/usergroups/${enc(groupId)}/members`,
      body: { op, type: 'user', id: userId },
      idempotent: true,
    });
  }

  // ---- Directory Insights -------------------------------------------------------------------

  /** Directory Insights events, following `X-Search_after` until a page comes back short. */
  async *listDirectoryEvents(query: DirectoryEventQuery): AsyncGenerator<DirectoryEvent> {
    const limit = Math.max(1, Math.min(10_000, query.limit ?? 1000));
    const url = `${this.insightsBaseUrl}/insights/directory/v1/events`;
    let searchAfter: unknown[] | undefined;
    for (;;) {
      const body = {
        service: query.service ?? ['directory'],
        start_time: query.startTime,
        ...(query.endTime ? { end_time: query.endTime } : {}),
        limit,
        sort: query.sort ?? 'ASC',
        ...(query.searchTerm ? { search_term: query.searchTerm } : {}),
        ...(searchAfter ? { search_after: searchAfter } : {}),
      };
      // A search is a read: safe to repeat.
      const { data, response } = await this.#transport.json({ method: 'POST', path: url, body, idempotent: true }, z.array(directoryEventSchema));
      yield* data;
      const resultCount = Number(response.headers['x-result-count'] ?? data.length);
      const pageLimit = Number(response.headers['x-limit'] ?? limit);
      if (data.length === 0 || resultCount < pageLimit) return;
      const next = response.headers['x-search_after'];
      if (!next) return;
      try {
        const parsed: unknown = JSON.parse(next);
        if (!Array.isArray(parsed)) throw new Error('not an array');
        searchAfter = parsed;
      } catch {
        throw new JumpCloudSchemaError(response.endpoint, 'headers.X-Search_after', 'expected a JSON array');
      }
    }
  }

  // ---- paging -------------------------------------------------------------------------------

  /** v1 lists: `{ results, totalCount }`, limit/skip, sort=_id so skip is stable. */
  async *#pagedV1<S extends z.ZodType>(path: string, item: S, options: ListOptions): AsyncGenerator<z.infer<S>> {
    const schema = v1ListSchema(item);
    const limit = this.pageSize;
    const query = (skip: number): TransportRequest => ({
      method: 'GET',
      path,
      query: {
        limit,
        skip,
        sort: options.sort ?? '_id',
        ...(options.fields ? { fields: options.fields.join(' ') } : {}),
        ...filterQuery(options.filter),
      },
    });
    const seen = new Set<string>();
    let skip = 0;
    let pending = this.#transport.json(query(0), schema);
    for (;;) {
      const { data } = await pending;
      const results = data.results as Array<z.infer<S>>;
      skip += results.length;
      const more = results.length === limit && skip < data.totalCount;
      // Fetch the next page while the caller works through this one.
      if (more) pending = this.#transport.json(query(skip), schema);
      for (const result of results) {
        const id = (result as { _id?: unknown })._id;
        if (typeof id === 'string') {
          // Skip-paging over a list that changes can repeat an item; never yield one twice.
          if (seen.has(id)) continue;
          seen.add(id);
        }
        yield result;
      }
      if (!more) return;
    }
  }

  /** v2 lists: a bare array, limit/skip, total in `x-total-count`. */
  async *#pagedV2<S extends z.ZodType>(path: string, item: S, options: ListOptions, extra: Record<string, string> = {}): AsyncGenerator<z.infer<S>> {
    const limit = this.pageSize;
    const query = (skip: number): TransportRequest => ({
      method: 'GET',
      path,
      query: {
        limit,
        skip,
        ...extra,
        ...(options.sort ? { sort: options.sort } : {}),
        ...(options.fields ? { fields: options.fields.join(',') } : {}),
        ...filterQuery(options.filter),
      },
    });
    const pageSchema = z.array(item);
    let skip = 0;
    let pending = this.#transport.json(query(0), pageSchema);
    for (;;) {
      const { data, response } = await pending;
      skip += data.length;
      const total = Number(response.headers['x-total-count']);
      const more = data.length === limit && (!Number.isFinite(total) || skip < total);
      if (more) pending = this.#transport.json(query(skip), pageSchema);
      yield* data as Array<z.infer<S>>;
      if (!more) return;
    }
  }
}

/** Ids a search request asks for: JumpCloud's search answers at most 100 records a request. */
const SEARCH_BATCH = 100;

/** Several filters travel as repeated `filter=` parameters, which JumpCloud ANDs. */
function filterQuery(filter: string[] | undefined): Record<string, string[]> {
  return filter && filter.length > 0 ? { filter } : {};
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
