// The public API client against the sandbox over HTTPS, trusting the sandbox's CA (verification
// on): paging, retries through fault storms, clear errors, schema checks, and the calls the sync,
// CSV import and jc-ping use.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import { EngineError } from '../../../engine/src/errors';
import { JumpCloudSchemaError } from '../../../engine/src/jumpcloud/errors';
import { seededRandom } from '../../../engine/src/sandbox/ids';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const fastRetry = { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 10 };

describe('jumpcloud client against the sandbox: paging and faults', () => {
  let sb: TestSandbox;

  before(async () => {
    sb = await startTestSandbox({ faultRandom: seededRandom(7) });
    const generated = await sb.call('POST', '/sandbox/admin/users/generate', { count: 2500 });
    assert.equal(generated.status, 201);
  });
  after(() => sb.close());

  it('lists 2,500 users, each exactly once, in _id order', async () => {
    const client = sb.client();
    const users = await collect(client.listUsers());
    assert.equal(users.length, 2500);
    assert.equal(new Set(users.map((u) => u._id)).size, 2500);
    const ids = users.map((u) => u._id);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(await client.countUsers(), 2500);
  });

  it('survives a storm of 429s, 500s and dropped connections (20% each)', async () => {
    sb.faults.replace([
      { kind: 'status', status: 429, rate: 0.2, retryAfter: '0' },
      { kind: 'status', status: 500, rate: 0.2 },
      { kind: 'drop', rate: 0.05 },
    ]);
    const retries: string[] = [];
    try {
      const client = sb.client({ retry: fastRetry, log: (level, message) => level !== 'debug' && retries.push(message) });
      const users = await collect(client.listUsers());
      assert.equal(new Set(users.map((u) => u._id)).size, 2500);
      assert.ok(retries.length > 3, `expected retries, saw ${retries.length}`);
      const hits = sb.faults.list().reduce((n, r) => n + r.hits, 0);
      assert.ok(hits >= retries.length - 1);
    } finally {
      sb.faults.clear();
    }
  });

  it('honours Retry-After', async () => {
    sb.faults.add({ kind: 'status', status: 429, count: 1, retryAfter: '2' });
    const waits: number[] = [];
    const client = sb.client({ retry: fastRetry, sleep: async (ms) => void waits.push(ms) });
    assert.equal(await client.countUsers(), 2500);
    assert.deepEqual(waits.length, 1);
    assert.ok((waits[0] as number) >= 2000, `waited ${waits[0]} ms`);
  });

  it('gives up with JumpCloud.RateLimited when 429s do not stop', async () => {
    sb.faults.add({ kind: 'status', status: 429, rate: 1, retryAfter: '0', path: '/api/systemusers' });
    try {
      const client = sb.client({ retry: { ...fastRetry, maxAttempts: 3 } });
      await assert.rejects(client.countUsers(), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.RateLimited' && err.exitCode === 3);
    } finally {
      sb.faults.clear();
    }
  });

  it('times out a call that does not answer (JumpCloud.Timeout, exit 3)', async () => {
    sb.faults.add({ kind: 'latency', latencyMs: 1500, count: 1 });
    const client = sb.client({ timeoutMs: 200, retry: { maxAttempts: 1 } });
    await assert.rejects(client.countUsers(), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.Timeout' && err.exitCode === 3);
  });

  it('refuses a bad API key at once with JumpCloud.AuthFailed (exit 4)', async () => {
    let attempts = 0;
    const client = sb.client({ apiKey: 'not-the-key', log: (level) => level === 'debug' && attempts++ });
    await assert.rejects(collect(client.listUsers()), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.id, 'JumpCloud.AuthFailed');
      assert.equal(err.exitCode, 4);
      assert.match(err.message, /the API key was refused/);
      return true;
    });
    assert.equal(attempts, 1, 'a 401 is not retried');
  });

  it('reports a response missing a required field as JumpCloudSchemaError naming it', async () => {
    sb.faults.add({ kind: 'omitField', field: 'username', count: 1, path: '/api/systemusers' });
    const client = sb.client();
    await assert.rejects(collect(client.listUsers()), (err: unknown) => {
      assert.ok(err instanceof JumpCloudSchemaError);
      assert.equal(err.id, 'JumpCloud.SchemaMismatch');
      assert.equal(err.fieldPath, 'results.0.username');
      assert.equal(err.endpoint, 'GET /api/systemusers');
      return true;
    });
  });

  it('refuses an organization id the key cannot use', async () => {
    const client = sb.client({ orgId: '0123456789abcdef01234567' });
    await assert.rejects(client.countUsers(), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.NotFound');
    assert.equal(await sb.client({ orgId: sb.orgId }).countUsers(), 2500);
  });
});

describe('jumpcloud client against the sandbox: the calls the sync uses', () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startTestSandbox({ seed: 'demo' });
  });
  after(() => sb.close());

  it('reads the demo org: domain, bound groups, members, scope and password policy', async () => {
    const client = sb.client();
    const [domain, ...others] = await collect(client.listActiveDirectories());
    assert.equal(others.length, 0);
    assert.equal(domain?.domain, 'DC=example;DC=com');
    const groups = await collect(client.listDomainAssociations(domain?.id as string, 'user_group'));
    assert.equal(groups.length, 12);
    const direct = await collect(client.listDomainAssociations(domain?.id as string, 'user'));
    assert.equal(direct.length, 3);
    const engineering = (await collect(client.listUserGroups({ filter: ['name:eq:Engineering'] })))[0];
    const members = await collect(client.listGroupMembers(engineering?.id as string));
    const membership = await collect(client.listGroupMembership(engineering?.id as string));
    assert.equal(members.length, 60);
    assert.deepEqual(membership.map((m) => m.id).sort(), members.map((m) => m.to.id).sort());
    const inScope = await collect(client.listDomainUsers(domain?.id as string));
    assert.equal(inScope.length, 273 + 3);
    const policy = await client.getPasswordPolicy();
    assert.equal(policy.minLength, 8);
  });

  it('holds the awkward demo users', async () => {
    const client = sb.client();
    const users = await collect(client.listUsers());
    assert.equal(users.length, 285);
    const by = new Map(users.map((u) => [u.username, u]));
    assert.equal(by.get('cher')?.lastname, '');
    assert.equal(by.get('christopher.montgomery')?.username.length, 22);
    assert.equal(by.get('zoe.angstrom')?.firstname, 'Zoë');
    assert.equal(by.get('zoe.angstrom')?.lastname, 'Ångström');
    assert.ok(by.get('administrator'));
    assert.ok(users.filter((u) => u.suspended).length >= 5);
  });

  it('filters users, creates, updates and suspends them', async () => {
    const client = sb.client();
    const [zoe] = await collect(client.listUsers({ filter: ['username:$eq:zoe.angstrom'] }));
    assert.equal(zoe?.email, 'zoe.angstrom@example.com');
    const created = await client.createUser({
      username: 'new.hire',
      email: 'new.hire@example.com',
      firstname: 'New',
      lastname: 'Hire',
      password: 'Welcome-2025',
    });
    assert.equal(created.activated, true);
    await assert.rejects(
      client.createUser({ username: 'new.hire', email: 'other@example.com' }),
      (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.RequestRejected' && /already exists/.test(err.message),
    );
    const suspended = await client.updateUser(created._id, { suspended: true });
    assert.equal(suspended.state, 'SUSPENDED');
    assert.equal((await client.getUser(created._id)).suspended, true);
    // JumpCloud's one-line message says only "Password validation fail"; the field violations say which rule.
    await assert.rejects(client.updateUser(created._id, { password: 'short' }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.id, 'JumpCloud.RequestRejected');
      assert.match(err.message, /Password validation fail/);
      assert.match(err.message, /Field violations: .*password: minLength/);
      assert.deepEqual(
        (err.details.fieldViolations as Array<{ field: string }>).map((v) => v.field).filter((f) => f !== 'password'),
        [],
      );
      return true;
    });
    await assert.rejects(client.getUser('ffffffffffffffffffffffff'), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.NotFound');
  });

  it('creates groups, members, domains and agents', async () => {
    const client = sb.client();
    const group = await client.createUserGroup('CSV Import', 'from a CSV file');
    const user = await client.createUser({ username: 'csv.user', email: 'csv.user@example.com' });
    await client.changeGroupMember(group.id, user._id);
    await client.changeGroupMember(group.id, user._id); // twice is harmless
    assert.deepEqual(
      (await collect(client.listGroupMembers(group.id))).map((m) => m.to.id),
      [user._id],
    );
    const ad = await client.createActiveDirectory('DC=lab;DC=example;DC=com');
    await client.bindToDomain(ad.id, 'user_group', group.id);
    assert.deepEqual(
      (await collect(client.listDomainUsers(ad.id))).map((u) => u.id),
      [user._id],
    );
    const agent = await client.createAgent(ad.id);
    assert.match(agent.connectKey, /^jcck_/);
    assert.equal((await collect(client.listAgents(ad.id)))[0]?.state, 'unsealed');
    await client.deleteAgent(ad.id, agent.id);
    assert.equal((await collect(client.listAgents(ad.id))).length, 0);
  });

  it('pages Directory Insights events with X-Search_after', async () => {
    const client = sb.client();
    const events = await collect(client.listDirectoryEvents({ startTime: '2020-01-01T00:00:00Z', limit: 50 }));
    assert.ok(events.length > 285, `saw ${events.length} events`);
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    const stamps = events.map((e) => e.timestamp);
    assert.deepEqual(stamps, [...stamps].sort());
    const creates = await collect(client.listDirectoryEvents({ startTime: '2020-01-01T00:00:00Z', searchTerm: { and: [{ event_type: 'user_create' }] } }));
    assert.ok(creates.length >= 285);
  });

  it('jc-ping reports the org and its domains (record JumpCloudADI.JumpCloudInfo)', async () => {
    const out: string[] = [];
    const logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-jcping-')), 'engine.log');
    const request = { protocol: 1, command: 'jc-ping', params: { jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile } }, logFile };
    const code = await execRequest(JSON.stringify(request), { writeLine: (l) => out.push(l) });
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(code, 0, out.join(''));
    const record = lines.find((l) => l.type === 'record');
    assert.equal(record?.recordType, 'JumpCloudADI.JumpCloudInfo');
    const data = record?.data as Record<string, unknown>;
    assert.equal(data.OrgId, sb.orgId);
    assert.ok((data.UserCount as number) >= 285);
    assert.ok((data.Domains as Array<{ Domain: string }>).some((d) => d.Domain === 'DC=example;DC=com'));
    assert.ok(!out.join('').includes(sb.apiKey));
    assert.ok(!readFileSync(logFile, 'utf8').includes(sb.apiKey));
  });

  it('jc-ping with a bad key ends with JumpCloud.AuthFailed and exit 4', async () => {
    const out: string[] = [];
    const logFile = join(mkdtempSync(join(tmpdir(), 'jcadi-jcping-')), 'engine.log');
    const request = { protocol: 1, command: 'jc-ping', params: { jumpcloud: { baseUrl: sb.url, apiKey: 'wrong-key-123', caFile: sb.caFile } }, logFile };
    const code = await execRequest(JSON.stringify(request), { writeLine: (l) => out.push(l) });
    assert.equal(code, 4);
    assert.match(out.join(''), /"id":"JumpCloud.AuthFailed"/);
    assert.ok(!out.join('').includes('wrong-key-123'));
  });
});
