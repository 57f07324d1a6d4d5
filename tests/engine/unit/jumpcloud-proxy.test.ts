// The proxy pieces that need no network: bypass matching, the CONNECT request and answer, the
// block's validation, explicit config versus the environment opt-in, the agent config's
// protected proxy password, and the errors (never the credentials, always the proxy host:port).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { agentConfigSchema, agentPaths, agentProxy, openAgentSecrets, protectProxy, SECRET_PURPOSE, writeAgentConfig } from '../../../engine/src/agent/config';
import { KeyFileProtector } from '../../../engine/src/config/protect';
import { describeProxy, jumpcloudConnectionSchema, resolveProxy } from '../../../engine/src/jumpcloud/connection';
import { proxyError } from '../../../engine/src/jumpcloud/errors';
import { bypassesProxy, connectRequestHead, parseConnectResponse, proxyAuthorization, ProxyTunnelError } from '../../../engine/src/jumpcloud/proxy';

const PASSWORD = 'Proxy-Canary-Pw-7c1e9';
const dirs: string[] = [];
const work = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-proxy-unit-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('proxy: bypass list', () => {
  it('matches a name and its subdomains, *.suffix, .suffix, IPs and *', () => {
    assert.equal(bypassesProxy('sandbox.internal', ['*.internal']), true);
    assert.equal(bypassesProxy('a.b.internal', ['.internal']), true);
    assert.equal(bypassesProxy('internal', ['*.internal']), true);
    assert.equal(bypassesProxy('api.corp.example', ['corp.example']), true);
    assert.equal(bypassesProxy('CONSOLE.JumpCloud.com.', ['console.jumpcloud.com']), true);
    assert.equal(bypassesProxy('127.0.0.1', ['127.0.0.1']), true);
    assert.equal(bypassesProxy('anything', ['*']), true);
    assert.equal(bypassesProxy('notinternal', ['*.internal']), false);
    assert.equal(bypassesProxy('console.jumpcloud.com', ['jumpcloud.co', '', ' ']), false);
    assert.equal(bypassesProxy('127.0.0.10', ['127.0.0.1']), false);
  });
});

describe('proxy: CONNECT request and answer', () => {
  it('writes CONNECT host:port with Basic credentials only when a user is given', () => {
    const auth = proxyAuthorization({ username: 'svc', password: PASSWORD });
    assert.equal(auth, `Basic ${Buffer.from(`svc:${PASSWORD}`).toString('base64')}`);
    assert.equal(proxyAuthorization({}), null);
    const head = connectRequestHead('console.jumpcloud.com:443', auth);
    assert.match(head, /^CONNECT console\.jumpcloud\.com:443 HTTP\/1\.1\r\nHost: console\.jumpcloud\.com:443\r\n/);
    assert.ok(head.endsWith('\r\n\r\n'));
    assert.ok(head.includes(`Proxy-Authorization: ${auth as string}\r\n`));
    assert.ok(!connectRequestHead('h:443', null).includes('Proxy-Authorization'));
  });

  it('reads the status and offered schemes once the head is complete', () => {
    assert.equal(parseConnectResponse(Buffer.from('HTTP/1.1 200 Connection established\r\n')), null);
    const ok = parseConnectResponse(Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'));
    assert.deepEqual({ status: ok?.status, rest: ok?.rest.length }, { status: 200, rest: 0 });
    const denied = parseConnectResponse(Buffer.from('HTTP/1.0 407 Auth\r\nProxy-Authenticate: NTLM\r\nproxy-authenticate: Negotiate abc\r\n\r\nxy'));
    assert.equal(denied?.status, 407);
    assert.deepEqual(denied?.offeredSchemes, ['NTLM', 'Negotiate']);
    assert.equal(denied?.rest.toString(), 'xy');
    assert.equal(parseConnectResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))?.status, 0);
  });
});

