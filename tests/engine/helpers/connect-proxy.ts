// Test helper: a real HTTP CONNECT proxy on loopback, with optional Basic authentication and a
// forced refusal status. It records every CONNECT target, the Proxy-Authorization headers and
// every byte a client sent it (the CONNECT head and the tunnelled stream), so a test can check
// what a proxy on the path could read.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface TestProxyOptions {
  /** Require `Proxy-Authorization: Basic base64(user:password)`. */
  credentials?: { username: string; password: string };
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuseWith?: number;
}

export interface TestProxy {
  url: string;
  port: number;
  /** `host:port` of each CONNECT, in order. */
  connects: string[];
  /** Proxy-Authorization values received ('' when absent). */
  authorizations: string[];
  /** Every byte clients sent through this proxy, tunnelled bytes included. */
  seen(): Buffer;
  /** Tunnels open now. */
  openTunnels(): number;
  options: TestProxyOptions;
  close(): Promise<void>;
}

export async function startConnectProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const connects: string[] = [];
  const authorizations: string[] = [];
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let tunnels = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(405, { Connection: 'close' });
    res.end('CONNECT only');
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const auth = req.headers['proxy-authorization'] ?? '';
    authorizations.push(auth);
    if (options.credentials) {
      const expected = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
      if (auth !== expected) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nProxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
    }
    if (options.refuseWith) {
      client.end(`HTTP/1.1 ${options.refuseWith} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const [host, port] = splitTarget(target);
    const upstream = net.connect({ host, port }, () => {
      tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('close', () => {
      tunnels = Math.max(0, tunnels - 1);
      done();
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', done);
    client.on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    authorizations,
    options,
    seen: () => Buffer.concat(chunks),
    openTunnels: () => tunnels,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function splitTarget(target: string): [string, number] {
  const at = target.lastIndexOf(':');
  return [target.slice(0, at).replace(/^\[|\]$/g, ''), Number(target.slice(at + 1))];
}
