// The sandbox server: HTTPS on loopback with its own CA, API key checks, fault injection, the
// public API subset, the agent channel and the admin surface, and the org persisted to
// DIR/state.json (atomic writes, shortly after each change and on close).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { AGENT_CHANNEL_PREFIX } from '../jumpcloud/agent-protocol';
import { addAdminRoutes, ADMIN_PREFIX } from './admin-routes';
import { addAgentRoutes } from './agent-routes';
import { addPublicRoutes } from './api-routes';
import { fieldViolationDetails, SandboxError } from './errors';
import { FaultInjector, omitField, type FaultRuleInput } from './faults';
import { writeFileAtomic } from './files';
import { ensureEngineFolder } from '../config/folder';
import { Router, type RouteResult } from './router';
import { applySeed, type SeedName } from './seed';
import { SandboxStore, type StateFile, type StoreOptions } from './store';
import { ensureTlsMaterial } from './tls';

export interface SandboxOptions extends Omit<StoreOptions, 'now'> {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Used only when DIR holds no state yet. */
  seed?: SeedName;
  /** Clock for connect-key expiry and agent liveness (tests pass a fake one). */
  now?: () => number;
  faults?: FaultRuleInput[];
  /** Random source of rate-based faults (tests pass a seeded one). */
  faultRandom?: () => number;
  /** Delay before a change is written to state.json. */
  saveDelayMs?: number;
  /** One line per request (method, path, status, ms), for --verbose. */
  accessLog?: (line: string) => void;
  /**
   * Read the API key from this file (a rehearsal's own key, or a test's canary) instead of
   * making DIR/apikey.secret. A file, never a flag value: keys stay out of argv.
   */
  apiKeyFile?: string;
}

/** What the sandbox prints on start (one JSON line): where it is, never a secret. */
interface SandboxAnnouncement {
  url: string;
  caFile: string;
  apiKeyFile: string;
  orgId: string;
  pid: number;
  dataDir: string;
}

export interface RunningSandbox extends SandboxAnnouncement {
  caPem: string;
  apiKey: string;
  store: SandboxStore;
  faults: FaultInjector;
  seeded: SeedName | null;
  announcement(): SandboxAnnouncement;
  /** Writes state.json now. */
  flush(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const dataDir = resolve(options.dataDir);
  // Its own folder, fully checked: it holds the sandbox's API key and its CA's key.
  ensureEngineFolder(dataDir, "sandbox's data folder", { full: true });
  const host = options.host ?? '127.0.0.1';
  const tls = ensureTlsMaterial(dataDir, host);

  const apiKeyFile = options.apiKeyFile === undefined ? join(dataDir, 'apikey.secret') : resolve(options.apiKeyFile);
  if (options.apiKeyFile === undefined && !existsSync(apiKeyFile)) writeFileAtomic(apiKeyFile, `jcsb_${randomBytes(30).toString('base64url')}\n`, 0o600);
  const apiKey = readApiKey(apiKeyFile);

  let clockOffsetMs = 0;
  const baseClock = options.now ?? Date.now;
  const store = new SandboxStore({ ...options, now: () => baseClock() + clockOffsetMs });
  const stateFile = join(dataDir, 'state.json');
  let seeded: SeedName | null = null;
  if (existsSync(stateFile)) {
    store.load(JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile);
  } else {
    seeded = options.seed ?? 'empty';
    applySeed(store, seeded);
  }
  const flush = () => writeFileAtomic(stateFile, JSON.stringify(store.snapshot()), 0o600);
  if (seeded) flush();

  let saveTimer: NodeJS.Timeout | null = null;
  store.events.on('change', () => {
    if (saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = null;
      flush();
    }, options.saveDelayMs ?? 250);
  });

  const faults = new FaultInjector(options.faultRandom);
  for (const rule of options.faults ?? []) faults.add(rule);

  const router = new Router();
  addPublicRoutes(router, store);
  addAgentRoutes(router, store);
  addAdminRoutes(router, {
    store,
    faults,
    advanceClock: (ms) => {
      clockOffsetMs += ms;
      store.events.emit('change');
    },
    clockOffsetMs: () => clockOffsetMs,
  });
  router.on('GET', '/sandbox/health', () => ({ status: 200, body: { ok: true } }));

