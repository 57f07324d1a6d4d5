// The API key never leaves the client: not in a thrown error (message, JSON, util.inspect with
// hidden fields), not in a log line, not in util.inspect of the client itself, even when the
// server echoes the key back or the connection fails.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../engine/src/errors';
import { JumpCloudClient } from '../../../engine/src/jumpcloud/client';
import { ensureTlsMaterial } from '../../../engine/src/sandbox/tls';

const API_KEY = 'jca_Canary-Key-5f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('jumpcloud client: the API key stays secret', () => {
  let server: https.Server;
  let baseUrl = '';
  let caPem = '';

  before(async () => {
    const tls = ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'jcadi-secrets-')), '127.0.0.1');
    caPem = tls.caPem;
    server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      // A hostile or buggy server that repeats the key in its error text.
      const echoed = String(req.headers['x-api-key']);
      const status = req.url?.startsWith('/api/systemusers') ? 401 : req.url?.startsWith('/api/v2/usergroups') ? 503 : 400;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: status, message: `key ${echoed} refused`, status: 'x' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  function assertClean(err: unknown, logs: string[]): void {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${inspect(err)}`);
    const views = [err.message, String(err.stack), JSON.stringify(err), inspect(err, { depth: 20, showHidden: true }), JSON.stringify(err.details), ...logs];
    for (const view of views) assert.ok(!view.includes(API_KEY), `the key leaked into: ${view.slice(0, 300)}`);
    assert.equal(err.cause, undefined, 'no axios error kept as cause');
  }

  async function failure(call: (client: JumpCloudClient) => Promise<unknown>, options: { baseUrl?: string } = {}) {
    const logs: string[] = [];
    const client = new JumpCloudClient({
      baseUrl: options.baseUrl ?? baseUrl,
      apiKey: API_KEY,
      ca: caPem,
      timeoutMs: 2000,
      sleep: async () => undefined,
      retry: { maxAttempts: 3 },
      log: (level, message, meta) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`),
    });
    try {
      await call(client);
    } catch (err) {
      return { err, logs, client };
    } finally {
      client.close();
    }
    assert.fail('expected the call to fail');
  }

  it('on 401, with the server echoing the key', async () => {
    const { err, logs } = await failure((c) => c.getUser('abc'));
    assertClean(err, logs);
    assert.equal((err as EngineError).id, 'JumpCloud.AuthFailed');
    assert.equal((err as EngineError).exitCode, 4);
    assert.match((err as EngineError).message, /API key was refused/);
    assert.match((err as EngineError).message, /key \*\*\* refused/);
  });

  it('on 503 after retries', async () => {
    const { err, logs } = await failure((c) => c.getUserGroup('abc'));
    assertClean(err, logs);
    assert.equal((err as EngineError).id, 'JumpCloud.ServiceError');
    assert.ok(logs.some((l) => l.includes('retrying')));
  });

  it('on a refused connection', async () => {
    const { err, logs } = await failure((c) => c.getUser('abc'), { baseUrl: 'https://127.0.0.1:1' });
    assertClean(err, logs);
    assert.equal((err as EngineError).id, 'JumpCloud.Unreachable');
    assert.equal((err as EngineError).exitCode, 3);
  });

  it('on a TLS failure (CA not trusted)', async () => {
    const logs: string[] = [];
    const client = new JumpCloudClient({ baseUrl, apiKey: API_KEY, sleep: async () => undefined, log: (_l, m) => logs.push(m) });
    const err = await client.getUser('abc').catch((e: unknown) => e);
    client.close();
    assertClean(err, logs);
    assert.equal((err as EngineError).id, 'JumpCloud.Unreachable');
    assert.match((err as EngineError).message, /TLS/);
  });

  it('on a TLS failure with another CA passed (verification stays on with a custom CA)', async () => {
    const otherCa = ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'jcadi-other-ca-')), '127.0.0.1').caPem;
    const logs: string[] = [];
    const client = new JumpCloudClient({ baseUrl, apiKey: API_KEY, ca: otherCa, sleep: async () => undefined, log: (_l, m) => logs.push(m) });
    const err = await client.getUser('abc').catch((e: unknown) => e);
    client.close();
    assertClean(err, logs);
    assert.equal((err as EngineError).id, 'JumpCloud.Unreachable');
    assert.match((err as EngineError).message, /TLS/);
  });

  it('in util.inspect of the client itself', () => {
    const client = new JumpCloudClient({ baseUrl, apiKey: API_KEY, ca: caPem });
    try {
      assert.ok(!inspect(client, { depth: 20, showHidden: true }).includes(API_KEY));
      assert.ok(!JSON.stringify(client).includes(API_KEY));
    } finally {
      client.close();
    }
  });
});
