// One HTTPS transport for the public API and the agent channel: axios with TLS verification
// always on, a timeout on every call, retries with backoff, JSON parsing and zod validation.
// Credentials live in private fields and per-call headers only: no axios default, no error,
// no log line and no util.inspect of this object shows them.
import https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
// Before axios: it would load Node's fetch implementation for nothing (./web-globals.ts).
import { restoreWebGlobals } from './web-globals';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { EngineError } from '../errors';
import { ENGINE_VERSION } from '../version';
import {
  cancelledError,
  httpStatusError,
  responseTooLargeError,
  JumpCloudSchemaError,
  networkError,
  proxyError,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_PROXY_STATUSES,
  type Endpoint,
} from './errors';
import { proxyAuthorization, ProxyTunnelAgent, ProxyTunnelError, type ProxySettings } from './proxy';
import { abortableSleep, backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retry';
import { describeViolations, fieldViolationsOf, type FieldViolation } from './error-details';
import { errorBodySchema } from './schemas';

restoreWebGlobals();

type ClientLogLevel = 'debug' | 'verbose' | 'info' | 'warning';
export type ClientLog = (level: ClientLogLevel, message: string, meta?: Record<string, unknown>) => void;

export interface TransportOptions {
  /** Origin the relative paths hang off, e.g. https://console.jumpcloud.com (no trailing slash). */
  baseUrl: string;
  /** Extra trusted CA (PEM). Added to the public roots; verification is never switched off. */
  ca?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  log?: ClientLog;
  signal?: AbortSignal;
  /** Sockets kept per host; the paging generators use two at most. */
  maxSockets?: number;
  /** An HTTP proxy to tunnel through (CONNECT); null or absent: direct. */
  proxy?: ProxySettings | null;
  /** The largest response body accepted (default MAX_RESPONSE_BYTES); a larger one fails with JumpCloud.ResponseTooLarge. */
  maxResponseBytes?: number;
}

/**
 * The largest JumpCloud answer read (64 MiB): far above any page the engine asks for (100 users,
 * a Directory Insights page), so only a broken or hostile endpoint reaches it, and the engine
 * stops reading instead of filling its memory.
 */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  /** A path under baseUrl (`/api/systemusers`) or an absolute https URL (Directory Insights). */
  path: string;
  /** Arrays become repeated parameters (`filter=a&filter=b`). */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  /** Safe to repeat after an unknown outcome (network error, 500). GET/PUT/DELETE are. */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
  endpoint: Endpoint;
}

const MAX_SERVER_MESSAGE = 300;

