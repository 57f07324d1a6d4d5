// The rolling safety limit in the agent, across a failover (two `jcadi-engine run` processes on
// one domain, the sandbox's agent timeout at 3 s): unbinds of 24 % of the users each stop at the
// limit; the primary says so in its status (Get-JCSyncAgent's SafetyHold) and history; killing it
// does not reset the count, because the count is in AD: the new primary, with a fresh state of its
// own, holds the same changes; only the administrator's approval (safety-approve, journaled)
// lets them through.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { processAlive } from '../../../engine/src/agent/install';
import { agentPaths } from '../../../engine/src/agent/config';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { FileJournal } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, installAgent, until } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';
const USERS = 25;
const BATCH = 6; // 24 % of 25

describe('agent: the rolling safety limit holds across a failover until approved', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  const installs: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-safety-'));
  const log = join(work, 'exec.log');
  const ids: string[] = [];

  const states = () => installs.map((p) => peekAgentState(agentPaths(p).state));
  const primaries = () => states().filter((s): s is AgentState => s !== null && s.primary && processAlive(s.pid));
  const installOf = (agentId: string) => installs.find((p) => peekAgentState(agentPaths(p).state)?.agentId === agentId) as string;
  const disabled = async () =>
    (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))', attributes: ['cn'] }))
      .length;
  const unbind = async (from: number) => {
    for (const target of ids.slice(from, from + BATCH))
      await sb.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'remove', type: 'user', target });
  };
  const holdOf = async (installPath: string) => {
    const status = await exec('agent-status', { installPath }, log);
    return (status.records[0]?.SafetyHold ?? []) as Array<Record<string, unknown>>;
  };

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-agent-safety');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    for (let i = 1; i <= USERS; i++) {
      const user = await sb.admin('POST', '/users', {
        username: `as.user${i}`,
        email: `as.user${i}@example.com`,
        firstname: 'Agent',
        lastname: `Safe${i}`,
        bindToDomain: DOMAIN,
      });
      ids.push(String(user._id));
    }
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    for (let n = 0; n < 2; n++) {
      const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
      const installed = await installAgent({ jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey: String(key.records[0]?.Key) }, log);
      assert.equal(installed.result.code, 0, installed.result.raw);
      installs.push(installed.installPath);
      const started = await exec('agent-start', { installPath: installed.installPath, timeoutSeconds: 30 }, log);
      assert.equal(started.code, 0, started.raw);
    }
    await until('one primary', async () => primaries().length === 1 && states().every((s) => s?.connected));
    await until(
      'every user in AD',
      async () => (await fx.session.search(fx.rootDN, { scope: 'sub', filter: '(objectClass=user)', attributes: ['cn'] })).length === USERS,
      60_000,
      250,
    );
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

  it('24 % unbinds stop at the limit, stay stopped after the primary dies, and resume after approval', async () => {
    await unbind(0);
    await until('the first 6 disabled', async () => (await disabled()) === 6, 60_000, 250);

    await unbind(BATCH);
    const primary = primaries()[0] as AgentState;
    const hold = await until(
      'the hold in the primary status',
      async () => {
        const h = await holdOf(installOf(primary.agentId as string));
        return h.length > 0 ? h : null;
      },
      60_000,
      250,
    );
    assert.deepEqual(
      { kind: hold[0]?.Kind, held: hold[0]?.Held, inWindow: hold[0]?.InWindow, limit: hold[0]?.Limit },
      { kind: 'disable', held: 6, inWindow: 6, limit: 6 },
    );
    assert.match(String(hold[0]?.Message), /Approve-JCSyncSafetyLimit -SafetyKind disable/);
    assert.equal(await disabled(), 6, 'nothing more disabled');
    const journal = FileJournal.read(agentPaths(installOf(primary.agentId as string)).journal);
    assert.equal(journal.filter((e) => e.kind === 'safetyLimit' && e.target === 'disable').length, 1, 'the hold is in the history, once');

    // Failover: the standby has never counted anything itself.
    process.kill(primary.pid as number, 'SIGKILL');
    const successor = await until('another primary', async () => primaries().find((s) => s.agentId !== primary.agentId), 30_000, 50);
    const successorPath = installOf(successor.agentId as string);
    const reconciles = successor.counters.reconciles;
    await until(
      'a takeover reconcile of the new primary',
      async () => (peekAgentState(agentPaths(successorPath).state)?.counters.reconciles ?? 0) > reconciles,
      30_000,
      100,
    );
    const held = await until(
      'the hold in the new primary status',
      async () => {
        const h = await holdOf(successorPath);
        return h.length > 0 ? h : null;
      },
      30_000,
      250,
    );
    assert.equal(held[0]?.InWindow, 6, 'the new primary reads the count from AD');
    assert.equal(await disabled(), 6, 'the new primary does not disable either');

    const approval = await exec('safety-approve', { installPath: successorPath, kind: 'disable' }, log);
    assert.equal(approval.code, 0, approval.raw);
    assert.equal(approval.records[0]?.Approved, 6);
    await until('the held disables applied after the approval', async () => (await disabled()) === 12, 90_000, 250);
    await until('the hold cleared in the status', async () => (await holdOf(successorPath)).length === 0, 30_000, 250);
    const history = FileJournal.read(agentPaths(successorPath).journal);
    assert.ok(
      history.some((e) => e.kind === 'approveSafetyLimit' && e.outcome === 'applied'),
      'the approval is journaled',
    );
  });
});
