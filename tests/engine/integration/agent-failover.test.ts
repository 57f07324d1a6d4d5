// Three sync agents on one ADI domain (three `jcadi-engine run` processes against the same DC,
// the sandbox's agent timeout at 3 s): one primary, two standbys. Killing the primary moves the
// role; changes made before, during and after the failover all reach AD, none is applied twice
// (the journals of all three agents are read together) and none is lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { processAlive } from '../../../engine/src/agent/install';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { AdSession } from '../../../engine/src/ad/session';
import { agentPaths } from '../../../engine/src/agent/config';
import { FileJournal, type JournalEntry } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, until, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const USERS = 9;

describe('three agents on one domain: primary, standbys, failover', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  const installs: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'jcadi-failover-'));
  const log = join(work, 'exec.log');
  const ids = new Map<string, string>();
  let killed: string | null = null;

  const states = () => installs.map((p) => peekAgentState(agentPaths(p).state));
  const primaries = () => states().filter((s): s is AgentState => s !== null && s.primary && processAlive(s.pid));
  const sn = async (username: string) => {
    const [entry] = await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['sn'] });
    return first(entry?.sn);
  };
  const canBind = async (username: string, password: string) => {
    try {
      await (await AdSession.open(adminDc({ bindDN: `${username}@example.com`, bindPassword: password }))).close();
      return true;
    } catch {
      return false;
    }
  };
  const journals = (): JournalEntry[] => installs.flatMap((p) => FileJournal.read(agentPaths(p).journal));
  const change = async (i: number, lastname: string) => sb.admin('PATCH', `/users/fo.u${i}`, { lastname });

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-failover');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: 'Failover', bindToDomain: DOMAIN });
    for (let i = 1; i <= USERS; i++) {
      const user = await sb.admin('POST', '/users', {
        username: `fo.u${i}`,
        email: `fo.u${i}@example.com`,
        firstname: 'Fail',
        lastname: `Over${i}`,
        groups: ['Failover'],
      });
      ids.set(`fo.u${i}`, String(user._id));
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

  it('designates exactly one primary; the other two stay connected as standbys', async () => {
    await until('one primary, two standbys', async () => {
      const all = states();
      return all.every((s) => s?.connected) && all.filter((s) => s?.primary).length === 1;
    });
    const info = await sb.admin('GET', '/info');
    const domain = (info.domains as Array<{ primaryAgent: string; agents: Array<{ state: string }> }>)[0];
    assert.equal(domain?.primaryAgent, primaries()[0]?.agentId);
    assert.deepEqual(
      domain?.agents.map((a) => a.state),
      ['active', 'active', 'active'],
    );
    await until('the users created by the primary', async () => (await sn(`fo.u${USERS}`)) === `Over${USERS}`);
  });

  it('keeps changes flowing through a failover: none lost, none applied twice', async () => {
    const passwords = ['Failover-Pw!1a', 'Failover-Pw!2b', 'Failover-Pw!3c'];
    for (let i = 1; i <= 3; i++) await change(i, `Before${i}`);
    await sb.admin('PATCH', '/users/fo.u1', { password: passwords[0] });
    for (let i = 1; i <= 3; i++) await until(`fo.u${i} before the failover`, async () => (await sn(`fo.u${i}`)) === `Before${i}`);
    await until('the first password', () => canBind('fo.u1', passwords[0] as string));

    const primary = primaries()[0] as AgentState;
    killed = primary.agentId;
    const killedAt = Date.now();
    process.kill(primary.pid as number, 'SIGKILL');
    // Changes made while no primary is alive must not be lost.
    for (let i = 4; i <= 6; i++) await change(i, `During${i}`);
    await sb.admin('PATCH', '/users/fo.u2', { password: passwords[1] });

    const successor = await until('another primary', async () => primaries().find((s) => s.agentId !== killed), 30_000, 50);
    const failoverMs = Date.now() - killedAt;
    assert.ok(failoverMs < 15_000, `failover took ${failoverMs} ms (agent timeout 3 s)`);
    for (let i = 4; i <= 6; i++) await until(`fo.u${i} during the failover`, async () => (await sn(`fo.u${i}`)) === `During${i}`, 30_000);
    await until('the password set during the failover', () => canBind('fo.u2', passwords[1] as string), 30_000);

    for (let i = 7; i <= 9; i++) await change(i, `After${i}`);
    await sb.admin('PATCH', '/users/fo.u3', { password: passwords[2] });
    for (let i = 7; i <= 9; i++) await until(`fo.u${i} after the failover`, async () => (await sn(`fo.u${i}`)) === `After${i}`);
    await until('the password after the failover', () => canBind('fo.u3', passwords[2] as string));

    const entries = journals();
    for (const [username, jcId] of ids) {
      assert.equal(entries.filter((e) => e.kind === 'createUser' && e.jcId === jcId).length, 1, `${username} created once`);
      assert.equal(entries.filter((e) => e.kind === 'updateUser' && e.jcId === jcId).length, 1, `${username}'s one change applied once`);
    }
    const passwordsApplied = entries.filter((e) => e.kind === 'setPassword' && e.outcome === 'applied');
    assert.deepEqual(passwordsApplied.map((e) => e.jcId).sort(), ['fo.u1', 'fo.u2', 'fo.u3'].map((u) => ids.get(u)).sort());
    const events = (await sb.admin('GET', '/events?type=user.password_changed')) as unknown as Array<{ password: { outcome: string; acknowledgedBy: string } }>;
    assert.deepEqual(
      events.map((e) => e.password.outcome),
      ['applied', 'applied', 'applied'],
    );
    assert.equal(events[1]?.password.acknowledgedBy, successor.agentId, 'the successor applied the password set during the failover');
    assert.equal(entries.filter((e) => e.outcome === 'failed').length, 0);
  });

  it('brings the killed agent back as a standby', async () => {
    const installPath = installs.find((p) => peekAgentState(agentPaths(p).state)?.agentId === killed) as string;
    const restarted = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(restarted.code, 0, restarted.raw);
    assert.equal(restarted.records[0]?.Role, 'Standby');
    const restartedState = () => peekAgentState(agentPaths(installPath).state);
    const heartbeats = restartedState()?.counters.heartbeats ?? 0;
    await until('three more heartbeats of the restarted agent', async () => (restartedState()?.counters.heartbeats ?? 0) >= heartbeats + 3, 30_000);
    assert.equal(restartedState()?.primary, false);
    assert.equal(primaries().length, 1);
    assert.notEqual(primaries()[0]?.agentId, killed);
  });
});