describe('proxy: the jumpcloud block', () => {
  const base = { baseUrl: 'https://console.jumpcloud.com', apiKey: 'key-1234' };
  const parse = (proxy: unknown) => jumpcloudConnectionSchema.safeParse({ ...base, proxy });

  it('takes an http:// proxy with credentials and a bypass list, or "environment"', () => {
    const parsed = parse({ url: 'http://proxy.corp:3128', username: 'svc', password: PASSWORD, bypass: ['*.internal'] });
    assert.equal(parsed.success, true);
    assert.deepEqual(parse({ url: 'http://proxy.corp:3128' }).data?.proxy, { url: 'http://proxy.corp:3128', bypass: [] });
    assert.equal(parse('environment').success, true);
  });

  it('refuses https:// proxies, credentials in the URL, paths, a password without a user, and other words', () => {
    const problem = (proxy: unknown) => {
      const parsed = parse(proxy);
      assert.equal(parsed.success, false, JSON.stringify(proxy));
      return parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? '';
    };
    assert.match(problem({ url: 'https://proxy.corp:3128' }), /must be an http:\/\/ URL/);
    assert.match(problem({ url: `http://svc:${PASSWORD}@proxy.corp:3128` }), /must not hold a user name or password/);
    assert.match(problem({ url: 'http://proxy.corp:3128/path' }), /no path/);
    assert.match(problem({ url: 'http://proxy.corp:3128', password: PASSWORD }), /needs a username/);
    assert.match(problem({ url: 'http://proxy.corp:3128', bypass: ['a b'] }), /host name/);
    problem('env');
  });
});

describe('proxy: explicit config wins, the environment only on opt-in', () => {
  const env = { HTTPS_PROXY: `http://svc:${encodeURIComponent(PASSWORD)}@envproxy.corp:8080`, NO_PROXY: 'localhost, .internal,10.0.0.1:443' };

  it('ignores HTTPS_PROXY unless the block says environment', () => {
    assert.deepEqual(resolveProxy(undefined, env), { proxy: null, source: 'none', variable: null });
    const explicit = resolveProxy({ url: 'http://proxy.corp:3128', username: 'u', password: PASSWORD, bypass: ['*.internal'] }, env);
    assert.deepEqual(explicit.proxy, { host: 'proxy.corp', port: 3128, username: 'u', password: PASSWORD, bypass: ['*.internal'] });
    assert.equal(explicit.source, 'config');
  });

  it('reads HTTPS_PROXY (credentials decoded) and NO_PROXY on opt-in; a bare host:port means http', () => {
    const resolved = resolveProxy('environment', env);
    assert.equal(resolved.variable, 'HTTPS_PROXY');
    assert.deepEqual(resolved.proxy, {
      host: 'envproxy.corp',
      port: 8080,
      username: 'svc',
      password: PASSWORD,
      bypass: ['localhost', '.internal', '10.0.0.1'],
    });
    assert.deepEqual(resolveProxy('environment', { https_proxy: 'squid:3128' }).proxy, { host: 'squid', port: 3128, bypass: [] });
    assert.equal(resolveProxy('environment', { http_proxy: 'http://ignored:1' }).proxy, null);
    assert.match(describeProxy(resolveProxy('environment', {})), /no HTTPS_PROXY\/ALL_PROXY is set: connecting to JumpCloud directly/);
  });

  it('describes the proxy without its credentials, and refuses an https:// HTTPS_PROXY', () => {
    const text = describeProxy(resolveProxy('environment', env));
    assert.match(text, /through the proxy envproxy\.corp:8080 \(from HTTPS_PROXY\), with Basic credentials; bypass: localhost, \.internal, 10\.0\.0\.1/);
    assert.ok(!text.includes(PASSWORD) && !text.includes('svc'));
    assert.throws(
      () => resolveProxy('environment', { HTTPS_PROXY: `https://svc:${PASSWORD}@p.corp:443` }),
      (err: Error & { id?: string }) => err.id === 'JumpCloud.ProxyInvalid' && !err.message.includes(PASSWORD) && err.message.includes('https://p.corp'),
    );
  });
});

