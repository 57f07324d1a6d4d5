// HTTPS to JumpCloud through an HTTP proxy: each new connection is an HTTP CONNECT tunnel, and
// TLS runs end to end inside it, verified against the transport's own trust (the proxy sees the
// target host:port and opaque bytes). One https.Agent does it all, so the secure context is built
// once and kept-alive sockets are pooled as without a proxy. Hosts on the bypass list connect
// directly. Proxy credentials go only into the CONNECT request's Proxy-Authorization header.
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** A proxy as the transport uses it; `password` is the clear secret, in memory only. */
export interface ProxySettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Host patterns that connect directly: `name` (and its subdomains), `*.suffix`, `.suffix`, `*`. */
  bypass: string[];
}

export type ProxyFailureKind = 'unreachable' | 'auth' | 'refused';

/** Why a tunnel could not be opened: plain facts, never the credentials. */
export class ProxyTunnelError extends Error {
  readonly kind: ProxyFailureKind;
  /** `host:port` of the proxy. */
  readonly proxy: string;
  /** `host:port` the tunnel was asked for. */
  readonly target: string;
  readonly status: number | null;
  readonly socketCode: string | null;
  /** Authentication schemes the proxy offered on a 407 (Basic, NTLM, Negotiate, ...). */
  readonly offeredSchemes: string[];
  readonly credentialsGiven: boolean;

  constructor(
    kind: ProxyFailureKind,
    facts: {
      proxy: string;
      target: string;
      status?: number | null;
      socketCode?: string | null;
      offeredSchemes?: string[];
      credentialsGiven: boolean;
      reason: string;
    },
  ) {
    super(`proxy ${facts.proxy}: ${facts.reason}`);
    this.name = 'ProxyTunnelError';
    this.kind = kind;
    this.proxy = facts.proxy;
    this.target = facts.target;
    this.status = facts.status ?? null;
    this.socketCode = facts.socketCode ?? null;
    this.offeredSchemes = facts.offeredSchemes ?? [];
    this.credentialsGiven = facts.credentialsGiven;
  }

  /** Keeps the axios error's `code` meaningful (it copies ours). */
  get code(): string {
    return `ERR_PROXY_${this.kind.toUpperCase()}`;
  }
}