  const closing = new AbortController();
  const sockets = new Set<Socket>();
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const apiKeyBuffer = Buffer.from(apiKey, 'utf8');
  function checkApiKey(req: IncomingMessage): void {
    const given = req.headers['x-api-key'];
    const ok = typeof given === 'string' && given.length === apiKey.length && timingSafeEqual(Buffer.from(given, 'utf8'), apiKeyBuffer);
    if (!ok) throw new SandboxError(401, 'Unauthorized: the API key is missing or not valid');
    const orgId = req.headers['x-org-id'];
    if (orgId !== undefined) {
      if (typeof orgId !== 'string' || !/^[0-9a-f]{24}$/i.test(orgId)) throw new SandboxError(400, 'Malformed x-org-id');
      if (orgId !== store.org._id) throw new SandboxError(404, 'Organization ID Not Found');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
    const path = url.pathname;
    const callAborted = new AbortController();
    const abortCall = () => callAborted.abort();
    res.on('close', abortCall);
    closing.signal.addEventListener('abort', abortCall, { once: true });
    let status = 500;
    try {
      const decision = faults.decide(method, path);
      if (decision.latencyMs > 0) await delay(decision.latencyMs, callAborted.signal);
      if (decision.action?.kind === 'drop') {
        status = 0;
        req.socket.destroy();
        return;
      }
      if (decision.action?.kind === 'status') {
        const { action } = decision;
        const text = action.message ?? (action.status === 429 ? 'Too Many Requests' : 'Internal Server Error (injected fault)');
        const err = new SandboxError(action.status, text, null, action.fieldViolations ? fieldViolationDetails(action.fieldViolations) : {});
        status = err.status;
        send(res, err.status, err.body(), decision.action.retryAfter ? { 'Retry-After': decision.action.retryAfter } : {});
        return;
      }
      if (path.startsWith('/api/') || path.startsWith('/insights/') || path.startsWith(`${ADMIN_PREFIX}/`)) checkApiKey(req);
      const body = await readBody(req);
      const { handler, params } = router.match(method, path);
      const result: RouteResult = await handler({ params, query: url.searchParams, body, req, signal: callAborted.signal });
      status = result.status;
      const payload = decision.action?.kind === 'omitField' ? omitField(result.body, decision.action.field) : result.body;
      send(res, result.status, payload, result.headers ?? {});
    } catch (err) {
      const failure = err instanceof SandboxError ? err : new SandboxError(500, `Internal sandbox error: ${(err as Error).message}`);
      status = failure.status;
      send(res, failure.status, failure.body(), {});
    } finally {
      closing.signal.removeEventListener('abort', abortCall);
      options.accessLog?.(`${method} ${path}${path.startsWith(AGENT_CHANNEL_PREFIX) ? '' : url.search} ${status || 'dropped'} ${Date.now() - started}ms`);
    }
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${host}]` : host;
  const announcement: SandboxAnnouncement = {
    url: `https://${urlHost}:${address.port}`,
    caFile: tls.caFile,
    apiKeyFile,
    orgId: store.org._id,
    pid: process.pid,
    dataDir,
  };

  let closed: Promise<void> | null = null;
  return {
    ...announcement,
    caPem: tls.caPem,
    apiKey,
    store,
    faults,
    seeded,
    announcement: () => ({ ...announcement }),
    flush,
    close() {
      closed ??= new Promise<void>((resolveClose) => {
        closing.abort();
        if (saveTimer) clearTimeout(saveTimer);
        saveTimer = null;
        server.close(() => resolveClose());
        for (const socket of sockets) socket.destroy();
        flush();
      });
      return closed;
    },
  };
}

/** The key in `file`: one line of 16–256 visible ASCII characters (what an x-api-key header can carry). */
export function readApiKey(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the API key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const key = text.trim();
  // The key itself is never part of the message.
  if (!/^[\x21-\x7e]{16,256}$/.test(key)) throw new Error(`the API key file ${file} must hold one key of 16 to 256 visible ASCII characters`);
  return key;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.destroyed || res.headersSent) return; // the caller left (or the sandbox is closing)
  const text = body === undefined || status === 204 ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new SandboxError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SandboxError(400, 'The request body is not valid JSON');
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveDelay) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveDelay();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
