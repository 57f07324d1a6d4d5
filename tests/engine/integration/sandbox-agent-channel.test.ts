// The agent service channel against the sandbox: one-time connect keys that expire after 7 days,
// heartbeats and agent state in the public agents list, one primary per domain with failover,
// the long-poll change feed, and password events sealed to the agent's key, acknowledged, and
// then gone from memory and from state.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EngineError } from '../../../engine/src/errors';
import { AgentChannelClient, exchangeConnectKey } from '../../../engine/src/jumpcloud/agent-channel';
import { generateAgentKeyPair } from '../../../engine/src/jumpcloud/agent-crypto';
import type { ChangeEvent } from '../../../engine/src/jumpcloud/agent-protocol';
import { DAY_MS } from '../../../engine/src/sandbox/store';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const TIMEOUT_MS = 15_000;

describe('sandbox agent channel', () => {
  let sb: TestSandbox;
  let clock = Date.parse('2025-06-01T08:00:00Z');
  let domainId = '';
  const channels: AgentChannelClient[] = [];

  before(async () => {
    sb = await startTestSandbox({ seed: 'demo', now: () => clock, agentTimeoutMs: TIMEOUT_MS });
    domainId = (await sb.client().listActiveDirectories().next()).value?.id as string;
  });
  after(async () => {
    for (const c of channels) c.close();
    await sb.close();
  });
  beforeEach(() => {
    clock += 60 * 60_000; // each test starts where earlier agents have long gone quiet
  });

  const transport = () => ({ baseUrl: sb.url, ca: sb.caPem, timeoutMs: 10_000, retry: { maxAttempts: 2, baseDelayMs: 5 } });

  async function newAgent(hostname: string) {
    const created = await sb.client().createAgent(domainId);
    const keys = generateAgentKeyPair();
    const creds = await exchangeConnectKey(transport(), { connectKey: created.connectKey, publicKey: keys.publicKey, hostname, version: '0.1.0' });
    const channel = new AgentChannelClient(transport(), creds);
    channels.push(channel);
    return { id: creds.agentId, creds, channel, keys, connectKey: created.connectKey };
  }

  async function agentStates(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const a of sb.client().listAgents(domainId)) out.set(a.id, a.state ?? '');
    return out;
  }

  it('accepts a connect key once, then refuses it with ConnectKeyUsed', async () => {
    const created = await sb.client().createAgent(domainId);
    assert.equal((await agentStates()).get(created.id), 'unsealed');
    const keys = generateAgentKeyPair();
    const request = { connectKey: created.connectKey, publicKey: keys.publicKey, hostname: 'DC1', version: '0.1.0' };
    const creds = await exchangeConnectKey(transport(), request);
    assert.equal(creds.agentId, created.id);
    assert.equal(creds.domainId, domainId);
    assert.equal(creds.orgId, sb.orgId);
    await assert.rejects(exchangeConnectKey(transport(), request), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.id, 'JumpCloud.ConnectKeyUsed');
      assert.match(err.message, /already used/);
      return true;
    });
    await assert.rejects(
      exchangeConnectKey(transport(), { ...request, connectKey: 'jcck_made_up' }),
      (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.ConnectKeyInvalid',
    );
    assert.equal((await agentStates()).get(created.id), 'active');
  });

  it('lets a connect key expire after 7 days', async () => {
    const early = await sb.client().createAgent(domainId);
    const late = await sb.client().createAgent(domainId);
    const keys = generateAgentKeyPair();
    clock += 7 * DAY_MS - 1000;
    await exchangeConnectKey(transport(), { connectKey: early.connectKey, publicKey: keys.publicKey, hostname: 'DC2', version: '0.1.0' });
    clock += 2000;
    await assert.rejects(
      exchangeConnectKey(transport(), { connectKey: late.connectKey, publicKey: keys.publicKey, hostname: 'DC3', version: '0.1.0' }),
      (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.id, 'JumpCloud.ConnectKeyExpired');
        assert.match(err.message, /expired/);
        return true;
      },
    );
  });

  it('keeps one primary and fails over when it goes silent', async () => {
    const a = await newAgent('DC-A');
    clock += 1000;
    const b = await newAgent('DC-B');
    const hbA = await a.channel.heartbeat({ status: 'ok' });
    const hbB = await b.channel.heartbeat({ status: 'ok' });
    assert.equal(hbA.primary, true);
    assert.equal(hbB.primary, false);
    assert.equal(hbB.primaryAgentId, a.id);
    await assert.rejects(b.channel.pollChanges(0, { waitSeconds: 0 }), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.NotPrimary');

    // A goes silent; B keeps beating past the timeout.
    for (let t = 0; t < 4; t++) {
      clock += 5000;
      await b.channel.heartbeat();
    }
    const states = await agentStates();
    assert.equal(states.get(a.id), 'inactive');
    assert.equal(states.get(b.id), 'active');
    assert.equal((await sb.client().getActiveDirectory(domainId)).primaryAgent, b.id);
    assert.equal((await b.channel.heartbeat()).primary, true);

    // A comes back: it stays a standby and may not poll.
    const back = await a.channel.heartbeat();
    assert.equal(back.primary, false);
    assert.equal(back.primaryAgentId, b.id);
    await assert.rejects(a.channel.pollChanges(0, { waitSeconds: 0 }), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.NotPrimary');
    const feed = await b.channel.pollChanges(0, { waitSeconds: 0, limit: 1000 });
    assert.ok(feed.events.some((e) => e.type === 'domain.primary_changed' && e.data.primaryAgent === b.id));
  });

  it('long-polls: answers at once when a change arrives, waits when none', async () => {
    const a = await newAgent('DC-LP');
    await a.channel.heartbeat();
    const start = (await a.channel.pollChanges(0, { waitSeconds: 0, limit: 1000 })).cursor;
    const idle = Date.now();
    const empty = await a.channel.pollChanges(start, { waitSeconds: 1 });
    assert.equal(empty.events.length, 0);
    assert.ok(Date.now() - idle >= 900, 'an idle poll waits');
    const began = Date.now();
    const pending = a.channel.pollChanges(empty.cursor, { waitSeconds: 20 });
    setTimeout(() => void sb.call('PATCH', '/sandbox/admin/users/cher', { lastname: 'Sarkisian' }), 200);
    const result = await pending;
    assert.ok(Date.now() - began < 5000, `the poll answered after ${Date.now() - began} ms`);
    const update = result.events.find((e) => e.type === 'user.updated');
    assert.deepEqual((update?.data as { changed: string[] }).changed, ['lastname']);
    assert.ok(result.cursor > empty.cursor);
  });

  it('delivers passwords sealed to the agent, and keeps nothing after the acknowledgement', async () => {
    const a = await newAgent('DC-PW');
    await a.channel.heartbeat();
    let cursor = (await a.channel.pollChanges(0, { waitSeconds: 0, limit: 1000 })).cursor;
    const plaintext = 'Sunny-Meadow-Canary-4821';

    // Through the admin surface and through the public API (PUT /systemusers/{id}).
    const zoe = (await sb.call('PATCH', '/sandbox/admin/users/zoe.angstrom', { password: plaintext })).body as { _id: string };
    const cher = (await sb.call('GET', '/sandbox/admin/users/cher')).body as { _id: string };
    await sb.client().updateUser(cher._id, { password: `${plaintext}-2` });

    const feed = await a.channel.pollChanges(cursor, { waitSeconds: 5 });
    cursor = feed.cursor;
    const events = feed.events.filter((e) => e.type === 'user.password_changed');
    assert.equal(events.length, 2);
    const [forZoe, forCher] = events as [ChangeEvent, ChangeEvent];
    assert.equal(forZoe.data.userId, zoe._id);
    assert.ok(forZoe.password, 'the event carries a sealed password');
    assert.ok(!JSON.stringify(feed).includes(plaintext), 'no plaintext on the wire');
    assert.equal(a.channel.decryptPassword(forZoe, a.keys.privateKeyPem), plaintext);
    assert.equal(a.channel.decryptPassword(forCher, a.keys.privateKeyPem), `${plaintext}-2`);

    // Before the acknowledgement: ciphertext kept (for redelivery), plaintext never.
    sb.flush();
    const stateBefore = readFileSync(join(sb.dataDir, 'state.json'), 'utf8');
    assert.ok(!stateBefore.includes(plaintext));
    assert.ok(stateBefore.includes(forZoe.password?.ciphertext as string));

    // Unacknowledged, the event comes again once its lease runs out.
    clock += 31_000;
    await a.channel.heartbeat();
    const again = await a.channel.pollChanges(cursor, { waitSeconds: 0 });
    assert.ok(again.events.some((e) => e.id === forZoe.id));

    await a.channel.ack(forZoe.id, { outcome: 'applied' });
    await a.channel.ack(forCher.id, { outcome: 'rejected', reason: 'AD refused the password: 0000052D (complexity)' });

    sb.flush();
    const stateAfter = readFileSync(join(sb.dataDir, 'state.json'), 'utf8');
    const memory = JSON.stringify(sb.store.snapshot());
    for (const text of [stateAfter, memory]) {
      assert.ok(!text.includes(plaintext), 'no plaintext password is retained');
      assert.ok(!text.includes(forZoe.password?.ciphertext as string), 'the ciphertext is dropped after the ack');
      assert.ok(!text.includes(forCher.password?.ciphertext as string));
    }
    const shownZoe = (await sb.call('GET', `/sandbox/admin/events/${forZoe.id}`)).body as { password: Record<string, unknown> };
    assert.deepEqual(
      { ...shownZoe.password, acknowledgedAt: null },
      { outcome: 'applied', reason: null, acknowledgedBy: a.id, acknowledgedAt: null, sealedFor: [] },
    );
    const shownCher = (await sb.call('GET', `/sandbox/admin/events/${forCher.id}`)).body as { password: Record<string, unknown> };
    assert.equal(shownCher.password.outcome, 'rejected');
    assert.match(String(shownCher.password.reason), /0000052D/);

    // Acknowledged events are not delivered again.
    clock += 31_000;
    await a.channel.heartbeat();
    const later = await a.channel.pollChanges(cursor, { waitSeconds: 0 });
    assert.ok(!later.events.some((e) => e.id === forZoe.id || e.id === forCher.id));
  });

  it('refuses channel calls without valid agent credentials', async () => {
    const forged = new AgentChannelClient(transport(), { agentId: 'ffffffffffffffffffffffff', agentSecret: 'x'.repeat(43) });
    channels.push(forged);
    await assert.rejects(forged.heartbeat(), (err: unknown) => err instanceof EngineError && err.id === 'JumpCloud.AgentAuthFailed' && err.exitCode === 4);
  });
});
