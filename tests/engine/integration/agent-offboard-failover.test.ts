// Automated offboarding across a failover (three `jcadi-engine run` processes on one domain, the
// sandbox's agent timeout at 3 s). What was offboarded is marked in AD (the anchor's ;offboarded),
// so a new primary, which has no change-tracking watermark, looks at every managed account once
// and decides from AD alone:
//   - the primary dies after an administrator disabled an account but before it acted: the new
//     primary suspends the user within 60 s, exactly once;
//   - the old primary acted and the administrator then reactivated the user in JumpCloud: the
//     new primary does not suspend the user again;
//   - an account enabled again loses the mark, so disabling it again offboards the user anew.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change } from 'ldapts';
import { processAlive } from '../../../engine/src/agent/install';
import { AdWriter } from '../../../engine/src/ad/writer';
import { EngineError } from '../../../engine/src/errors';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { agentPaths } from '../../../engine/src/agent/config';
import { FileJournal, type JournalEntry } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, until, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const USERS = ['ob.u1', 'ob.u2', 'ob.u3'];

describe('offboarding survives a failover: the mark in AD, not the primary’s memory', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  const installs: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'jcadi-offboard-failover-'));
  const log = join(work, 'exec.log');
  const ids = new Map<string, string>();

  const states = () => installs.map((p) => peekAgentState(agentPaths(p).state));
  const primaries = () => states().filter((s): s is AgentState => s !== null && s.primary && processAlive(s.pid));
  const journalOf = (agentId: string): JournalEntry[] =>
    FileJournal.read(agentPaths(installs.find((p) => peekAgentState(agentPaths(p).state)?.agentId === agentId) as string).journal);
  const offboardings = (username: string) =>
    installs.flatMap((p) => FileJournal.read(agentPaths(p).journal)).filter((e) => e.kind === 'offboardUser' && e.jcId === ids.get(username));
  const account = async (username: string) => {
    const [entry] = await fx.session.search(fx.rootDN, {
      scope: 'sub',
      filter: `(sAMAccountName=${username})`,
      attributes: ['userAccountControl', 'adminDescription'],
    });
    assert.ok(entry, `${username} in AD`);
    // The agents keep the anchor key in AD (ad/anchorkey.ts): every anchor they write ends in its proof.
    const full = String(first(entry.adminDescription));
    const proof = /;proof=([A-Za-z0-9_-]{22})$/.exec(full)?.[1] ?? null;
    return { dn: entry.dn, uac: Number(first(entry.userAccountControl)), anchor: full.replace(/;proof=[A-Za-z0-9_-]{22}$/, ''), proof, full };
  };
  const setDisabled = async (username: string, disabled: boolean) => {
    const { dn, uac } = await account(username);
    const next = disabled ? uac | 2 : uac & ~2;
    await fx.session.ldapClient.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(next)] }) }),
    ]);
  };
  const suspendedInJumpCloud = async (username: string) => (await sb.admin('GET', `/users/${username}`)).suspended === true;
  /** Times JumpCloud's record of the user went from active to suspended. */
  const suspensions = async (username: string) => {
    const events = (await sb.admin('GET', '/events?type=user.updated&limit=1000')) as unknown as Array<{
      data: { user: { _id: string; suspended?: boolean }; changed: string[] };
    }>;
    return events.filter((e) => e.data.user._id === ids.get(username) && e.data.changed.includes('suspended') && e.data.user.suspended === true).length;
  };
  /** Waits until the agent has made `n` more offboarding checks. */
  const moreChecks = async (agentId: string, n: number) => {
    const stateOf = () => states().find((s) => s?.agentId === agentId);
    const checks = stateOf()?.counters.offboardChecks ?? 0;
    await until(`${n} more offboarding check(s) of ${agentId}`, async () => (stateOf()?.counters.offboardChecks ?? 0) >= checks + n, 60_000, 250);
  };
  /** Kills the primary; returns the agent that takes over. */
  const failover = async (beforeKill?: () => Promise<void>) => {
    const primary = primaries()[0] as AgentState;
    const standbys = states().filter((s): s is AgentState => s !== null && s.agentId !== primary.agentId && processAlive(s.pid));
    assert.ok(standbys.length > 0 && standbys.every((s) => s.usn === null), 'no standby has a change-tracking watermark of its own');
    // Frozen first, so it cannot act on what happens before it dies.
    process.kill(primary.pid as number, 'SIGSTOP');
    await beforeKill?.();
    process.kill(primary.pid as number, 'SIGKILL');
    const successor = await until('another primary', async () => primaries().find((s) => s.agentId !== primary.agentId), 30_000, 50);
    return { killed: primary, successor };
  };

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-offboard');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Offboard', bindToDomain: DOMAIN });
    for (const username of USERS) {
      const user = await sb.admin('POST', '/users', { username, email: `${username}@example.com`, firstname: 'Off', lastname: 'Board', groups: ['Offboard'] });
      ids.set(username, String(user._id));
    }
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    for (let n = 0; n < 3; n++) {
      const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
      const installed = await installAgent({ jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey: String(key.records[0]?.Key) }, log);
      assert.equal(installed.result.code, 0, installed.result.raw);
      installs.push(installed.installPath);
      const started = await exec('agent-start', { installPath: installed.installPath, timeoutSeconds: 30 }, log);
      assert.equal(started.code, 0, started.raw);
    }
    await until('one primary', async () => primaries().length === 1 && states().every((s) => s?.connected));
    for (const username of USERS)
      await until(`${username} in AD, enabled`, async () => (await account(username).catch(() => null))?.anchor === `JumpCloud:${ids.get(username)}`, 30_000);
    for (const username of USERS) assert.ok((await account(username)).proof, `${username}'s anchor carries its proof`);
  });

  after(async () => {
    for (const installPath of installs) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('the primary dies after an AD disable but before acting: the new primary suspends the user within 60 s, exactly once', async (t) => {
    let disabledAt = 0;
    const { killed, successor } = await failover(async () => {
      await setDisabled('ob.u1', true);
      disabledAt = Date.now();
    });
    await until('the suspension in JumpCloud', () => suspendedInJumpCloud('ob.u1'), 60_000, 250);
    const elapsed = Date.now() - disabledAt;
    assert.ok(elapsed < 60_000, `suspended ${elapsed} ms after the disable`);
    await until('the mark in AD', async () => (await account('ob.u1')).anchor === `JumpCloud:${ids.get('ob.u1')};offboarded`);
    assert.equal(journalOf(killed.agentId as string).filter((e) => e.kind === 'offboardUser').length, 0, 'the dead primary never acted');

    await moreChecks(successor.agentId as string, 2); // more checks of the new primary
    const done = offboardings('ob.u1');
    assert.equal(done.length, 1, 'journaled once over all agents');
    assert.equal(done[0]?.outcome, 'applied');
    assert.match(done[0]?.detail ?? '', /suspended in JumpCloud/);
    assert.equal(
      journalOf(successor.agentId as string).filter((e) => e.kind === 'offboardUser' && e.jcId === ids.get('ob.u1')).length,
      1,
      'by the new primary',
    );
    assert.equal(await suspensions('ob.u1'), 1, 'JumpCloud saw one suspension');
    t.diagnostic(`offboarding across a failover: suspended ${elapsed} ms after the disable`);
  });

  it('the old primary acted: after the admin reactivated the user in JumpCloud, the next primary does not suspend again', async () => {
    const current = primaries()[0] as AgentState;
    await setDisabled('ob.u2', true);
    await until('the suspension by the current primary', () => suspendedInJumpCloud('ob.u2'), 60_000, 250);
    await until('the mark in AD', async () => (await account('ob.u2')).anchor === `JumpCloud:${ids.get('ob.u2')};offboarded`);
    assert.equal(journalOf(current.agentId as string).filter((e) => e.kind === 'offboardUser' && e.jcId === ids.get('ob.u2')).length, 1);
    // The administrator deliberately gives both users their JumpCloud access back; AD stays disabled.
    await sb.admin('PATCH', '/users/ob.u1', { suspended: false });
    await sb.admin('PATCH', '/users/ob.u2', { suspended: false });

    const { successor } = await failover();
    await until(
      'the next primary’s first offboarding check',
      async () => peekAgentState(agentPaths(installs.find((p) => peekAgentState(agentPaths(p).state)?.agentId === successor.agentId) as string).state)?.usn,
      60_000,
      250,
    );
    await moreChecks(successor.agentId as string, 1);
    for (const username of ['ob.u1', 'ob.u2']) {
      assert.equal(await suspendedInJumpCloud(username), false, `${username} not suspended again`);
      assert.equal(offboardings(username).length, 1, `${username} offboarded once in all`);
      assert.equal((await account(username)).uac & 2, 2, `${username} stays disabled in AD`);
      assert.ok((await account(username)).anchor.endsWith(';offboarded'), `${username} keeps its mark`);
    }
    assert.equal(journalOf(successor.agentId as string).filter((e) => e.kind === 'offboardUser').length, 0);
    assert.ok(
      journalOf(successor.agentId as string).some((e) => e.kind === 'skip' && e.jcId === ids.get('ob.u2') && /offboarded.*not re-enabled/.test(e.detail)),
      'the planner reports the account it keeps disabled',
    );
  });

  it('clears the mark when an administrator enables the account again; a later disable offboards anew', async () => {
    await setDisabled('ob.u2', false);
    await until('the mark cleared', async () => (await account('ob.u2')).anchor === `JumpCloud:${ids.get('ob.u2')}`, 30_000, 250);
    await setDisabled('ob.u2', true);
    await until('the second suspension', () => suspendedInJumpCloud('ob.u2'), 60_000, 250);
    await until('marked again', async () => (await account('ob.u2')).anchor.endsWith(';offboarded'));
    assert.equal(offboardings('ob.u2').length, 2);
    assert.equal(offboardings('ob.u3').length, 0, 'an account nobody disabled is left alone');
    assert.equal(await suspendedInJumpCloud('ob.u3'), false);
  });

  it('writes the mark as a compare-and-swap: an anchor that changed since it was read is left as it is', async () => {
    const writer = new AdWriter(fx.session, 'adminDescription');
    const { dn, full: anchor } = await account('ob.u3');
    const stale = { jcId: ids.get('ob.u3') as string, syncDisabled: true, offboarded: false };
    await assert.rejects(writer.setOffboarded(dn, stale, true), (err: unknown) => err instanceof EngineError && err.details.ldapCode === 16);
    assert.equal((await account('ob.u3')).full, anchor, 'nothing written');
  });
});
