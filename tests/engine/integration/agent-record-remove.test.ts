// agent-record-remove against the sandbox: a dead agent's record goes, an unknown id is a clear
// error, and the last active agent of a domain is refused unless forced (nothing removed).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentChannelClient, exchangeConnectKey } from '../../../engine/src/jumpcloud/agent-channel';
import { generateAgentKeyPair } from '../../../engine/src/jumpcloud/agent-crypto';
import { assertEngineBuilt, exec } from '../helpers/agent';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=fleet;DC=test';

describe('agent-record-remove', { timeout: 120_000 }, () => {
  let sb: TestSandbox;
  let clock = Date.parse('2026-01-05T08:00:00Z');
  let domainId = '';
  let jumpcloud: Record<string, unknown>;
  const log = join(mkdtempSync(join(tmpdir(), 'jcadi-record-remove-')), 'exec.log');
  const channels: AgentChannelClient[] = [];
  const run = (params: Record<string, unknown>) => exec('agent-record-remove', { jumpcloud, domain: DOMAIN, ...params }, log);

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', now: () => clock, agentTimeoutMs: 15_000 });
    jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    domainId = (await sb.client().createActiveDirectory(DOMAIN, 'JCASAUTHORITY')).id;
  });
  after(async () => {
    for (const c of channels) c.close();
    await sb.close();
  });

  async function activeAgent(hostname: string): Promise<AgentChannelClient & { id: string }> {
    const created = await sb.client().createAgent(domainId);
    const transport = { baseUrl: sb.url, ca: sb.caPem, timeoutMs: 10_000, retry: { maxAttempts: 2, baseDelayMs: 5 } };
    const creds = await exchangeConnectKey(transport, {
      connectKey: created.connectKey,
      publicKey: generateAgentKeyPair().publicKey,
      hostname,
      version: '0.1.0',
    });
    const channel = new AgentChannelClient(transport, creds);
    channels.push(channel);
    await channel.heartbeat({ status: 'ok' });
    return Object.assign(channel, { id: creds.agentId });
  }
  const ids = async () => {
    const out: string[] = [];
    for await (const a of sb.client().listAgents(domainId)) out.push(`${a.id}:${a.state ?? ''}`);
    return out;
  };

  it('removes a dead agent, refuses an unknown id, and refuses the last active agent unless forced', async () => {
    const dead = await activeAgent('DC-DEAD');
    const live = await activeAgent('DC-LIVE');
    clock += 20_000; // both silent past the timeout
    await live.heartbeat({ status: 'ok' }); // only DC-LIVE speaks again
    assert.deepEqual((await ids()).sort(), [`${dead.id}:inactive`, `${live.id}:active`].sort());

    const whatIf = await run({ agentId: dead.id, whatIf: true });
    assert.equal(whatIf.code, 0);
    assert.equal((whatIf.records[0] as { Removed: boolean }).Removed, false);
    assert.equal((await ids()).length, 2, 'what-if removes nothing');

    const removed = await run({ agentId: dead.id });
    assert.equal(removed.code, 0);
    const record = removed.records[0] as { AgentId: string; Hostname: string; State: string; Removed: boolean; WasPrimary: boolean };
    assert.deepEqual([record.AgentId, record.Hostname, record.State, record.Removed], [dead.id, 'DC-DEAD', 'inactive', true]);
    assert.deepEqual(await ids(), [`${live.id}:active`]);

    const unknown = await run({ agentId: dead.id });
    assert.equal(unknown.code, 2);
    assert.equal((unknown.errors[0] as { id: string }).id, 'Agent.RecordNotFound');

    const refused = await run({ agentId: live.id });
    assert.equal(refused.code, 5);
    const error = refused.errors[0] as { id: string; message: string };
    assert.equal(error.id, 'Agent.LastActiveAgent');
    assert.match(error.message, /last active agent of DC=fleet;DC=test/);
    assert.deepEqual(await ids(), [`${live.id}:active`], 'nothing removed when refused');

    const forced = await run({ agentId: live.id, force: true });
    assert.equal(forced.code, 0);
    assert.equal((forced.records[0] as { WasPrimary: boolean }).WasPrimary, true);
    assert.ok(
      forced.lines.some((l) => l.type === 'log' && l.level === 'warning' && /still active/.test(String(l.message))),
      'a warning that the agent still runs',
    );
    assert.deepEqual(await ids(), []);
  });
});
