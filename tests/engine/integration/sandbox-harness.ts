// Test harness: a sandbox in this process on an ephemeral loopback port (HTTPS with its own CA),
// a client that trusts that CA (verification on), and a raw admin call helper.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudClient, type JumpCloudClientOptions } from '../../../engine/src/jumpcloud/client';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../../engine/src/sandbox/server';

export interface TestSandbox extends RunningSandbox {
  client(options?: Partial<JumpCloudClientOptions>): JumpCloudClient;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>;
  /** Calls `/sandbox/admin${path}`, asserts a status below 300, and returns the body. */
  admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ dataDir: mkdtempSync(join(tmpdir(), 'jcadi-sandbox-')), port: 0, seed: 'empty', saveDelayMs: 20, ...options });
  const closeSandbox = sandbox.close;
  const clients: JumpCloudClient[] = [];
  const agent = new https.Agent({ ca: sandbox.caPem, keepAlive: true });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        `${sandbox.url}${path}`,
        {
          method,
          agent,
          headers: { 'x-api-key': sandbox.apiKey, ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw ? JSON.parse(raw) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  return Object.assign(sandbox, {
    client(extra: Partial<JumpCloudClientOptions> = {}) {
      const client = new JumpCloudClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, ca: sandbox.caPem, timeoutMs: 10_000, ...extra });
      clients.push(client);
      return client;
    },
    call,
    async admin(method: string, path: string, body?: unknown) {
      const res = await call(method, `/sandbox/admin${path}`, body);
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, unknown>;
    },
    close: async () => {
      for (const c of clients) c.close();
      agent.destroy();
      await closeSandbox();
    },
  });
}