/** True when `host` matches one of the bypass patterns (case-insensitive; no ports). */
export function bypassesProxy(host: string, patterns: readonly string[]): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  for (const raw of patterns) {
    const pattern = raw.trim().toLowerCase().replace(/\.$/, '');
    if (pattern === '') continue;
    if (pattern === '*') return true;
    const suffix = pattern.replace(/^\*?\./, '');
    if (name === suffix || name.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

/** `Basic base64(user:password)`, or null without a user name. */
export function proxyAuthorization(settings: Pick<ProxySettings, 'username' | 'password'>): string | null {
  if (settings.username === undefined) return null;
  return `Basic ${Buffer.from(`${settings.username}:${settings.password ?? ''}`, 'utf8').toString('base64')}`;
}

/** The CONNECT request head for `target` (host:port). */
export function connectRequestHead(target: string, authorization: string | null): string {
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`, 'Proxy-Connection: keep-alive'];
  if (authorization) lines.push(`Proxy-Authorization: ${authorization}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface ConnectResponse {
  status: number;
  /** Schemes named by Proxy-Authenticate headers. */
  offeredSchemes: string[];
  /** Bytes after the head (the start of the tunnelled stream, normally none). */
  rest: Buffer;
}

/** Reads the proxy's answer head once it is complete; null while more bytes are needed. */
export function parseConnectResponse(buffer: Buffer): ConnectResponse | null {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  const offeredSchemes = lines
    .slice(1)
    .map((line) => /^proxy-authenticate:\s*([A-Za-z0-9_-]+)/i.exec(line)?.[1])
    .filter((scheme): scheme is string => scheme !== undefined);
  return { status: statusLine ? Number(statusLine[1]) : 0, offeredSchemes, rest: buffer.subarray(end + 4) };
}

/** A proxy answer larger than this is not a CONNECT answer. */
const MAX_CONNECT_HEAD = 16 * 1024;

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;
type HttpsCreateConnection = (this: https.Agent, options: https.RequestOptions & { socket?: net.Socket }) => Duplex;

/**
 * An https.Agent that reaches non-bypassed hosts through a CONNECT tunnel. TLS to the target is
 * set up by https.Agent itself over the tunnel (same secure context, servername, session cache).
 */
export class ProxyTunnelAgent extends https.Agent {
  readonly #proxy: ProxySettings;
  readonly #authorization: string | null;
  readonly #connectTimeoutMs: number;

  constructor(agentOptions: https.AgentOptions, proxy: ProxySettings, connectTimeoutMs: number) {
    super(agentOptions);
    this.#proxy = proxy;
    this.#authorization = proxyAuthorization(proxy);
    this.#connectTimeoutMs = connectTimeoutMs;
  }

  /** `host:port` of the proxy, for messages. */
  get proxyAddress(): string {
    return formatHostPort(this.#proxy.host, this.#proxy.port);
  }

  // Called by http.Agent with the request's options; a callback makes the connection asynchronous.
  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback): Duplex | undefined {
    const direct = (https.Agent.prototype as unknown as { createConnection: HttpsCreateConnection }).createConnection;
    const host = String(options.host ?? 'localhost');
    const port = Number(options.port ?? 443);
    if (bypassesProxy(host, this.#proxy.bypass)) return direct.call(this, options);
    this.#tunnel(formatHostPort(host, port)).then(
      (socket) => {
        let tls: Duplex;
        try {
          tls = direct.call(this, { ...options, socket });
        } catch (err) {
          socket.destroy();
          callback?.(err as Error, socket);
          return;
        }
        callback?.(null, tls);
      },
      // Node's agent reads only the error when there is one.
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }

  #tunnel(target: string): Promise<net.Socket> {
    const proxy = this.proxyAddress;
    const credentialsGiven = this.#authorization !== null;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.#proxy.host, port: this.#proxy.port });
      let received = Buffer.alloc(0);
      let settled = false;
      const fail = (kind: ProxyFailureKind, facts: { status?: number; socketCode?: string; offeredSchemes?: string[]; reason: string }) => {
        if (settled) return;
        settled = true;
        cleanup();
        socket.destroy();
        reject(new ProxyTunnelError(kind, { proxy, target, credentialsGiven, ...facts }));
      };
      const onError = (err: NodeJS.ErrnoException) =>
        fail('unreachable', { socketCode: err.code ?? 'ECONNRESET', reason: `cannot connect (${err.code ?? 'network error'})` });
      const onClose = () => fail('unreachable', { socketCode: 'ECONNRESET', reason: 'closed the connection before answering CONNECT' });
      const onTimeout = () => fail('unreachable', { socketCode: 'ETIMEDOUT', reason: `no answer to CONNECT within ${this.#connectTimeoutMs} ms` });
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const answer = parseConnectResponse(received);
        if (!answer) {
          if (received.length > MAX_CONNECT_HEAD) fail('refused', { reason: 'answered CONNECT with something that is not HTTP' });
          return;
        }
        if (answer.status === 200) {
          settled = true;
          cleanup();
          socket.setTimeout(0);
          socket.pause();
          if (answer.rest.length > 0) socket.unshift(answer.rest);
          resolve(socket);
          return;
        }
        if (answer.status === 407) {
          fail('auth', { status: 407, offeredSchemes: answer.offeredSchemes, reason: 'answered 407 (proxy authentication required)' });
          return;
        }
        fail('refused', {
          status: answer.status,
          reason: answer.status ? `refused CONNECT with ${answer.status}` : 'answered CONNECT with something that is not HTTP',
        });
      };
      const cleanup = () => {
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        socket.removeListener('timeout', onTimeout);
        socket.removeListener('data', onData);
      };
      socket.setTimeout(this.#connectTimeoutMs);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.on('timeout', onTimeout);
      socket.on('data', onData);
      socket.write(connectRequestHead(target, this.#authorization));
    });
  }
}

function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
