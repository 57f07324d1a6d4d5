// The JumpCloud client through a real HTTP CONNECT proxy on loopback, in front of the sandbox:
// the proxy sees only CONNECT host:port and opaque TLS (never the API key), tunnels are pooled
// (keep-alive), Basic credentials work and a 407 / 403 / dead proxy give their own errors fast,
// the bypass list goes direct, and the proxy password appears in no protocol or log line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import { EngineError } from '../../../engine/src/errors';
import type { ProxySettings } from '../../../engine/src/jumpcloud/proxy';
import { deadPort, startConnectProxy, type TestProxy } from '../helpers/connect-proxy';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const PROXY_USER = 'svc-proxy';
const PROXY_PASSWORD = 'Proxy-Canary-Pw-4d2f8a';
const fastRetry = { baseDelayMs: 2, maxDelayMs: 10, maxAttempts: 3 };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

const via = (proxy: TestProxy, extra: Partial<ProxySettings> = {}): ProxySettings => ({ host: '127.0.0.1', port: proxy.port, bypass: [], ...extra });

describe('jumpcloud client through an HTTP CONNECT proxy', () => {
  let sb: TestSandbox;
  let open: TestProxy;
  let authed: TestProxy;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-proxy-'));
  const sandboxTarget = () => new URL(sb.url).host;

  before(async () => {
    sb = await startTestSandbox();
    assert.equal((await sb.call('POST', '/sandbox/admin/users/generate', { count: 250 })).status, 201);
    open = await startConnectProxy();
    authed = await startConnectProxy({ credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
  });
  after(async () => {
    await open?.close();
    await authed?.close();
    await sb?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists users through the tunnel; the proxy sees CONNECT host:port and TLS, never the API key', async () => {
    const before = open.connects.length;
    const client = sb.client({ proxy: via(open) });
    const users = await collect(client.listUsers());
    assert.equal(users.length, 250);
    assert.equal(await client.countUsers(), 250);
    const connects = open.connects.slice(before);
    assert.ok(connects.length >= 1, 'the calls went through the proxy');
    assert.ok(
      connects.every((t) => t === sandboxTarget()),
      connects.join(','),
    );
    const seen = open.seen();
    assert.ok(seen.includes(`CONNECT ${sandboxTarget()} HTTP/1.1`));
    assert.ok(!seen.includes(sb.apiKey), 'the API key never crossed the proxy in clear');
    assert.ok(!seen.includes('x-api-key') && !seen.includes('/api/systemusers'), 'no HTTP request line or header in clear');
    // Keep-alive: 4 pages and a count over at most the agent's sockets, not a tunnel per call.
    assert.ok(connects.length <= 2, `tunnels are pooled: ${connects.length} CONNECTs for 4 calls`);
  });

  it('keeps verifying TLS end to end: without the sandbox CA the tunnel opens, TLS fails', async () => {
    const client = sb.client({ proxy: via(open), ca: undefined, retry: fastRetry });
    const err = await rejection(client.countUsers());
    assert.equal(err.id, 'JumpCloud.Unreachable');
    assert.equal(err.category, 'SecurityError');
  });

  it('authenticates with Basic credentials', async () => {
    const client = sb.client({ proxy: via(authed, { username: PROXY_USER, password: PROXY_PASSWORD }) });
    assert.equal(await client.countUsers(), 250);
    assert.equal(authed.authorizations.at(-1), `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`);
  });

  it('gives ProxyAuthFailed (exit 4) on 407, without retrying and without the password', async () => {
    const calls = authed.connects.length;
    const wrong = await rejection(sb.client({ proxy: via(authed, { username: PROXY_USER, password: 'Wrong-Password-99' }), retry: fastRetry }).countUsers());
    assert.equal(wrong.id, 'JumpCloud.ProxyAuthFailed');
    assert.equal(wrong.exitCode, 4);
    assert.match(wrong.message, new RegExp(`127\\.0\\.0\\.1:${authed.port} refused the proxy credentials \\(407\\).*offers Basic, NTLM`));
    assert.equal(authed.connects.length, calls + 1, 'a 407 is not retried');
    const none = await rejection(sb.client({ proxy: via(authed), retry: fastRetry }).countUsers());
    assert.equal(none.id, 'JumpCloud.ProxyAuthFailed');
    assert.match(none.message, /none were given/);
    for (const err of [wrong, none]) assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes('Wrong-Password-99'));
  });

  it('gives ProxyUnreachable (exit 3) quickly for a dead proxy, naming host:port', async () => {
    const port = await deadPort();
    const started = Date.now();
    const err = await rejection(sb.client({ proxy: { host: '127.0.0.1', port, bypass: [], username: PROXY_USER, password: PROXY_PASSWORD } }).countUsers());
    const elapsed = Date.now() - started;
    assert.equal(err.id, 'JumpCloud.ProxyUnreachable');
    assert.equal(err.exitCode, 3);
    assert.equal(err.target, `127.0.0.1:${port}`);
    assert.match(err.message, new RegExp(`Cannot reach the proxy 127\\.0\\.0\\.1:${port} for GET /api/systemusers: cannot connect \\(ECONNREFUSED\\)`));
    assert.ok(!err.message.includes(PROXY_PASSWORD) && !err.message.includes(PROXY_USER));
    assert.ok(elapsed < 2000, `failed in ${elapsed} ms`);
  });

  it('gives ProxyRefused with the status for a refused CONNECT; 502 is retried first', async () => {
    const forbidding = await startConnectProxy({ refuseWith: 403 });
    const failing = await startConnectProxy({ refuseWith: 502 });
    try {
      const forbidden = await rejection(sb.client({ proxy: via(forbidding), retry: fastRetry }).countUsers());
      assert.deepEqual(
        [forbidden.id, forbidden.exitCode, forbidden.category, forbidden.details.status],
        ['JumpCloud.ProxyRefused', 3, 'PermissionDenied', 403],
      );
      assert.equal(forbidding.connects.length, 1);
      const bad = await rejection(sb.client({ proxy: via(failing), retry: fastRetry }).countUsers());
      assert.deepEqual([bad.id, bad.details.status], ['JumpCloud.ProxyRefused', 502]);
      assert.equal(failing.connects.length, fastRetry.maxAttempts, 'a 502 from the proxy is retried');
    } finally {
      await forbidding.close();
      await failing.close();
    }
  });

  it('goes direct for hosts on the bypass list, through the proxy for the rest', async () => {
    const before = open.connects.length;
    assert.equal(await sb.client({ proxy: via(open, { bypass: ['*.internal', '127.0.0.1'] }) }).countUsers(), 250);
    assert.equal(open.connects.length, before, 'a bypassed host is not tunnelled');
    assert.equal(await sb.client({ proxy: via(open, { bypass: ['*.internal', 'localhost'] }) }).countUsers(), 250);
    assert.equal(open.connects.length, before + 1);
  });

  it('jc-ping through the proxy: the password is in no protocol line, log line or error', async () => {
    const logFile = join(work, 'engine.log');
    const run = async (password: string) => {
      const out: string[] = [];
      const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile, proxy: { url: authed.url, username: PROXY_USER, password } };
      const code = await execRequest(JSON.stringify({ protocol: 1, command: 'jc-ping', params: { jumpcloud }, logFile, logLevel: 'debug' }), {
        writeLine: (l) => out.push(l),
      });
      return { code, text: out.join('') };
    };
    const ok = await run(PROXY_PASSWORD);
    assert.equal(ok.code, 0, ok.text);
    assert.match(ok.text, /"recordType":"JumpCloudADI.JumpCloudInfo"/);
    const refused = await run(`${PROXY_PASSWORD}-not`);
    assert.equal(refused.code, 4, refused.text);
    assert.match(refused.text, /"id":"JumpCloud.ProxyAuthFailed"/);
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, new RegExp(`through the proxy 127\\.0\\.0\\.1:${authed.port}, with Basic credentials`));
    const basic = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
    for (const text of [ok.text, refused.text, log]) {
      assert.ok(!text.includes(PROXY_PASSWORD), 'no proxy password');
      assert.ok(!text.includes(basic), 'no Proxy-Authorization value');
      assert.ok(!text.includes(sb.apiKey), 'no API key');
    }
  });
});
