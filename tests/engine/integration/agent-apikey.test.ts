// The sync agent in API-key mode, end to end: installed from the real engine binary without a
// connect key, run against the sandbox and Samba. Changes made in JumpCloud reach AD within
// seconds through Directory Insights (the scheduled full reconcile is a day away); an account
// disabled in AD is suspended in JumpCloud; the Directory Insights cursor survives a restart
// without replaying work; the agent channel (/agent/v1) is never called; a Directory Insights
// outage is ridden out, a refused key stops the agent with a clear error; no secret leaks.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change } from 'ldapts';
import { peekAgentState } from '../../../engine/src/agent/state';
import { agentPaths, readAgentConfig } from '../../../engine/src/agent/config';
import { FileJournal } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, installedSecrets, leakProbe, readIfExists, until, type ExecResult, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { canaryNeedles, filesUnder, scanFiles } from '../helpers/canary';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';

describe('sync agent in API-key mode: Directory Insights, periodic reconcile, no agent channel', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let installPath: string;
  const requests: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-apikey-'));
  const execLog = join(work, 'exec.log');
  const outputs: ExecResult[] = [];
  const userPassword = 'ApiKey-mode-Pw!2024x';
  // Logon names are unique across the whole domain, and the test DC is shared: names of this run
  // only, so a concurrent run or the leftovers of an interrupted one are no "name already used".
  const NAME = `akey${randomBytes(3).toString('hex')}`;
  const GROUP = `ApiKey-e2e-${NAME}`;
  const run = async (command: string, params: Record<string, unknown>) => {
    const result = await exec(command, params, execLog);
    outputs.push(result);
    return result;
  };
  const adUser = async (sam: string) => {
    const [entry] = await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ['sn', 'userAccountControl', 'cn'] });
    return entry ?? null;
  };
  const disabled = (entry: Record<string, unknown> | null) => (Number(first(entry?.userAccountControl)) & 2) === 2;
  const paths = () => agentPaths(installPath);
  const state = () => peekAgentState(paths().state);
  const journal = () => FileJournal.read(paths().journal);
  const jcId = async (username: string) => String((await sb.admin('GET', `/users/${username}`))._id);
  const jumpcloud = () => ({ baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile });

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', accessLog: (line) => requests.push(line) });
    fx = await openFixture('jcadi-apikey');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: GROUP, bindToDomain: DOMAIN });
    for (let i = 1; i <= 4; i++)
      await sb.admin('POST', '/users', {
        username: `${NAME}.u${i}`,
        email: `${NAME}.u${i}@example.com`,
        firstname: `Ann${i}`,
        lastname: `Lee${i}`,
        groups: [GROUP],
      });
    // Any call to the agent channel would fail, and be counted.
    await sb.admin('POST', '/faults', { kind: 'status', status: 503, rate: 1, path: '/agent/' });
  });

  after(async () => {
    // The fixture's OU is removed even when stopping the agent fails: the test DC is shared.
    try {
      if (installPath) {
        await exec('agent-stop', { installPath, timeoutSeconds: 20 }, execLog);
        rmSync(dirname(installPath), { recursive: true, force: true });
      }
      rmSync(work, { recursive: true, force: true });
    } finally {
      await fx?.close();
      await sb?.close();
    }
  });

  it('refuses a connect key in the API-key mode, and asks for one in the channel mode', async () => {
    const base = { jumpcloud: jumpcloud(), rootUserDN: fx.rootDN.replace(/,/g, ';'), installPath: join(work, 'refused', 'AD Integration') };
    const both = await installAgent({ ...base, mode: 'apiKey', connectKey: 'jcck_not-wanted-here' }, execLog);
    assert.equal(both.result.code, 2, both.result.raw);
    assert.equal(both.result.errors[0]?.id, 'Agent.ConnectKeyMode');
    const neither = await installAgent({ ...base, mode: 'channel' }, execLog);
    assert.equal(neither.result.code, 2, neither.result.raw);
    assert.equal(neither.result.errors[0]?.id, 'Request.Invalid');
    assert.match(String(neither.result.errors[0]?.message), /params\.connectKey/);
    assert.equal(readIfExists(join(base.installPath, 'agent.json')), '', 'nothing installed');
  });

  it('installs without a connect key, records mode apiKey, and starts without exchange or heartbeat', async () => {
    const installed = await installAgent(
      {
        jumpcloud: jumpcloud(),
        rootUserDN: fx.rootDN.replace(/,/g, ';'),
        mode: 'apiKey',
        sync: { fullReconcileMinutes: 1440, insightsPollSeconds: 1, offboardPollSeconds: 2 },
      },
      execLog,
    );
    installPath = installed.installPath;
    outputs.push(installed.result);
    assert.equal(installed.result.code, 0, installed.result.raw);
    assert.equal(installed.result.records[0]?.Mode, 'ApiKey');
    const config = readAgentConfig(paths().config);
    assert.equal(config.mode, 'apiKey');
    assert.equal(config.connectKey, undefined);
    assert.equal(config.agent, undefined);
    assert.equal(config.sync.insightsPollSeconds, 1);

    const started = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(started.code, 0, started.raw);
    const status = started.records[0] as Record<string, unknown>;
    assert.equal(status.Mode, 'ApiKey');
    assert.equal(status.PasswordSync, 'not synced in API-key mode');
    assert.equal(status.Role, 'Standalone');
    assert.equal(status.Connected, true);
    assert.equal(status.ConnectKeyExchanged, null);
    await until(
      'the four users in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=user)', attributes: ['cn'] })).length === 4,
    );
    assert.ok(state()?.insights?.time, 'a Directory Insights cursor');
    const info = await sb.admin('GET', '/info');
    assert.deepEqual((info.domains as Array<{ agents: unknown[] }>)[0]?.agents, [], 'no agent registered with the agent service');
  });

  it('applies a name change and a suspension made in JumpCloud within seconds, through Directory Insights', async () => {
    const reconcilesBefore = state()?.counters.reconciles ?? 0;
    const started = Date.now();
    await sb.admin('PATCH', `/users/${NAME}.u1`, { lastname: 'Married' });
    await sb.admin('PATCH', `/users/${NAME}.u2`, { suspended: true });
    await until('the new last name', async () => first((await adUser(`${NAME}.u1`))?.sn) === 'Married', 15_000, 50);
    await until('the suspension', async () => disabled(await adUser(`${NAME}.u2`)), 15_000, 50);
    const latency = Date.now() - started;
    assert.ok(latency < 10_000, `visible in AD after ${latency} ms`);
    // The agent counts the reconcile after its writes: AD can show the change a moment before the state does.
    await until('the reconcile counted', async () => (state()?.counters.reconciles ?? 0) > reconcilesBefore, 5000, 50);
    // Targeted: only the users the events name are read.
    await until(
      'the targeted reconcile in the log',
      async () => /targeted reconcile \(\d+ Directory Insights event\(s\); [12] user\(s\), 0 group\(s\)\): [1-9]\d* applied/.test(readIfExists(paths().log)),
      5000,
    );
    await until('the targeted reconcile counted', async () => (state()?.counters.targetedReconciles ?? 0) > 0, 5000, 50);
    await until('both events counted', async () => (state()?.counters.eventsProcessed ?? 0) >= 2, 5000, 50);
    assert.doesNotMatch(readIfExists(paths().log), /reconcile \(schedule\)/, 'not the scheduled reconcile');
    process.stdout.write(`# API-key mode: JumpCloud change → AD in ${latency} ms\n`);
  });

  it('creates a new user with a random initial password, and syncs no password', async () => {
    await sb.admin('POST', '/users', { username: `${NAME}.new`, email: `${NAME}.new@example.com`, firstname: 'New', lastname: 'Comer', groups: [GROUP] });
    // Created disabled, given its random password, then enabled (AD enables no account without one).
    await until('the new user enabled in AD', async () => {
      const entry = await adUser(`${NAME}.new`);
      return entry !== null && !disabled(entry);
    });
    await sb.admin('PATCH', `/users/${NAME}.u1`, { password: userPassword });
    await sb.admin('PATCH', `/users/${NAME}.u1`, { lastname: 'AfterPassword' });
    await until('the change after the password', async () => first((await adUser(`${NAME}.u1`))?.sn) === 'AfterPassword');
    const created = journal().filter((e) => e.kind === 'createUser' && e.target.startsWith(`CN=${NAME}.new,`));
    assert.equal(created.length, 1);
    assert.equal(created[0]?.outcome, 'applied');
    assert.equal(journal().filter((e) => e.kind === 'setPassword').length, 0, 'no password reaches AD in API-key mode');
    assert.equal(state()?.counters.passwordsApplied, 0);
  });

  it('suspends in JumpCloud a user an administrator disabled in AD, once', async () => {
    const entry = await adUser(`${NAME}.u3`);
    assert.ok(entry && !disabled(entry));
    const id = await jcId(`${NAME}.u3`);
    await fx.session.ldapClient.modify(entry.dn, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'userAccountControl', values: [String(Number(first(entry.userAccountControl)) | 2)] }),
      }),
    ]);
    await until('the suspension in JumpCloud', async () => (await sb.admin('GET', `/users/${NAME}.u3`)).suspended === true, 30_000, 250);
    // The suspension's own Directory Insights event is read and reconciled: a few polls past it.
    const polls = state()?.counters.insightsPolls ?? 0;
    await until('three more Directory Insights polls', async () => (state()?.counters.insightsPolls ?? 0) >= polls + 3, 30_000);
    assert.equal(journal().filter((e) => e.kind === 'offboardUser' && e.jcId === id).length, 1);
    assert.ok(disabled(await adUser(`${NAME}.u3`)), 'the AD account stays disabled');
  });

  it('keeps the Directory Insights cursor across a restart: a change made while stopped is applied once, old events are not replayed', async () => {
    const stopped = await run('agent-stop', { installPath, timeoutSeconds: 20 });
    assert.equal(stopped.code, 0, stopped.raw);
    const saved = state();
    assert.equal(saved?.status, 'stopped');
    const cursor = saved?.insights;
    assert.ok(cursor && cursor.ids.length > 0, 'the cursor and the ids of its overlap are saved');
    const processed = saved?.counters.eventsProcessed ?? 0;
    const since = new Date().toISOString();
    const u4 = await jcId(`${NAME}.u4`);
    await sb.admin('PATCH', `/users/${NAME}.u4`, { lastname: 'WhileStopped' });

    const restarted = await run('agent-start', { installPath, timeoutSeconds: 30 });
    assert.equal(restarted.code, 0, restarted.raw);
    await until('the change made while stopped', async () => first((await adUser(`${NAME}.u4`))?.sn) === 'WhileStopped');
    await until('the cursor past the change', async () => Date.parse(state()?.insights?.time ?? '') > Date.parse(cursor.time));
    const polls = state()?.counters.insightsPolls ?? 0;
    await until('three more polls over the overlap window', async () => (state()?.counters.insightsPolls ?? 0) >= polls + 3, 30_000);
    assert.equal((state()?.counters.eventsProcessed ?? 0) - processed, 1, 'only the one new event was processed; the overlap was not replayed');
    const updates = journal().filter((e) => e.jcId === u4 && e.kind === 'updateUser' && e.time >= since);
    assert.equal(updates.length, 1, 'the journal shows the change once');
  });

  it('never calls the agent channel: only the public API and Directory Insights', async () => {
    assert.ok(
      requests.some((l) => l.startsWith('POST /insights/directory/v1/events ')),
      'Directory Insights was polled',
    );
    assert.ok(
      requests.some((l) => l.startsWith('GET /api/v2/activedirectories')),
      'the public API was used',
    );
    assert.deepEqual(
      requests.filter((l) => / \/agent\//.test(l)),
      [],
    );
    const faults = (await sb.admin('GET', '/faults')) as unknown as { rules: Array<{ path?: string; hits: number }> } | Array<{ path?: string; hits: number }>;
    const rules = Array.isArray(faults) ? faults : faults.rules;
    assert.equal(rules.find((r) => r.path === '/agent/')?.hits, 0);
  });

  it('keeps every secret out of argv, the environment, the files, the logs and the streams', async () => {
    const pid = state()?.pid as number;
    assert.ok(pid > 0);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    assert.deepEqual(argv.slice(1), ['run', '--config', paths().config]);
    const secrets = await installedSecrets(installPath);
    assert.equal(secrets.connectKey, null);
    const check = leakProbe([secrets.bindPassword, secrets.apiKey, sb.apiKey, adminDc().bindPassword, userPassword]);
    check(argv.join(' '), 'the agent command line');
    check(readFileSync(`/proc/${pid}/environ`, 'utf8'), 'the agent environment');
    check(readFileSync(paths().config, 'utf8'), 'agent.json');
    check(readIfExists(paths().state), 'state.json');
    check(readIfExists(paths().journal), 'the journal');
    check(readIfExists(paths().log), 'the agent log');
    check(readIfExists(execLog), 'the engine log');
    for (const output of outputs) check(output.raw, 'an engine answer');
    assert.ok(readIfExists(paths().log).length > 0 && readIfExists(paths().journal).length > 0, 'the checks saw real content');
    // Every file of the install, in every encoding a secret could leak in (UTF-16, hex, base64).
    const files = [...filesUnder(dirname(installPath)), execLog];
    assert.ok(files.length >= 6, `scanned ${files.length} files`);
    for (const secret of [secrets.bindPassword, secrets.apiKey, userPassword]) {
      assert.deepEqual(scanFiles(files, canaryNeedles(secret)), [], `${secret.slice(0, 4)}… is in no file`);
    }
  });

  it('rides out a Directory Insights outage (degraded), and catches up after', async () => {
    await sb.admin('POST', '/faults', { kind: 'status', status: 503, rate: 1, path: '/insights/' });
    try {
      await until('the agent to report the outage', async () => state()?.status === 'degraded', 30_000);
      assert.equal(state()?.connected, false);
      assert.equal(state()?.lastError?.id, 'JumpCloud.ServiceError');
      await sb.admin('PATCH', `/users/${NAME}.u1`, { lastname: 'DuringOutage' });
    } finally {
      await sb.admin('DELETE', '/faults');
      await sb.admin('POST', '/faults', { kind: 'status', status: 503, rate: 1, path: '/agent/' });
    }
    await until('the catch-up', async () => first((await adUser(`${NAME}.u1`))?.sn) === 'DuringOutage', 60_000);
    await until('running again', async () => state()?.status === 'running' && state()?.connected === true, 60_000);
  });

  it('stops with a clear error when Directory Insights refuses the key (403), and refuses to start while it does', async () => {
    await sb.admin('POST', '/faults', { kind: 'status', status: 403, rate: 1, path: '/insights/' });
    try {
      await until('the agent to stop', async () => state()?.status === 'failed', 30_000);
      const last = state()?.lastError;
      assert.equal(last?.id, 'JumpCloud.Forbidden');
      assert.match(last?.message ?? '', /POST \/insights\/directory\/v1\/events/);
      assert.match(last?.message ?? '', /API-key mode/);
      await until('the process gone', async () => state()?.pid === null);
      const again = await run('agent-start', { installPath, timeoutSeconds: 20 });
      assert.notEqual(again.code, 0);
      assert.equal(again.errors[0]?.id, 'JumpCloud.Forbidden');
    } finally {
      await sb.admin('DELETE', '/faults');
    }
  });
});
