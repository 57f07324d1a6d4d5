// Fault injection: latency, error statuses (429 with Retry-After, 500, 503...), dropped
// connections and broken response shapes, each by rate (a share of matching calls) or on a
// schedule (the next N matching calls). Set at start (`--fault`) or through the admin API.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { SandboxError } from './errors';

export const faultRuleSchema = z
  .strictObject({
    kind: z.enum(['latency', 'status', 'drop', 'omitField']),
    /** Share of matching calls hit, 0–1. */
    rate: z.number().min(0).max(1).optional(),
    /** Hit the next N matching calls, then stop. */
    count: z.number().int().min(1).optional(),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    /** Retry-After header value sent with the status (seconds, or an HTTP date). */
    retryAfter: z.string().min(1).max(64).optional(),
    /** status: the body's message instead of the default (e.g. JumpCloud's "Password validation fail"). */
    message: z.string().min(1).max(512).optional(),
    /**
     * status: field violations in the body, as JumpCloud sends them with a 400 (a google.rpc.BadRequest
     * entry of `details` with `fieldViolationsList`; docs/jumpcloud-errors.md).
     */
    fieldViolations: z
      .array(z.strictObject({ field: z.string().max(128), description: z.string().max(256) }))
      .min(1)
      .max(20)
      .optional(),
    /** omitField: the field removed from every object in the answer (`username`, `results`...). */
    field: z.string().min(1).max(128).optional(),
    /** Path prefix the rule applies to; default: the public API (/api and /insights). */
    path: z.string().startsWith('/').max(512).optional(),
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
  })
  .refine((r) => r.rate !== undefined || r.count !== undefined, { message: 'give rate (0–1) or count (next N calls)', path: ['rate'] })
  .refine((r) => r.kind !== 'omitField' || r.field !== undefined, { message: 'omitField needs field', path: ['field'] })
  .refine((r) => r.kind !== 'latency' || r.latencyMs !== undefined, { message: 'latency needs latencyMs', path: ['latencyMs'] });
export type FaultRuleInput = z.infer<typeof faultRuleSchema>;

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Calls this rule hit so far. */
  hits: number;
}

type FaultAction =
  | { kind: 'status'; status: number; retryAfter: string | undefined; message?: string; fieldViolations?: Array<{ field: string; description: string }> }
  | { kind: 'drop' }
  | { kind: 'omitField'; field: string };

export interface FaultDecision {
  latencyMs: number;
  action: FaultAction | null;
}

const PUBLIC_PREFIXES = ['/api/', '/insights/'];

export class FaultInjector {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: randomBytes(4).toString('hex'), hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  replace(inputs: FaultRuleInput[]): FaultRule[] {
    this.rules = [];
    return inputs.map((input) => this.add(input));
  }

  remove(id: string): void {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    if (this.rules.length === before) throw new SandboxError(404, `No fault rule ${id}`);
  }

  clear(): void {
    this.rules = [];
  }

  /** Decides what happens to one call. Latency rules add up; the first other rule that fires wins. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, action: null };
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method) continue;
      if (rule.path ? !path.startsWith(rule.path) : !PUBLIC_PREFIXES.some((p) => path.startsWith(p))) continue;
      if (rule.kind !== 'latency' && decision.action) continue;
      if (!this.fires(rule)) continue;
      rule.hits++;
      if (rule.kind === 'latency') decision.latencyMs += rule.latencyMs ?? 0;
      else if (rule.kind === 'drop') decision.action = { kind: 'drop' };
      else if (rule.kind === 'omitField') decision.action = { kind: 'omitField', field: rule.field as string };
      else {
        decision.action = {
          kind: 'status',
          status: rule.status ?? 500,
          retryAfter: rule.retryAfter,
          ...(rule.message ? { message: rule.message } : {}),
          ...(rule.fieldViolations ? { fieldViolations: rule.fieldViolations } : {}),
        };
      }
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.count > 0);
    return decision;
  }

  private fires(rule: FaultRule): boolean {
    if (rule.count !== undefined) {
      if (rule.count <= 0) return false;
      if (rule.rate !== undefined && this.random() >= rule.rate) return false;
      rule.count--;
      return true;
    }
    return this.random() < (rule.rate ?? 0);
  }
}

/**
 * Parses a `--fault` flag: `KIND[:key=value,...]`, where KIND is latency, drop, omitField,
 * status, or a status code as shorthand (`429:rate=0.2,retryAfter=1`, `500:count=3`,
 * `latency:latencyMs=200,rate=1`, `omitField:field=username,count=1,path=/api/systemusers`).
 */
export function parseFaultFlag(text: string): FaultRuleInput {
  const [head = '', tail = ''] = splitOnce(text, ':');
  const raw: Record<string, unknown> = {};
  if (/^\d{3}$/.test(head)) {
    raw.kind = 'status';
    raw.status = Number(head);
  } else {
    raw.kind = head;
  }
  for (const pair of tail ? tail.split(',') : []) {
    const [key = '', value = ''] = splitOnce(pair, '=');
    raw[key] = ['rate', 'count', 'latencyMs', 'status'].includes(key) ? Number(value) : value;
  }
  const parsed = faultRuleSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`--fault '${text}': ${parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** Removes `field` from every object in a JSON value (the broken-shape fault). */
export function omitField(value: unknown, field: string): unknown {
  if (Array.isArray(value)) return value.map((v) => omitField(v, field));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (key !== field) out[key] = omitField(inner, field);
    return out;
  }
  return value;
}
