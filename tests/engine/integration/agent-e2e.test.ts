// The sync agent end to end: a connect key from the sandbox, an install from the real engine
// binary into a temp folder, the agent process (`jcadi-engine run`) against the sandbox and
// Samba. Names, suspensions and passwords changed in JumpCloud reach AD within seconds (the
// password proven by binding as the user over LDAPS); an account disabled in AD is suspended in
// JumpCloud within 60 s and stays disabled; failing objects back off and are quarantined; a
// JumpCloud outage is ridden out; no secret reaches argv, the environment, a file or a stream.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change } from 'ldapts';
import { peekAgentState } from '../../../engine/src/agent/state';
import { AdSession } from '../../../engine/src/ad/session';
import { sidFromBytes } from '../../../engine/src/ad/binary';
import { ACE_TYPE, encodeSecurityDescriptor } from '../../../engine/src/ad/sd';
import { readSecurityDescriptor, SD_FLAG } from '../../../engine/src/ad/security';
import { RIGHT } from '../../../engine/src/delegation/rights';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { FileJournal } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, installedSecrets, leakProbe, readIfExists, until, type ExecResult, first } from '../helpers/agent';
import { ENGINE_LINUX_ENV, AGENT_NODE_OPTIONS } from '../../../engine/src/agent/install';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const USER_CLASS = 'bf967aba-0de6-11d0-a285-00aa003049e2';

