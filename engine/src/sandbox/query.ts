// JumpCloud list semantics shared by every sandbox list endpoint: limit (max 100) / skip,
// sort, fields and filter, in the v1 (`field:$eq:value`, space-separated fields) and v2
// (`field:eq:value`, comma-separated fields) dialects.
import { SandboxError } from './errors';

const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 10;

export type Dialect = 'v1' | 'v2';

export interface ListQuery {
  limit: number;
  skip: number;
  sort: string[];
  fields: string[] | null;
  filters: Array<{ field: string; op: 'eq' | 'ne' | 'in'; value: string }>;
}

export function parseListQuery(params: URLSearchParams, dialect: Dialect): ListQuery {
  const limit = readInt(params.get('limit'), DEFAULT_LIMIT, 'limit');
  if (limit < 0 || limit > MAX_LIMIT) throw new SandboxError(400, `limit must be between 0 and ${MAX_LIMIT}`);
  const skip = readInt(params.get('skip'), 0, 'skip');
  if (skip < 0) throw new SandboxError(400, 'skip must not be negative');
  const split = dialect === 'v1' ? /[\s,]+/ : /,/;
  const sort = params
    .getAll('sort')
    .flatMap((s) => s.split(split))
    .map((s) => s.trim())
    .filter(Boolean);
  const fieldsText = params.getAll('fields').join(dialect === 'v1' ? ' ' : ',');
  const fields =
    fieldsText.trim() === ''
      ? null
      : fieldsText
          .split(split)
          .map((f) => f.trim())
          .filter(Boolean);
  const filters = params
    .getAll('filter')
    .flatMap((f) => (dialect === 'v2' ? splitV2Filters(f) : [f]))
    .map((f) => parseFilter(f, dialect));
  return { limit, skip, sort, fields, filters };
}

function readInt(text: string | null, fallback: number, name: string): number {
  if (text === null || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw new SandboxError(400, `${name} must be an integer`);
  return Number(text);
}

/** v2 allows several filters in one parameter separated by commas when each has the op form. */
function splitV2Filters(text: string): string[] {
  const parts = text.split(',');
  const out: string[] = [];
  for (const part of parts) {
    if (out.length > 0 && !/^[^:]+:(eq|ne|in|\$eq|\$ne|\$in):/.test(part)) out[out.length - 1] += `,${part}`;
    else out.push(part);
  }
  return out;
}

function parseFilter(text: string, dialect: Dialect): ListQuery['filters'][number] {
  const match = /^([^:]+):(\$?)(eq|ne|in):(.*)$/s.exec(text);
  if (!match) throw new SandboxError(400, `filter '${text}' is not of the form field:${dialect === 'v1' ? '$eq' : 'eq'}:value`);
  const [, field = '', dollar, op, value = ''] = match;
  if (dialect === 'v1' && dollar !== '$') throw new SandboxError(400, `v1 filters use $-operators: ${field}:$${op}:value`);
  return { field, op: op as 'eq' | 'ne' | 'in', value };
}

function readPath(item: Record<string, unknown>, path: string): unknown {
  let value: unknown = item;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function matches(value: unknown, wanted: string): boolean {
  if (value === undefined || value === null) return wanted === '' || wanted === 'null';
  return String(value) === wanted;
}

export function applyFilters<T extends object>(items: T[], filters: ListQuery['filters']): T[] {
  if (filters.length === 0) return items;
  return items.filter((item) =>
    filters.every((f) => {
      const value = readPath(item as Record<string, unknown>, f.field);
      if (f.op === 'eq') return matches(value, f.value);
      if (f.op === 'ne') return !matches(value, f.value);
      return f.value.split('|').some((v) => matches(value, v));
    }),
  );
}

export function applySort<T extends object>(items: T[], sort: string[]): T[] {
  if (sort.length === 0) return items;
  const keys = sort.map((s) => (s.startsWith('-') ? { field: s.slice(1), dir: -1 } : { field: s, dir: 1 }));
  return [...items].sort((a, b) => {
    for (const { field, dir } of keys) {
      const x = readPath(a as Record<string, unknown>, field);
      const y = readPath(b as Record<string, unknown>, field);
      if (x === y) continue;
      if (x === undefined || x === null) return -dir;
      if (y === undefined || y === null) return dir;
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    }
    return 0;
  });
}

export function project<T extends object>(item: T, fields: string[] | null, idField: string): Record<string, unknown> {
  if (!fields) return item as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const source = item as Record<string, unknown>;
  out[idField] = source[idField];
  for (const field of fields) if (field in source) out[field] = source[field];
  return out;
}
