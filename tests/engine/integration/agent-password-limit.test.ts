// The rolling safety limit over passwords from JumpCloud (kind passwordChange), through a real
// agent, the sandbox's agent channel and the test DC: a burst of password changes (a compromised
// feed) stops at the limit; the held passwords are neither written to AD nor acknowledged nor
// kept anywhere on the agent's side (JumpCloud keeps them sealed and delivers them again); the
// agent says so in its status and history, once, through reconciles and a restart of the agent
// (which forgets nothing JumpCloud still holds); the administrator's approval
// (safety-approve, as Approve-JCSyncSafetyLimit -SafetyKind passwordChange) lets exactly the held
// passwords through at their next delivery (proven by binding as each user over LDAPS).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths } from '../../../engine/src/agent/config';
import { peekAgentState } from '../../../engine/src/agent/state';
import { AdSession } from '../../../engine/src/ad/session';
import { FileJournal } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, until } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const USERS = 5;
const LIMIT = 3;

interface PasswordEvent {
  id: string;
  data: { userId: string };
  password: { outcome: string };
}

describe('agent: passwords from JumpCloud count against the rolling safety limit', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let installPath = '';
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-pwlimit-'));
  const log = join(work, 'exec.log');
  const users: Array<{ id: string; username: string; password: string }> = [];

  const passwordEvents = async () => (await sb.admin('GET', '/events?type=user.password_changed')) as unknown as PasswordEvent[];
  const canBind = async (username: string, password: string) => {
    try {
      const session = await AdSession.open(adminDc({ bindDN: `${username}@example.com`, bindPassword: password }));
      await session.close();
      return true;
    } catch {
      return false;
    }
  };
  const holdOf = async () => {
    const status = await exec('agent-status', { installPath }, log);
    return (status.records[0]?.SafetyHold ?? []) as Array<Record<string, unknown>>;
  };
  /** Every file of the agent's folder (config, state, journal, logs, keys), read as text. */
  const agentFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? agentFiles(path) : [readFileSync(path).toString('latin1')];
    });

  before(async () => {
    assertEngineBuilt();
    // A short delivery lease: a held password comes again within seconds.
    sb = await startTestSandbox({ seed: 'empty', passwordLeaseMs: 1500 });
    fx = await openFixture('jcadi-agent-pwlimit');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    for (let i = 1; i <= USERS; i++) {
      const username = `pwl.user${i}`;
      const user = await sb.admin('POST', '/users', {
        username,
        email: `${username}@example.com`,
        firstname: 'Pw',
        lastname: `Limit${i}`,
        bindToDomain: DOMAIN,
      });
      users.push({ id: String(user._id), username, password: `Pw-limit-${i}!Xy${Date.now().toString(36)}` });
    }
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
    const installed = await installAgent(
      {
        jumpcloud,
        rootUserDN: fx.rootDN.replace(/,/g, ';'),
        connectKey: String(key.records[0]?.Key),
        sync: { offboardPollSeconds: 1 },
      },
      log,
    );
    assert.equal(installed.result.code, 0, installed.result.raw);
    installPath = installed.installPath;
    const configured = await exec('agent-configure', { installPath, sync: { maxDisableCount: LIMIT }, verify: false }, log);
    assert.equal(configured.code, 0, configured.raw);
    const started = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(started.code, 0, started.raw);
    await until(
      'every user in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=user)', attributes: ['cn'] })).length === USERS,
      60_000,
      250,
    );
  });

  after(async () => {
    if (installPath) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('a burst of password changes stops at the limit, nothing held is written or kept, and the approval lets exactly the held ones through', async () => {
    for (const u of users) await sb.admin('PATCH', `/users/${u.id}`, { password: u.password });

    // The limit admits three; two are held: still pending in JumpCloud (not acknowledged).
    const settled = await until(
      'three passwords applied, two held',
      async () => {
        const events = await passwordEvents();
        const applied = events.filter((e) => e.password.outcome === 'applied');
        const hold = await holdOf();
        return applied.length === LIMIT && hold.some((h) => h.Kind === 'passwordChange' && h.Held === USERS - LIMIT) ? events : null;
      },
      60_000,
      250,
    );
    const heldIds = new Set(settled.filter((e) => e.password.outcome === 'pending').map((e) => e.data.userId));
    assert.equal(heldIds.size, USERS - LIMIT, JSON.stringify(settled.map((e) => e.password)));
    const held = users.filter((u) => heldIds.has(u.id));
    const written = users.filter((u) => !heldIds.has(u.id));
    for (const u of written) assert.equal(await canBind(u.username, u.password), true, `${u.username} has the password from JumpCloud`);
    for (const u of held) assert.equal(await canBind(u.username, u.password), false, `${u.username}'s password is held: not in AD`);

    const hold = (await holdOf()).find((h) => h.Kind === 'passwordChange') as Record<string, unknown>;
    assert.deepEqual({ inWindow: hold.InWindow, limit: hold.Limit }, { inWindow: LIMIT, limit: LIMIT });
    assert.match(String(hold.Message), /Approve-JCSyncSafetyLimit -SafetyKind passwordChange/);

    // Delivered again (lease 1.5 s) and held again: still pending, still not in AD, reported once.
    const state = () => peekAgentState(agentPaths(installPath).state);
    const polls = state()?.counters.eventsProcessed ?? 0;
    await until('held passwords delivered again', async () => (state()?.counters.eventsProcessed ?? 0) >= polls + 2 * held.length, 30_000, 250);
    assert.equal((await passwordEvents()).filter((e) => e.password.outcome === 'pending').length, held.length);
    for (const u of held) assert.equal(await canBind(u.username, u.password), false);
    const journal = FileJournal.read(agentPaths(installPath).journal);
    assert.equal(journal.filter((e) => e.kind === 'safetyLimit' && e.target === 'passwordChange').length, 1, 'the hold is in the history, once');
    assert.equal(
      journal.filter((e) => e.kind === 'setPassword' && e.outcome === 'reported').length,
      held.length,
      'each held password is reported once, however often it is delivered',
    );
    assert.equal(state()?.counters.passwordsApplied, LIMIT);
    assert.equal(state()?.counters.passwordsRejected, 0, 'a held password is not a rejected one');

    // Reconciles meanwhile (a targeted one for a name change; a full one at a restart of the
    // agent, which also forgets which events it held) keep the password hold in the status, do not
    // report it again, and lose no held password: JumpCloud still has them.
    const counters = () => state()?.counters ?? { reconciles: 0, targetedReconciles: 0, eventsProcessed: 0 };
    const fulls = () => counters().reconciles - counters().targetedReconciles;
    const targetedBefore = counters().targetedReconciles;
    const renamed = written[0] as (typeof users)[number];
    await sb.admin('PATCH', `/users/${renamed.id}`, { lastname: 'Renamed' });
    await until('the targeted reconcile of the name change', async () => counters().targetedReconciles > targetedBefore, 30_000, 250);
    const stopped = await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
    assert.equal(stopped.code, 0, stopped.raw);
    const fullBefore = fulls();
    const restarted = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(restarted.code, 0, restarted.raw);
    await until('the full reconcile at the start', async () => fulls() > fullBefore, 60_000, 250);
    const seen = counters().eventsProcessed;
    await until('held passwords delivered again after the reconciles', async () => counters().eventsProcessed >= seen + held.length, 30_000, 250);
    assert.ok(
      (await holdOf()).some((h) => h.Kind === 'passwordChange' && h.Held === held.length),
      'the hold survives the reconciles',
    );
    assert.equal(
      FileJournal.read(agentPaths(installPath).journal).filter((e) => e.kind === 'safetyLimit' && e.target === 'passwordChange').length,
      1,
      'and is still reported once',
    );
    for (const u of held) assert.equal(await canBind(u.username, u.password), false);

    // Never opened, never stored: no held password in any file of the agent (state, journal, logs, config).
    for (const text of agentFiles(dirname(installPath))) {
      for (const u of users) assert.ok(!text.includes(u.password), `no password from JumpCloud in the agent's files`);
    }

    const approval = await exec('safety-approve', { installPath, kind: 'passwordChange' }, log);
    assert.equal(approval.code, 0, approval.raw);
    assert.equal(approval.records[0]?.Approved, held.length);
    await until(
      'the held passwords written at their next delivery',
      async () => (await passwordEvents()).every((e) => e.password.outcome === 'applied'),
      60_000,
      250,
    );
    for (const u of held) assert.equal(await canBind(u.username, u.password), true, `${u.username} has the password from JumpCloud after the approval`);
    await until('the hold cleared in the status', async () => !(await holdOf()).some((h) => h.Kind === 'passwordChange'), 30_000, 250);
    const history = FileJournal.read(agentPaths(installPath).journal);
    assert.equal(history.filter((e) => e.kind === 'setPassword' && e.outcome === 'applied').length, USERS);
    assert.ok(
      history.some((e) => e.kind === 'approveSafetyLimit' && e.target === 'passwordChange' && e.outcome === 'applied'),
      'the approval is journaled',
    );

    // Over the limit again: a sixth password (the window still holds five) is held.
    const extra = users[0] as (typeof users)[number];
    const again = `${extra.password}-2`;
    await sb.admin('PATCH', `/users/${extra.id}`, { password: again });
    await until('a further password held again', async () => (await holdOf()).some((h) => h.Kind === 'passwordChange'), 30_000, 250);
    assert.equal(await canBind(extra.username, again), false);
  });
});
