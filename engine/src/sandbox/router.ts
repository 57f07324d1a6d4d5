// A minimal router: method + path pattern (`/api/systemusers/:id`) → handler.
import type { IncomingMessage } from 'node:http';
import { SandboxError } from './errors';
import type { ListQuery } from './query';
import { applyFilters, applySort, parseListQuery, project, DEFAULT_LIMIT } from './query';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  req: IncomingMessage;
  /** Aborted when the client goes away or the sandbox closes. */
  signal: AbortSignal;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:([A-Za-z]+)/g, (_m, name: string) => {
          names.push(name);
          return '/([^/]+)';
        }) +
        '/?$',
    );
    this.routes.push({ method, pattern, names, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] as string)));
      return { handler: route.handler, params };
    }
    throw pathMatched ? new SandboxError(405, `${method} is not allowed on ${path}`) : new SandboxError(404, `Not Found: ${path}`);
  }
}

export function body<T = Record<string, unknown>>(ctx: RouteContext): T {
  if (ctx.body === undefined || ctx.body === null || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) {
    throw new SandboxError(400, 'The request body must be a JSON object');
  }
  return ctx.body as T;
}

export interface ListOptions<T> {
  idField: string;
  /** The items are already in _id order, so sort=_id needs no work (keeps 20,000-user paging fast). */
  presortedById?: boolean;
  /** Turns a stored item into what the API shows (applied to the page only). */
  view?: (item: T) => Record<string, unknown>;
}

/** The query asks for no order but the id's (none, or `sort=<idField>`). */
function inIdOrder(q: ListQuery, idField: string): boolean {
  return q.sort.length === 0 || (q.sort.length === 1 && q.sort[0] === idField);
}

/** The asked page of a filtered, sorted list (`skip`, `limit` or its default). */
function pageSlice<T>(list: readonly T[], q: ListQuery): T[] {
  return list.slice(q.skip, q.skip + (q.limit === 0 ? DEFAULT_LIMIT : q.limit));
}

function page<T extends object>(items: T[], q: ListQuery, options: ListOptions<T>): { total: number; results: Record<string, unknown>[] } {
  let list = applyFilters(items, q.filters);
  if (!(inIdOrder(q, options.idField) && options.presortedById)) list = applySort(list, q.sort);
  const slice = pageSlice(list, q);
  return {
    total: list.length,
    results: slice.map((item) => project(options.view ? options.view(item) : (item as Record<string, unknown>), q.fields, options.idField)),
  };
}

/** v1 list answer: `{ results, totalCount }`. */
export function v1List<T extends object>(items: T[], query: URLSearchParams, options: ListOptions<T>): RouteResult {
  const { total, results } = page(items, parseListQuery(query, 'v1'), options);
  return { status: 200, body: { results, totalCount: total } };
}

/** v2 list answer: a bare array with `x-total-count`. */
export function v2List<T extends object>(items: T[], query: URLSearchParams, options: ListOptions<T>): RouteResult {
  const { total, results } = page(items, parseListQuery(query, 'v2'), options);
  return v2Answer(results, total);
}

function v2Answer(results: Record<string, unknown>[], total: number): RouteResult {
  return { status: 200, body: results, headers: { 'x-total-count': String(total) } };
}

/**
 * v2 list answer of ids already in ascending order, each shown as `view(id)`. With no filter and
 * no sort but by `idField`, only the asked page is made: a group of 20,000 members read 100 at a
 * time no longer builds 20,000 objects for each page. A filter or another sort sees every item.
 */
export function v2IdList(ids: readonly string[], query: URLSearchParams, idField: string, view: (id: string) => Record<string, unknown>): RouteResult {
  const q = parseListQuery(query, 'v2');
  if (q.filters.length > 0 || !inIdOrder(q, idField)) return v2List(ids.map(view), query, { idField });
  return v2Answer(
    pageSlice(ids, q).map((id) => project(view(id), q.fields, idField)),
    ids.length,
  );
}