describe('proxy: errors name the proxy, never the credentials', () => {
  const failure = (kind: 'unreachable' | 'auth' | 'refused', extra: Record<string, unknown> = {}) =>
    new ProxyTunnelError(kind, {
      proxy: 'proxy.corp:3128',
      target: 'console.jumpcloud.com:443',
      credentialsGiven: true,
      reason: 'cannot connect (ECONNREFUSED)',
      ...extra,
    });

  it('maps unreachable, 407 and refusals to ids, categories and exit codes', () => {
    const unreachable = proxyError(failure('unreachable', { socketCode: 'ECONNREFUSED' }), 'GET /api/systemusers');
    assert.deepEqual(
      [unreachable.id, unreachable.exitCode, unreachable.category, unreachable.target],
      ['JumpCloud.ProxyUnreachable', 3, 'ConnectionError', 'proxy.corp:3128'],
    );
    assert.match(unreachable.message, /Cannot reach the proxy proxy\.corp:3128 for GET \/api\/systemusers: cannot connect \(ECONNREFUSED\)/);
    const auth = proxyError(failure('auth', { status: 407, offeredSchemes: ['NTLM', 'Negotiate'] }), 'GET /api/systemusers');
    assert.deepEqual([auth.id, auth.exitCode, auth.category], ['JumpCloud.ProxyAuthFailed', 4, 'AuthenticationError']);
    assert.match(auth.message, /refused the proxy credentials \(407\).*offers NTLM, Negotiate.*Basic only/);
    const noCredentials = proxyError(
      new ProxyTunnelError('auth', { proxy: 'p:1', target: 't:443', credentialsGiven: false, status: 407, reason: 'x' }),
      'GET /x',
    );
    assert.match(noCredentials.message, /asks for credentials, and none were given/);
    const refused = proxyError(failure('refused', { status: 403 }), 'GET /api/systemusers');
    assert.deepEqual([refused.id, refused.exitCode, refused.category, refused.details.status], ['JumpCloud.ProxyRefused', 3, 'PermissionDenied', 403]);
    assert.match(refused.message, /refused the tunnel to console\.jumpcloud\.com:443 with 403/);
  });
});

describe('proxy: agent config', () => {
  it('stores the proxy password protected, opens it, and resolves the proxy from it', async () => {
    const dir = work();
    const paths = agentPaths(dir);
    const protector = new KeyFileProtector(paths.keyFile, { create: true });
    const proxy = await protectProxy({ url: 'http://proxy.corp:3128', username: 'svc', password: PASSWORD, bypass: ['*.internal'] }, protector);
    const config = agentConfigSchema.parse({
      configVersion: 1,
      mode: 'apiKey',
      installedVersion: '0.1.0',
      installedAt: new Date().toISOString(),
      serverType: 'dc',
      domainController: 'dc1.example.com',
      ldap: { mode: 'ldaps' },
      domain: 'DC=example;DC=com',
      rootUserDN: 'CN=Users;DC=example;DC=com',
      serviceAccount: { bindDN: 'jcsync@example.com', password: await protector.protect('Bind-Pa55word!', SECRET_PURPOSE.bindPassword) },
      jumpcloud: { apiKey: await protector.protect('api-key-123456', SECRET_PURPOSE.apiKey), proxy },
    });
    writeAgentConfig(paths.config, config);
    const text = readFileSync(paths.config, 'utf8');
    assert.ok(!text.includes(PASSWORD), 'the proxy password is not in clear');
    assert.match(text, /"url": "http:\/\/proxy\.corp:3128"/);
    const secrets = await openAgentSecrets(config, new KeyFileProtector(paths.keyFile));
    assert.equal(secrets.proxyPassword, PASSWORD);
    assert.deepEqual(agentProxy(config, secrets.proxyPassword, { HTTPS_PROXY: 'http://other:1' }).proxy, {
      host: 'proxy.corp',
      port: 3128,
      username: 'svc',
      password: PASSWORD,
      bypass: ['*.internal'],
    });
    // A clear password in agent.json is refused: it must be a protected value.
    const clear = JSON.parse(text) as { jumpcloud: { proxy: { password: unknown } } };
    clear.jumpcloud.proxy.password = PASSWORD;
    assert.equal(agentConfigSchema.safeParse(clear).success, false);
    // "environment" is kept as is, and reads the agent's own environment.
    const envConfig = agentConfigSchema.parse({ ...config, jumpcloud: { ...config.jumpcloud, proxy: 'environment' } });
    assert.deepEqual(agentProxy(envConfig, null, { HTTPS_PROXY: 'http://machine-proxy:8080' }).proxy, { host: 'machine-proxy', port: 8080, bypass: [] });
  });
});
