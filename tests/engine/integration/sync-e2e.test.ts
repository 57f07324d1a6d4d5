// The whole sync, as the engine runs it: JumpCloud sandbox (HTTPS, its CA) → sync command →
// Samba AD over LDAPS. Changes made in the sandbox's admin surface show up in AD after a run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import { FileJournal } from '../../../engine/src/sync/journal';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { until } from '../helpers/agent';
import { adminDc, REPO_ROOT } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

describe('sync: JumpCloud sandbox → Samba AD', () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let rootUserDN: string;
  let params: Record<string, unknown>;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-e2e-'));

  async function run(command: string, extra: Record<string, unknown> = {}) {
    const out: string[] = [];
    const code = await execRequest(JSON.stringify({ protocol: 1, command, params: { ...params, ...extra } }), {
      writeLine: (l) => out.push(l),
      env: { JCADI_LOG_FILE: join(work, 'engine.log') },
    });
    const lines = out
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      code,
      lines,
      records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
      errors: lines.filter((l) => l.type === 'error'),
      raw: out.join(''),
    };
  }
  const usersInRoot = async () =>
    fx.session.search(fx.rootDN, {
      scope: 'sub',
      filter: '(objectClass=user)',
      attributes: ['sAMAccountName', 'adminDescription', 'userAccountControl', 'sn', 'objectGUID'],
    });

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('jcadi-e2e');
    rootUserDN = fx.rootDN.replace(/,/g, ';');
    await sb.admin('POST', '/domains', { domain: 'DC=example;DC=com' });
    await sb.admin('POST', '/groups', { name: 'Sales-e2e', description: 'Sales team', bindToDomain: 'DC=example;DC=com' });
    for (let i = 1; i <= 6; i++) {
      await sb.admin('POST', '/users', {
        username: `e2e.user${i}`,
        email: `e2e.user${i}@example.com`,
        firstname: `Ann${i}`,
        lastname: `Lee${i}`,
        groups: i <= 4 ? ['Sales-e2e'] : [],
        bindToDomain: i === 5 ? 'DC=example;DC=com' : undefined,
      });
    }
    params = {
      jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
      dc: adminDc(),
      domain: 'DC=example;DC=com',
      rootUserDN,
      journalFile: join(work, 'journal.jsonl'),
    };
  });
  after(async () => {
    await fx?.close();
    await sb?.close();
  });

  it('plans without writing (sync-plan), then syncs users and the group', async () => {
    const planned = await run('sync-plan');
    assert.equal(planned.code, 0, JSON.stringify(planned.errors));
    const kinds = planned.records.map((r) => r.Operation);
    assert.deepEqual(kinds.filter((k) => k === 'createUser').length, 5, 'user6 is not bound: out of scope');
    assert.equal((await usersInRoot()).length, 0, 'sync-plan wrote nothing');

    const { code, records, raw } = await run('sync');
    assert.equal(code, 0, raw);
    const result = records.find((r) => r.Applied !== undefined);
    assert.equal(result?.Failed, 0);
    const users = await usersInRoot();
    assert.deepEqual(users.map((u) => first(u.sAMAccountName)).sort(), ['e2e.user1', 'e2e.user2', 'e2e.user3', 'e2e.user4', 'e2e.user5']);
    const group = await fx.read(`CN=Sales-e2e,${fx.rootDN}`, ['member', 'description']);
    assert.equal([group?.member].flat().length, 4);
    assert.equal(first(group?.description), 'Sales team');
    assert.ok(FileJournal.read(join(work, 'journal.jsonl')).some((e) => e.kind === 'createUser' && e.outcome === 'applied'));

    const again = await run('sync-plan');
    assert.deepEqual(again.records, [], 'a second run plans nothing');
  });

  it('follows a rename, a suspension, a name change and a removal from scope', async () => {
    const guidBefore = first((await fx.read(`CN=e2e.user1,${fx.rootDN}`, ['objectGUID']))?.objectGUID);
    await sb.admin('PATCH', '/users/e2e.user1', { username: 'e2e.renamed1' });
    await sb.admin('PATCH', '/users/e2e.user2', { suspended: true });
    await sb.admin('PATCH', '/users/e2e.user3', { lastname: 'Married' });
    await sb.admin('POST', '/domains/DC=example;DC=com/bindings', { op: 'remove', type: 'user', target: 'e2e.user5' });
    const { code, raw } = await run('sync');
    assert.equal(code, 0, raw);
    const renamed = await fx.read(`CN=e2e.renamed1,${fx.rootDN}`, ['objectGUID', 'sAMAccountName']);
    assert.deepEqual(first(renamed?.objectGUID), guidBefore, 'same object');
    const byName = new Map((await usersInRoot()).map((u) => [first(u.sAMAccountName), u]));
    assert.equal(Number(first(byName.get('e2e.user2')?.userAccountControl)) & 2, 2, 'suspended → disabled');
    assert.equal(first(byName.get('e2e.user3')?.sn), 'Married');
    assert.equal(Number(first(byName.get('e2e.user5')?.userAccountControl)) & 2, 2, 'out of scope → disabled, not deleted');
    assert.equal(byName.size, 5);
  });

  it('binds to the DC while JumpCloud is asked, and reports a JumpCloud error without waiting for the DC', { timeout: 30_000 }, async () => {
    // A "DC" that accepts the connection and never answers: its bind could only end at the 120 s
    // timeout, so a run that waited for it would outlast this test's 30 s.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { code, errors } = await run('sync', {
        jumpcloud: { ...(params.jumpcloud as object), apiKey: 'jcsb_not-the-key-0123456789' },
        dc: { ...adminDc(), host: '127.0.0.1', port, timeoutMs: 120_000 },
      });
      assert.equal(errors[0]?.id, 'JumpCloud.AuthFailed');
      assert.equal(code, 4);
      await until('the DC connection made while JumpCloud was asked', async () => held.length > 0, 5_000);
      // The bind starts before the JumpCloud client is made: a client that cannot be made (its CA
      // file is gone) is reported at once too, the DC's connection closed behind it.
      const connections = held.length;
      const noCa = await run('sync', {
        jumpcloud: { ...(params.jumpcloud as object), caFile: join(tmpdir(), `jcadi-no-such-ca-${process.pid}.pem`) },
        dc: { ...adminDc(), host: '127.0.0.1', port, timeoutMs: 120_000 },
      });
      assert.equal(noCa.errors[0]?.id, 'JumpCloud.CaFileUnreadable');
      assert.equal(noCa.code, 2);
      await until('the DC connection made before the client', async () => held.length > connections, 5_000);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a plan over the safety threshold unless forced', async () => {
    for (let i = 1; i <= 4; i++) await sb.admin('DELETE', `/groups/Sales-e2e/members/${i === 1 ? 'e2e.renamed1' : `e2e.user${i}`}`);
    const refused = await run('sync', { maxDisableCount: 1 });
    assert.equal(refused.code, 5);
    assert.equal(refused.errors[0]?.id, 'Sync.ThresholdExceeded');
    const forced = await run('sync', { maxDisableCount: 1, force: true });
    assert.equal(forced.code, 0, forced.raw);
    assert.ok((await usersInRoot()).every((u) => (Number(first(u.userAccountControl)) & 2) === 2));
  });

  it('survives a SIGKILL in the middle of an apply: a rerun converges with no duplicates', { timeout: 180_000 }, async () => {
    const engine = join(REPO_ROOT, 'build', 'jcadi-engine');
    assert.ok(existsSync(engine), 'the engine is built (npm run build)');
    await sb.admin('POST', '/groups', { name: 'Bulk-e2e', bindToDomain: 'DC=example;DC=com' });
    await sb.admin('POST', '/users/generate', { count: 120, prefix: 'bulk', group: 'Bulk-e2e' });
    const journal = join(work, 'kill-journal.jsonl');
    const request = JSON.stringify({ protocol: 1, command: 'sync', params: { ...params, journalFile: journal, force: true }, logFile: join(work, 'kill.log') });
    const child = spawn(engine, ['exec'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(request);
    // Kill once some users exist, well before all 120 do.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && FileJournal.read(journal).filter((e) => e.kind === 'createUser').length < 20) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const createdBeforeKill = FileJournal.read(journal).filter((e) => e.kind === 'createUser').length;
    assert.ok(createdBeforeKill >= 20 && createdBeforeKill < 120, `killed mid-apply (${createdBeforeKill} created)`);

    const rerun = await run('sync', { force: true });
    assert.equal(rerun.code, 0, rerun.raw.slice(0, 2000));
    const bulk = (await usersInRoot()).filter((u) => String(first(u.sAMAccountName)).startsWith('bulk'));
    assert.equal(bulk.length, 120, 'every user exactly once');
    assert.equal(new Set(bulk.map((u) => first(u.adminDescription))).size, 120, 'one anchor each');
    const group = await fx.read(`CN=Bulk-e2e,${fx.rootDN}`, ['member']);
    assert.equal([group?.member].flat().length, 120);
    assert.deepEqual((await run('sync-plan', { force: true })).records, [], 'converged');
    assert.doesNotMatch(readFileSync(join(work, 'kill.log'), 'utf8'), new RegExp(sb.apiKey));
  });
});