describe('sync agent: connect key, continuous sync, passwords, offboarding', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let installPath: string;
  let connectKey: string;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-e2e-'));
  const execLog = join(work, 'exec.log');
  const outputs: ExecResult[] = [];
  const userPasswords: string[] = [];
  const run = async (command: string, params: Record<string, unknown>) => {
    const result = await exec(command, params, execLog);
    outputs.push(result);
    return result;
  };
  const adUser = async (sam: string) => {
    const [entry] = await fx.session.search(fx.rootDN, {
      scope: 'sub',
      filter: `(sAMAccountName=${sam})`,
      attributes: ['sn', 'givenName', 'userAccountControl', 'adminDescription', 'cn'],
    });
    return entry ?? null;
  };
  const disabled = (entry: Record<string, unknown> | null) => (Number(first(entry?.userAccountControl)) & 2) === 2;
  const paths = () => agentPaths(installPath);
  const state = () => peekAgentState(paths().state);
  const jcId = async (username: string) => String((await sb.admin('GET', `/users/${username}`))._id);
  /** Puts a deny ACE for the agent's account on creating users in the root first in its DACL; returns the undo (idempotent). */
  const denyUserCreates = async () => {
    const original = await readSecurityDescriptor(fx.session, fx.rootDN, SD_FLAG.Dacl);
    const [account] = await fx.session.search(testDc().adminDN, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['objectSid'],
      explicitBufferAttributes: ['objectSid'],
    });
    const sid = sidFromBytes(account?.objectSid as Buffer);
    const deny = {
      type: ACE_TYPE.AccessDeniedObject,
      flags: 0,
      mask: RIGHT.CreateChild,
      sid,
      objectType: USER_CLASS,
      inheritedObjectType: null,
      extra: Buffer.alloc(0),
    };
    const denied = { ...original, dacl: { revision: original.dacl?.revision ?? 4, aces: [deny, ...(original.dacl?.aces ?? [])] } };
    await fx.writer.setSecurityDescriptor(fx.rootDN, encodeSecurityDescriptor(denied), SD_FLAG.Dacl);
    let undone = false;
    return async () => {
      if (undone) return;
      undone = true;
      await fx.writer.setSecurityDescriptor(fx.rootDN, encodeSecurityDescriptor(original), SD_FLAG.Dacl);
    };
  };

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-agent');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Agent-e2e', bindToDomain: DOMAIN });
    for (let i = 1; i <= 4; i++)
      await sb.admin('POST', '/users', {
        username: `agent.u${i}`,
        email: `agent.u${i}@example.com`,
        firstname: `Ann${i}`,
        lastname: `Lee${i}`,
        groups: ['Agent-e2e'],
      });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await run('agent-connect-key-new', { jumpcloud, domain: DOMAIN });
    assert.equal(key.code, 0, key.raw);
    connectKey = String(key.records[0]?.Key);
    assert.match(connectKey, /^jcck_/);
    outputs.pop(); // the one answer that carries the key on purpose
    const installed = await installAgent(
      { jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey, sync: { retryBaseSeconds: 0.5, quarantineAfterFailures: 2 } },
      execLog,
    );
    installPath = installed.installPath;
    outputs.push(installed.result);
    assert.equal(installed.result.code, 0, installed.result.raw);
    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
  });

  after(async () => {
    if (installPath) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, execLog);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('exchanged the connect key once: the config now holds protected agent credentials instead', async () => {
    const config = readAgentConfig(paths().config);
    assert.equal(config.connectKey, undefined);
    assert.ok(config.agent?.agentId);
    assert.equal(config.agent?.agentSecret.scheme, 'keyfile-aes256gcm-v1');
    const info = await sb.admin('GET', '/info');
    const agents = (info.domains as Array<{ agents: Array<{ id: string; state: string }> }>)[0]?.agents ?? [];
    assert.deepEqual(
      agents.map((a) => [a.id, a.state]),
      [[config.agent?.agentId, 'active']],
    );
    assert.equal(state()?.primary, true);
  });

  it('creates the users, then applies a name change, a rename, a suspension and a password within seconds', async () => {
    await until(
      'the four users in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=user)', attributes: ['cn'] })).length === 4,
    );
    const timed = async (what: string, change: () => Promise<unknown>, visible: () => Promise<boolean>) => {
      const started = Date.now();
      await change();
      await until(what, async () => visible(), 15_000, 50);
      return Date.now() - started;
    };
    const latencies = [
      await timed(
        'the new last name',
        () => sb.admin('PATCH', '/users/agent.u1', { lastname: 'Married' }),
        async () => first((await adUser('agent.u1'))?.sn) === 'Married',
      ),
      await timed(
        'the rename',
        () => sb.admin('PATCH', '/users/agent.u2', { username: 'agent.u2b' }),
        async () => first((await adUser('agent.u2b'))?.cn) === 'agent.u2b',
      ),
      await timed(
        'the suspension',
        () => sb.admin('PATCH', '/users/agent.u3', { suspended: true }),
        async () => disabled(await adUser('agent.u3')),
      ),
    ];
    const password = 'Agent-e2e-Pw!2024x';
    userPasswords.push(password);
    latencies.push(
      await timed(
        'the password (bind as the user over LDAPS)',
        () => sb.admin('PATCH', '/users/agent.u1', { password }),
        async () => {
          try {
            const session = await AdSession.open(adminDc({ bindDN: 'agent.u1@example.com', bindPassword: password }));
            await session.close();
            return true;
          } catch {
            return false;
          }
        },
      ),
    );
    for (const ms of latencies) assert.ok(ms < 10_000, `applied within seconds (${latencies.join(', ')} ms)`);
    const events = (await sb.admin('GET', '/events?type=user.password_changed')) as unknown as Array<{ password: { outcome: string; acknowledgedBy: string } }>;
    assert.equal(events.at(-1)?.password.outcome, 'applied');
    const journal = FileJournal.read(paths().journal);
    assert.ok(journal.some((e) => e.kind === 'setPassword' && e.outcome === 'applied' && e.target.startsWith('CN=agent.u1,')));
    assert.ok(journal.some((e) => e.kind === 'renameUser' && e.outcome === 'applied'));
  });

  it('reports a password AD refuses, with the reason and the domain policy, once, and goes on serving', async () => {
    await sb.admin('PUT', '/password-policy', { needsUppercase: false, needsNumeric: false });
    try {
      await sb.admin('PATCH', '/users/agent.u1', { password: 'onlylowercaseletters' });
      const event = await until('the rejection', async () => {
        const events = (await sb.admin('GET', '/events?type=user.password_changed')) as unknown as Array<{
          password: { outcome: string; reason: string | null };
        }>;
        const last = events.at(-1);
        return last && last.password.outcome !== 'pending' ? last : null;
      });
      assert.equal(event.password.outcome, 'rejected');
      assert.match(event.password.reason ?? '', /0000052D/);
      assert.match(event.password.reason ?? '', /Domain password policy: at least \d+ characters; complexity required/);
    } finally {
      await sb.admin('PUT', '/password-policy', { needsUppercase: true, needsNumeric: true });
    }
    const session = await AdSession.open(adminDc({ bindDN: 'agent.u1@example.com', bindPassword: userPasswords[0] as string }));
    await session.close();
    await sb.admin('PATCH', '/users/agent.u1', { firstname: 'Annie' });
    await until('a later change', async () => first((await adUser('agent.u1'))?.givenName) === 'Annie');
    const rejected = FileJournal.read(paths().journal).filter((e) => e.kind === 'setPassword' && e.outcome === 'failed');
    assert.equal(rejected.length, 1, 'reported once, never retried');
    assert.equal(state()?.counters.passwordsRejected, 1);
  });

  it('suspends in JumpCloud, within 60 s, a user an administrator disabled in AD, and never re-enables the account', async () => {
    const entry = await adUser('agent.u4');
    assert.ok(entry && !disabled(entry));
    const id = await jcId('agent.u4');
    const uac = Number(first(entry.userAccountControl));
    const started = Date.now();
    await fx.session.ldapClient.modify(entry.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac | 2)] }) }),
    ]);
    await until('the suspension in JumpCloud', async () => (await sb.admin('GET', '/users/agent.u4')).suspended === true, 60_000, 250);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 60_000, `suspended after ${elapsed} ms`);
    // The journal line follows the JumpCloud call that the poll above saw.
    const offboarded = await until('the journal entry', async () => {
      const entries = FileJournal.read(paths().journal).filter((e) => e.kind === 'offboardUser' && e.jcId === id);
      return entries.length > 0 ? entries : null;
    });
    assert.equal(offboarded.length, 1);
    assert.equal(offboarded[0]?.outcome, 'applied');

    // JumpCloud changes still flow to the account, but it stays disabled, even when reactivated there.
    await sb.admin('PATCH', '/users/agent.u4', { lastname: 'Leaver' });
    await until('the last name', async () => first((await adUser('agent.u4'))?.sn) === 'Leaver');
    const before = state()?.counters.reconciles ?? 0;
    await sb.admin('PATCH', '/users/agent.u4', { suspended: false });
    await until('a reconcile after the reactivation', async () => (state()?.counters.reconciles ?? 0) > before);
    const checks = state()?.counters.offboardChecks ?? 0;
    await until('one more offboarding check', async () => (state()?.counters.offboardChecks ?? 0) > checks, 30_000);
    assert.ok(disabled(await adUser('agent.u4')), 'the AD account stays disabled');
    assert.equal((await sb.admin('GET', '/users/agent.u4')).suspended, false, 'not suspended again: the admin chose to reactivate');
    assert.equal(FileJournal.read(paths().journal).filter((e) => e.kind === 'offboardUser').length, 1);
    assert.ok(FileJournal.read(paths().journal).some((e) => e.kind === 'skip' && e.jcId === id && /not re-enabled/.test(e.detail)));
  });

  it('holds back an object AD keeps refusing, quarantines it, serves the rest, and retries it when it changes', async () => {
    // AD refuses what the plan cannot foresee: a deny ACE on the root for the agent's account
    // ("create user objects") makes every create fail, while updates of existing users still work.
    const allowCreates = await denyUserCreates();
    try {
      await sb.admin('POST', '/users', {
        username: 'agent.bad',
        email: 'agent.bad@example.com',
        firstname: 'Refused',
        lastname: 'Bad',
        groups: ['Agent-e2e'],
      });
      const badId = await jcId('agent.bad');
      await until('the first failure', async () => state()?.failures[`user:${badId}`]);
      await new Promise((r) => setTimeout(r, 700));
      await sb.admin('PATCH', '/users/agent.u1', { lastname: 'Again' });
      await until('the change of another user', async () => first((await adUser('agent.u1'))?.sn) === 'Again');
      const record = await until('the quarantine', async () => (state()?.failures[`user:${badId}`]?.quarantined ? state()?.failures[`user:${badId}`] : null));
      assert.equal(record.errorId, 'AD.InsufficientRights');
      const status = await run('agent-status', { installPath });
      assert.equal(status.records[0]?.Failed, 1);
      assert.deepEqual(
        (status.records[0]?.Quarantined as Array<{ JumpCloudId: string }>).map((q) => q.JumpCloudId),
        [badId],
      );
      const tries = FileJournal.read(paths().journal).filter((e) => e.jcId === badId && e.kind === 'createUser').length;
      await sb.admin('PATCH', '/users/agent.u1', { lastname: 'Third' });
      await until('another change', async () => first((await adUser('agent.u1'))?.sn) === 'Third');
      assert.equal(FileJournal.read(paths().journal).filter((e) => e.jcId === badId && e.kind === 'createUser').length, tries, 'not retried while quarantined');
      assert.equal(await adUser('agent.bad'), null);

      await allowCreates();
      await sb.admin('PATCH', '/users/agent.bad', { firstname: 'Fixed' });
      await until('the fixed user in AD', async () => first((await adUser('agent.bad'))?.givenName) === 'Fixed');
      await until('the failure forgotten', async () => state()?.failures[`user:${badId}`] === undefined);
    } finally {
      await allowCreates();
    }
  });

  it('rides out a JumpCloud outage, reports it, and catches up after', async () => {
    await sb.admin('PUT', '/faults', {
      rules: [
        { kind: 'status', status: 503, rate: 1, path: '/agent/' },
        { kind: 'status', status: 503, rate: 1, path: '/api/' },
      ],
    });
    try {
      await until('the agent to notice', async () => state()?.connected === false, 30_000);
      await sb.admin('PATCH', '/users/agent.u1', { lastname: 'DuringOutage' });
      // Heartbeats go on through an outage; turns need not: unheard for the agent timeout (3 s
      // here), the agent stands down, so a failed turn after the change is not a given (it once
      // was awaited, and a run where the only failed turn came first timed out).
      const heartbeatsFailed = state()?.counters.heartbeatsFailed ?? 0;
      await until('two more failed heartbeats after the change', async () => (state()?.counters.heartbeatsFailed ?? 0) >= heartbeatsFailed + 2, 45_000);
      assert.notEqual(first((await adUser('agent.u1'))?.sn), 'DuringOutage');
    } finally {
      await sb.admin('DELETE', '/faults');
    }
    // Caught up at the first heartbeat through: as primary again (a takeover's full reconcile),
    // or, still primary, by ending the turn's backoff (the runner's unit test).
    await until('the catch-up', async () => first((await adUser('agent.u1'))?.sn) === 'DuringOutage', 45_000);
    await until('connected again', async () => state()?.connected === true);
    const log = readFileSync(paths().log, 'utf8');
    assert.match(log, /heartbeat failed: .*503|Service/);
    assert.match(log, /heartbeats reach JumpCloud again/);
  });

  it('keeps every secret out of argv, the environment, the files, the logs and the streams', async () => {
    const pid = state()?.pid as number;
    assert.ok(pid > 0);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    assert.deepEqual(argv.slice(1), ['run', '--config', paths().config]);
    const secrets = await installedSecrets(installPath);
    assert.ok(secrets.agentSecret && secrets.privateKeyPem);
    const check = leakProbe([connectKey, secrets.agentSecret, secrets.privateKeyPem, secrets.bindPassword, secrets.apiKey, ...userPasswords]);
    check(argv.join(' '), 'the agent command line');
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    check(environ, 'the agent environment');
    assert.ok(
      environ.split('\0').includes(`NODE_OPTIONS=${AGENT_NODE_OPTIONS}`),
      "the agent's NODE_OPTIONS is its own (empty: agent/install.ts), not the caller's",
    );
    for (const [name, value] of Object.entries(ENGINE_LINUX_ENV))
      assert.ok(environ.split('\0').includes(`${name}=${value}`), `the agent runs with ${name}=${value}`);
    check(readFileSync(paths().config, 'utf8'), 'agent.json');
    check(readIfExists(paths().state), 'state.json');
    check(readIfExists(paths().journal), 'the journal');
    check(readIfExists(paths().log), 'the agent log');
    check(readIfExists(execLog), 'the engine log');
    for (const output of outputs) check(output.raw, 'an engine answer');
    assert.ok(readIfExists(paths().log).length > 0 && readIfExists(paths().journal).length > 0, 'the checks saw real content');
  });

  it('stops gracefully on SIGTERM, keeps its state, and starts again as the same agent', async () => {
    const agentId = state()?.agentId;
    const stopped = await run('agent-stop', { installPath, timeoutSeconds: 20 });
    assert.equal(stopped.code, 0, stopped.raw);
    assert.equal(
      stopped.lines.find((l) => l.type === 'result')?.summary && (stopped.lines.find((l) => l.type === 'result')?.summary as { killed: boolean }).killed,
      false,
    );
    const saved = state();
    assert.equal(saved?.status, 'stopped');
    assert.equal(saved?.pid, null);
    assert.equal(readIfExists(paths().pid), '');
    const cursor = saved?.cursor as number;
    await sb.admin('PATCH', '/users/agent.u1', { lastname: 'WhileStopped' });
    const restarted = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(restarted.code, 0, restarted.raw);
    assert.equal(state()?.agentId, agentId);
    await until('the change made while stopped', async () => first((await adUser('agent.u1'))?.sn) === 'WhileStopped');
    await until('the cursor to move past the change', async () => (state()?.cursor ?? 0) > cursor);
  });
});