export class HttpTransport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #axios: AxiosInstance;
  readonly #agent: https.Agent;
  readonly #authHeaders: () => Record<string, string>;
  readonly #secrets: string[];
  readonly #policy: RetryPolicy;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #log: ClientLog;
  readonly #signal: AbortSignal | undefined;
  readonly maxResponseBytes: number;

  /** `authHeaders` is called per request; `secrets` are scrubbed from any server text we repeat. */
  constructor(options: TransportOptions, authHeaders: () => Record<string, string>, secrets: string[]) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#authHeaders = authHeaders;
    const proxy = options.proxy ?? null;
    const proxySecrets = proxy?.password ? [proxy.password, (proxyAuthorization(proxy) as string).slice('Basic '.length)] : [];
    this.#secrets = [...secrets, ...proxySecrets].filter((s) => s.length >= 4);
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#sleep = options.sleep ?? abortableSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? (() => undefined);
    this.#signal = options.signal;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const agentOptions: https.AgentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 4,
      // One secure context, built once: passing `ca` itself would make the agent rebuild its
      // pool key from ~140 root certificates on every request (milliseconds each).
      ...(options.ca ? { secureContext: createSecureContext({ ca: [...rootCertificates, options.ca] }) } : {}),
    };
    // Through a proxy the same agent tunnels: TLS, trust and pooling stay as they are. The CONNECT
    // wait ends a little before the request's timeout, so a silent proxy is named as such.
    this.#agent = proxy ? new ProxyTunnelAgent(agentOptions, proxy, Math.max(100, Math.floor(this.timeoutMs * 0.9))) : new https.Agent(agentOptions);
    this.#axios = axios.create({
      httpsAgent: this.#agent,
      // axios' own proxy support sends https requests to the proxy in the clear; never use it.
      proxy: false,
      maxRedirects: 0,
      // Stops reading past the limit (the http adapter destroys the stream) instead of buffering it.
      maxContentLength: this.maxResponseBytes,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      paramsSerializer: { indexes: null },
      headers: { Accept: 'application/json', 'User-Agent': `jcadi-engine/${ENGINE_VERSION}` },
    });
  }

  /** Sends with retries and validates the JSON body against `schema`. */
  async json<S extends z.ZodType>(request: TransportRequest, schema: S): Promise<{ data: z.infer<S>; response: TransportResponse }> {
    const response = await this.send(request);
    return { data: validate(schema, response.body, response.endpoint), response };
  }

  /** Sends with retries; resolves with a 2xx/3xx response, throws an EngineError otherwise. */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const url = /^https:\/\//.test(request.path) ? request.path : `${this.baseUrl}${request.path}`;
    const endpoint: Endpoint = `${request.method} ${new URL(url).pathname}`;
    const idempotent = request.idempotent ?? request.method !== 'POST';
    const signal = request.signal ?? this.#signal;
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const started = this.#now();

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelledError(endpoint);
      let response: AxiosResponse<string> | null = null;
      let failure: { code: string | undefined; timedOut: boolean; proxy: ProxyTunnelError | null } | null = null;
      const sentAt = this.#now();
      try {
        response = await this.#axios.request<string>({
          method: request.method,
          url,
          params: request.query,
          data: request.body === undefined ? undefined : JSON.stringify(request.body),
          headers: { ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...this.#authHeaders() },
          timeout: timeoutMs,
          signal,
        });
      } catch (err) {
        // Read the facts, drop the error: its config holds the request headers.
        const code = readCode(err);
        if (code === 'ERR_CANCELED' || signal?.aborted) throw cancelledError(endpoint);
        if (isTooLarge(err)) throw responseTooLargeError(endpoint, this.maxResponseBytes);
        const proxy = proxyFailureOf(err);
        failure = { code, timedOut: !proxy && (code === 'ECONNABORTED' || code === 'ETIMEDOUT'), proxy };
      }

      let final: EngineError;
      let retryAfterMs: number | null = null;
      let retryable: boolean;
      let what: string;
      if (response) {
        const status = response.status;
        this.#log('debug', `${endpoint} → ${status} in ${this.#now() - sentAt} ms`, { attempt });
        if (status < 400) return { status, headers: flatHeaders(response.headers), body: parseBody(response.data, status, endpoint), endpoint };
        const { message, error, violations } = this.#serverMessage(response.data);
        final = httpStatusError(status, endpoint, message, error, violations);
        retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), this.#now());
        retryable = status === 429 || status === 502 || status === 503 || status === 504 || (status >= 500 && idempotent);
        what = `answered ${status}`;
      } else if (failure?.proxy) {
        // The request never reached JumpCloud. A proxy that cannot reach it (502-504) may recover;
        // a dead proxy, refused credentials or a refused CONNECT fail at once.
        const p = failure.proxy;
        final = proxyError(p, endpoint);
        retryable = p.kind === 'refused' && p.status !== null && RETRYABLE_PROXY_STATUSES.has(p.status);
        what = `failed at the proxy ${p.proxy} (${p.status ?? p.socketCode ?? p.kind})`;
      } else {
        const f = failure as { code: string | undefined; timedOut: boolean };
        final = networkError(f.code, endpoint, this.baseUrl, f.timedOut ? timeoutMs : null);
        // A refused connection never reached the service; anything else may have.
        retryable = f.code !== undefined && RETRYABLE_NETWORK_CODES.has(f.code) && (idempotent || f.code === 'ECONNREFUSED');
        what = f.timedOut ? `timed out after ${timeoutMs} ms` : `failed (${f.code ?? 'network error'})`;
      }

      if (!retryable) throw final;
      if (retryAfterMs !== null && retryAfterMs > this.#policy.maxRetryAfterMs) {
        this.#log(
          'warning',
          `${endpoint} ${what} with Retry-After ${Math.round(retryAfterMs / 1000)} s, longer than the ${this.#policy.maxRetryAfterMs / 1000} s this engine waits.`,
        );
        throw final;
      }
      const delay = Math.max(backoffDelay(attempt, this.#policy, this.#random), retryAfterMs ?? 0);
      const elapsed = this.#now() - started;
      if (attempt >= this.#policy.maxAttempts || elapsed + delay > this.#policy.maxElapsedMs) {
        this.#log('warning', `${endpoint} ${what}; giving up after ${attempt} attempts in ${elapsed} ms.`);
        throw final;
      }
      this.#log('verbose', `${endpoint} ${what}; retrying in ${delay} ms (attempt ${attempt + 1} of ${this.#policy.maxAttempts}).`, {
        retryAfterMs,
      });
      try {
        await this.#sleep(delay, signal);
      } catch {
        throw cancelledError(endpoint);
      }
    }
  }

  /** Frees the kept-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  #scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join('***');
    return out;
  }

  #serverMessage(raw: string | undefined): { message: string | null; error: string | null; violations: FieldViolation[] } {
    if (!raw) return { message: null, error: null, violations: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { message: this.#scrub(raw.slice(0, MAX_SERVER_MESSAGE)).trim() || null, error: null, violations: [] };
    }
    const body = errorBodySchema.safeParse(parsed);
    if (!body.success) return { message: null, error: null, violations: [] };
    const message = body.data.message ? this.#scrub(body.data.message.slice(0, MAX_SERVER_MESSAGE)) : null;
    const error = body.data.error && /^[A-Za-z][A-Za-z0-9]{1,63}$/.test(body.data.error) ? body.data.error : null;
    // Scrubbed like the message: a service may echo what it was sent.
    const violations = fieldViolationsOf(parsed).map((v) => ({ field: this.#scrub(v.field), description: this.#scrub(v.description) }));
    if (violations.length > 0) this.#log('verbose', `JumpCloud named field violations: ${describeViolations(violations)}`);
    return { message, error, violations };
  }
}

export function validate<S extends z.ZodType>(schema: S, body: unknown, endpoint: Endpoint): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const fieldPath = issue ? issue.path.map(String).join('.') : '';
  throw new JumpCloudSchemaError(endpoint, fieldPath, issue?.message ?? 'invalid');
}

/** The tunnel failure behind an axios error (its cause), if that is what it was. */
function proxyFailureOf(err: unknown): ProxyTunnelError | null {
  if (err instanceof ProxyTunnelError) return err;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof ProxyTunnelError ? cause : null;
}

/** axios' report of a body past maxContentLength (its message is the only mark it leaves). */
function isTooLarge(err: unknown): boolean {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /maxContentLength size of -?\d+ exceeded/.test(message);
}

function readCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function parseBody(text: string | undefined, status: number, endpoint: Endpoint): unknown {
  if (text === undefined || text === '' || status === 204) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new JumpCloudSchemaError(endpoint, '', `the body is not JSON (${text.length} characters starting '${text.slice(0, 40).replace(/\s+/g, ' ')}')`);
  }
}

function headerValue(headers: AxiosResponse['headers'], name: string): string | undefined {
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return value.map(String).join(', ');
  return value === undefined || value === null ? undefined : String(value);
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(headers as Record<string, unknown>)) out[key.toLowerCase()] = headerValue(headers, key);
  return out;
}
