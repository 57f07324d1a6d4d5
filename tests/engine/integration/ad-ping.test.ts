// ad-ping and test-rootdn against the real Samba AD DC over LDAPS with the test CA.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import { adminDc, testDc } from '../helpers/testdc';

async function run(command: string, params: Record<string, unknown>) {
  const out: string[] = [];
  const logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-it-')), 'engine.log');
  const code = await execRequest(JSON.stringify({ protocol: 1, command, params, logLevel: 'debug' }), {
    writeLine: (l) => out.push(l),
    env: { JCADI_LOG_FILE: logFile },
  });
  const lines = out
    .join('')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const record = lines.find((l) => l.type === 'record')?.data as Record<string, unknown> | undefined;
  const error = lines.find((l) => l.type === 'error');
  return { code, lines, record, error, raw: out.join(''), log: readFileSync(logFile, 'utf8') };
}

describe('ad-ping against the test DC', () => {
  const info = testDc();

  it('binds over LDAPS, verifies TLS with the test CA and reports the DC', async () => {
    const { code, record } = await run('ad-ping', { dc: adminDc(), rootUserDN: 'CN=Users;DC=example;DC=com' });
    assert.equal(code, 0);
    assert.ok(record);
    assert.equal(record.DefaultNamingContext, info.baseDN);
    assert.match(String(record.DnsHostName), /^dc1\.example\.com$/i);
    assert.equal(record.TlsVerified, true);
    assert.equal(record.CanReadRootContainer, true);
    assert.ok((record.SupportedControls as string[]).some((c) => c.startsWith('Paged results')));
    const cert = record.Certificate as Record<string, unknown>;
    assert.ok((cert.SubjectAltNames as string[]).includes(`IP Address:${info.host}`));
    assert.ok(Number(cert.DaysUntilExpiry) > 0);
  });

  it('works with StartTLS on 389', async () => {
    const { code, record } = await run('ad-ping', { dc: adminDc({ mode: 'starttls', port: 389 }) });
    assert.equal(code, 0, JSON.stringify(record));
    assert.equal(record?.DefaultNamingContext, info.baseDN);
  });

  it('reports a root container the account cannot find', async () => {
    const { code, record } = await run('ad-ping', { dc: adminDc(), rootUserDN: 'OU=Nowhere;DC=example;DC=com' });
    assert.equal(code, 0);
    assert.equal(record?.CanReadRootContainer, false);
    assert.match((record?.Problems as string[]).join(), /OU=Nowhere,DC=example,DC=com/);
  });

  it('rejects a certificate from another CA with a clear TLS error', async () => {
    const { code, error } = await run('ad-ping', { dc: adminDc({ caFile: info.otherCaFile }) });
    assert.equal(code, 3);
    assert.equal(error?.id, 'AD.TlsFailed');
    assert.match(String(error?.message), /CA/);
  });

  it('rejects the platform trust store (no CA given): the test CA is not trusted by default', async () => {
    const dc = adminDc();
    delete dc.caFile;
    const { code, error } = await run('ad-ping', { dc });
    assert.equal(code, 3);
    assert.equal(error?.id, 'AD.TlsFailed');
  });

  it('gives a clear bind error for a wrong password, without echoing it', async () => {
    const wrong = 'Wrong-Canary-Pass-91x';
    const { code, error, raw, log } = await run('ad-ping', { dc: adminDc({ bindPassword: wrong }) });
    assert.equal(code, 4);
    assert.equal(error?.id, 'AD.BindFailed');
    assert.match(String(error?.message), /user name or password is wrong|bind was refused/);
    assert.equal(raw.includes(wrong), false);
    assert.equal(log.includes(wrong), false);
  });

  it('gives a clear error for a DC that is down, within the timeout', async () => {
    const started = Date.now();
    const { code, error } = await run('ad-ping', { dc: adminDc({ port: 1, timeoutMs: 3000 }) });
    assert.equal(code, 3);
    assert.equal(error?.id, 'AD.Unreachable');
    assert.ok(Date.now() - started < 3000 + 1000);
  });

  it('times out against a port that accepts but never answers', async () => {
    const net = await import('node:net');
    const server = net.createServer(() => undefined).listen(0, info.host);
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const started = Date.now();
    try {
      const { code, error } = await run('ad-ping', { dc: adminDc({ port, timeoutMs: 1500 }) });
      assert.equal(code, 3);
      assert.ok(['AD.Timeout', 'AD.TlsFailed'].includes(String(error?.id)), String(error?.id));
      assert.ok(Date.now() - started < 1500 * 2 + 1000, 'bounded by the timeout');
    } finally {
      server.close();
    }
  });
});

describe('test-rootdn with a DC', () => {
  it('finds an existing container', async () => {
    const { code, record } = await run('test-rootdn', { rootUserDN: 'OU=Corporate Users;DC=example;DC=com', domain: 'DC=example;DC=com', server: adminDc() });
    assert.equal(code, 0);
    assert.equal(record?.IsValid, true);
    assert.equal(record?.Exists, true);
    assert.equal(record?.UnderDomain, true);
  });

  it('reports a missing container as invalid with a problem', async () => {
    const { code, record } = await run('test-rootdn', { rootUserDN: 'OU=Nope;DC=example;DC=com', server: adminDc() });
    assert.equal(code, 0);
    assert.equal(record?.IsValid, false);
    assert.equal(record?.Exists, false);
    assert.match((record?.Problems as string[]).join(), /does not exist/);
  });
});
