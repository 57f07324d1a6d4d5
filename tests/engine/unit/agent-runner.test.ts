// The agent runner driven with fakes (no DC, no JumpCloud): a fake clock, a fake agent channel,
// and fake work (reconcile, offboarding, passwords) that records what the runner asked for. Proves
// the loop's decisions: a standby does nothing, a new primary takes over with a full reconcile, a
// change batch is reconciled once and its cursor saved after, passwords are applied and
// acknowledged, a lost cursor reconciles fully, an outage is reported and caught up, a lost role
// is not an outage, and a refused key stops the API-key mode.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AdSession } from '../../../engine/src/ad/session';
import type { Clock } from '../../../engine/src/agent/clock';
import { outageDelay, QUIET_COLLECT_MS } from '../../../engine/src/agent/core';
import { agentConfigSchema, agentPaths, SECRET_PURPOSE, writeAgentConfig } from '../../../engine/src/agent/config';
import type { AgentChannel, AgentDeps } from '../../../engine/src/agent/mode';
import type { ReconcileContext, ReconcileResult } from '../../../engine/src/agent/reconcile';
import type { Targets } from '../../../engine/src/sync/targeted';
import { AgentRunner } from '../../../engine/src/agent/runner';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { KeyFileProtector } from '../../../engine/src/config/protect';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import type { ChangeEvent, ChangesResponse, HeartbeatResponse } from '../../../engine/src/jumpcloud/agent-protocol';
import type { JumpCloudClient } from '../../../engine/src/jumpcloud/client';
import { SecretScrubber } from '../../../engine/src/log/secrets';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Virtual time: a sleep resolves on the next turn of the event loop, the clock moved past its end. */
class FakeClock implements Clock {
  #now = Date.parse('2030-01-01T00:00:00Z');
  now(): Date {
    return new Date(this.#now);
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    const wake = this.#now + ms;
    return new Promise((resolve) => {
      const done = () => {
        this.#now = Math.max(this.#now, wake);
        resolve();
      };
      if (signal.aborted) return resolve();
      setTimeout(done, 1);
    });
  }
}

/** The fake clock, but a sleep `hold` picks never ends by time: only its signal ends it. */
class HoldingClock extends FakeClock {
  holding = 0;
  constructor(readonly hold: (ms: number) => boolean) {
    super();
  }
  override sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.hold(ms)) return super.sleep(ms, signal);
    this.holding++;
    return new Promise((resolve) => {
      const end = () => {
        this.holding--;
        resolve();
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    });
  }
}

async function installDir(mode: 'channel' | 'apiKey'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-runner-'));
  dirs.push(dir);
  const paths = agentPaths(dir);
  const protector = new KeyFileProtector(paths.keyFile, { create: true });
  const config = agentConfigSchema.parse({
    configVersion: 1,
    installedVersion: '0.1.0',
    installedAt: '2030-01-01T00:00:00Z',
    serverType: 'member',
    domainController: 'dc1.example.com',
    ldap: { mode: 'ldaps', caFile: '/etc/ca.pem' },
    domain: 'DC=example;DC=com',
    rootUserDN: 'OU=Synced;DC=example;DC=com',
    serviceAccount: { bindDN: 'jcsync@example.com', password: await protector.protect('Bind-Pa55word!', SECRET_PURPOSE.bindPassword) },
    jumpcloud: { baseUrl: 'https://console.jumpcloud.com', apiKey: await protector.protect('api-key-123456', SECRET_PURPOSE.apiKey) },
    sync: { debounceMs: 100, maxDebounceMs: 500 },
    ...(mode === 'apiKey'
      ? { mode: 'apiKey' }
      : {
          agent: {
            agentId: 'agent-1',
            domainId: 'dom-1',
            orgId: 'org-1',
            exchangedAt: '2030-01-01T00:00:00Z',
            agentSecret: await protector.protect('agent-secret-value', SECRET_PURPOSE.agentSecret),
            privateKey: await protector.protect('not-a-real-key', SECRET_PURPOSE.privateKey),
          },
        }),
  });
  writeAgentConfig(paths.config, config);
  return dir;
}

const emptyResult = (): ReconcileResult => ({
  durationMs: 1,
  planned: 0,
  applied: 0,
  failed: 0,
  deferred: 0,
  interrupted: false,
  refusal: null,
  failures: [],
  newSkips: [],
  retried: [],
  held: [],
  newHolds: [],
  managedObjects: 10,
  staged: 0,
  newlyStaged: 0,
});
const fakeSession = { close: async () => undefined } as unknown as AdSession;
const event = (seq: number, type: string, data: Record<string, unknown>): ChangeEvent => ({ id: `ev-${seq}`, seq, type, at: '2030-01-01T00:00:00Z', data });

/** One runner with fakes; `until` runs the loop until the condition holds, then stops it. */
function harness(dir: string, overrides: Partial<AgentDeps> & { channel?: AgentDeps['channel'] }) {
  const clock = new FakeClock();
  const controller = new AbortController();
  const logs: string[] = [];
  const reconciles: string[] = [];
  const deps: Partial<AgentDeps> = {
    clock,
    openAd: async () => fakeSession,
    jumpcloud: () => ({ close: () => undefined }) as unknown as JumpCloudClient,
    reconcile: async (ctx: ReconcileContext) => {
      reconciles.push(ctx.retryQuarantined ? 'schedule' : 'other');
      return emptyResult();
    },
    reconcileTargeted: async (_ctx: ReconcileContext, targets: Targets) => {
      reconciles.push(`targeted users=${[...targets.users].join(',')}`);
      return { ...emptyResult(), users: targets.users.size, groups: 0 };
    },
    readWatermark: async () => ({ invocationId: 'inv-1', highestCommittedUsn: '100' }),
    changedManagedUsers: async () => [],
    offboard: async () => ({ offboarded: 0, failed: 0, legacyPending: [] }),
    // No AD here: the key a real agent reads from (or makes in) the root container.
    anchorKey: async () => ({ key: Buffer.alloc(32, 7), source: 'directory', dn: 'CN=jcsync-anchor-key,OU=Corp,DC=example,DC=com' }),
    ...overrides,
  };
  const runner = new AgentRunner({
    configFile: agentPaths(dir).config,
    logger: { log: (level, message) => logs.push(`${level}: ${message}`), close: async () => undefined },
    scrubber: new SecretScrubber(),
    signal: controller.signal,
    hostname: 'host-1',
    deps,
  });
  const state = (): AgentState => runner.core?.store.state as AgentState;
  return {
    runner,
    logs,
    reconciles,
    state,
    async runUntil(what: string, condition: () => boolean, maxMs = 10_000): Promise<number> {
      const running = runner.run();
      const deadline = Date.now() + maxMs;
      while (!(runner.core && condition())) {
        if (Date.now() > deadline) {
          controller.abort();
          await running;
          assert.fail(`timed out waiting for: ${what}\n${logs.join('\n')}`);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      controller.abort();
      return running;
    },
  };
}

/** A fake agent channel: heartbeats answer `primary()`, the feed serves `batches` one by one. */
function fakeChannel(options: { primary: () => boolean; batches: Array<ChangesResponse | EngineError>; acks?: string[] }): AgentDeps['channel'] {
  return (): AgentChannel => ({
    heartbeat: async (): Promise<HeartbeatResponse> => ({
      agentId: 'agent-1',
      domainId: 'dom-1',
      primary: options.primary(),
      primaryAgentId: options.primary() ? 'agent-1' : 'agent-2',
      serverTime: '',
      heartbeatIntervalSeconds: 5,
      agentTimeoutSeconds: 15,
    }),
    pollChanges: async (cursor: number, poll?: { waitSeconds?: number; signal?: AbortSignal }) => {
      const next = options.batches.shift();
      if (next instanceof EngineError) throw next;
      if (next) return next;
      if (poll?.waitSeconds === 0) return { cursor, resync: false, events: [] };
      // Nothing more: a long-poll that ends when the runner stops.
      await new Promise<void>((resolve) => (poll?.signal?.aborted ? resolve() : poll?.signal?.addEventListener('abort', () => resolve(), { once: true })));
      return { cursor, resync: false, events: [] };
    },
    ack: async (eventId: string) => {
      options.acks?.push(eventId);
    },
    close: () => undefined,
  });
}

describe('agent runner (fakes)', () => {
  it('a standby only heartbeats; designated primary, it takes over with a full reconcile, then applies a change batch once', async () => {
    const dir = await installDir('channel');
    let primary = false;
    const batches: Array<ChangesResponse | EngineError> = [
      { cursor: 7, resync: false, events: [event(6, 'user.updated', { userId: 'u1', changed: ['lastname'] })] },
      { cursor: 8, resync: false, events: [event(7, 'user.updated', { userId: 'u1', changed: ['firstname'] })] },
    ];
    const h = harness(dir, { channel: fakeChannel({ primary: () => primary, batches }) });
    const code = await h.runUntil('three heartbeats as standby', () => h.state().counters.heartbeats >= 3);
    assert.equal(code, ExitCode.Ok);
    assert.equal(h.reconciles.length, 0, 'a standby reconciles nothing');
    assert.equal(peekAgentState(agentPaths(dir).state)?.primary, false);

    primary = true;
    const h2 = harness(dir, { channel: fakeChannel({ primary: () => primary, batches }) });
    await h2.runUntil('the batch applied', () => h2.state().cursor === 8);
    assert.deepEqual(
      h2.reconciles,
      ['other', 'targeted users=u1'],
      'the takeover reconcile (full), then one targeted reconcile for the debounced batch of two events',
    );
    assert.equal(h2.state().counters.targetedReconciles, 1);
    assert.equal(h2.state().counters.eventsProcessed, 2);
    assert.ok(h2.logs.some((l) => /designated primary: taking over/.test(l)));
    assert.equal(peekAgentState(agentPaths(dir).state)?.status, 'stopped');
  });

  it('targeted plans count the managed objects the agent has after each reconcile, those it created included (the safety limit percentage)', async () => {
    const dir = await installDir('channel');
    const batches: ChangesResponse[] = [{ cursor: 2, resync: false, events: [event(1, 'user.updated', { userId: 'u1', changed: ['lastname'] })] }];
    const seen: number[] = [];
    const h = harness(dir, {
      channel: fakeChannel({ primary: () => true, batches }),
      // The takeover reconcile into an empty root: it saw 0 objects and created 25 (its result counts them).
      reconcile: async () => ({ ...emptyResult(), applied: 25, managedObjects: 25 }),
      reconcileTargeted: async (_ctx: ReconcileContext, targets: Targets, managedObjects: number) => {
        seen.push(managedObjects);
        // The next event arrives once this slice is applied (not debounced into the same batch).
        if (targets.users.has('u1')) batches.push({ cursor: 3, resync: false, events: [event(2, 'user.updated', { userId: 'u2', changed: ['lastname'] })] });
        return { ...emptyResult(), managedObjects: managedObjects + 2, users: targets.users.size, groups: 0 };
      },
    });
    await h.runUntil('both batches applied', () => h.state().cursor === 3);
    assert.deepEqual(seen, [25, 27], 'the first slice gets what the takeover created; the next one what the first slice created too');
  });

  it('collects its garbage after the takeover reconcile and the first offboarding check, and once after a burst of change batches, when quiet', async () => {
    const dir = await installDir('channel');
    const batches: ChangesResponse[] = [{ cursor: 2, resync: false, events: [event(1, 'user.updated', { userId: 'u1', changed: ['lastname'] })] }];
    const seen: string[] = [];
    // The quiet time after each batch ends only when the test says so: after both batches.
    let endQuiet = (): void => undefined;
    const quiet = new Promise<void>((resolve) => (endQuiet = resolve));
    const clock = new FakeClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => (ms === QUIET_COLLECT_MS ? quiet : sleep(ms, signal));
    const h = harness(dir, {
      clock,
      channel: fakeChannel({ primary: () => true, batches }),
      reconcileTargeted: async (_ctx: ReconcileContext, targets: Targets) => {
        seen.push(`targeted ${[...targets.users].join(',')}`);
        // The next event arrives once this slice is applied: a second batch within the quiet time.
        if (targets.users.has('u1')) batches.push({ cursor: 3, resync: false, events: [event(2, 'user.updated', { userId: 'u2', changed: ['lastname'] })] });
        return { ...emptyResult(), users: targets.users.size, groups: 0 };
      },
      collectGarbage: () => {
        seen.push('collect');
        return true;
      },
    });
    await h.runUntil('the quiet collection after both batches', () => {
      if (h.state().cursor === 3) endQuiet();
      return seen.filter((s) => s === 'collect').length >= 3;
    });
    assert.deepEqual(
      seen,
      ['collect', 'collect', 'targeted u1', 'targeted u2', 'collect'],
      'after the full reconcile and the first offboarding check (every account read), then once after the second batch, not after the first',
    );
  });

  it('does not collect again after a batch that ended in a full reconcile: the full reconcile collected', async () => {
    const dir = await installDir('channel');
    // A user.updated without the user's id cannot be targeted: the batch falls back to a full reconcile.
    const batches: ChangesResponse[] = [{ cursor: 2, resync: false, events: [event(1, 'user.updated', { changed: ['lastname'] })] }];
    let collections = 0;
    let quietWaits = 0;
    const clock = new FakeClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => {
      if (ms === QUIET_COLLECT_MS) quietWaits++;
      return sleep(ms, signal);
    };
    const h = harness(dir, {
      clock,
      channel: fakeChannel({ primary: () => true, batches }),
      collectGarbage: () => {
        collections++;
        return true;
      },
    });
    // The cursor is saved after the batch's quiet collection is (or is not) scheduled.
    await h.runUntil('the batch applied', () => h.state().cursor === 2);
    assert.deepEqual(h.reconciles, ['other', 'other'], 'the takeover reconcile, then the full reconcile of the batch');
    assert.equal(collections, 3, "after the takeover reconcile, the first offboarding check and the batch's full reconcile");
    assert.equal(quietWaits, 0, 'no quiet collection is scheduled after a batch a full reconcile has collected');
  });

  it('applies password events and acknowledges them; a user.updated of no synced field asks for no reconcile', async () => {
    const dir = await installDir('channel');
    const acks: string[] = [];
    const applied: string[] = [];
    const batches: ChangesResponse[] = [
      {
        cursor: 3,
        resync: false,
        events: [event(2, 'user.password_changed', { userId: 'u1' }), event(3, 'user.updated', { userId: 'u1', changed: ['description'] })],
      },
    ];
    const h = harness(dir, {
      channel: fakeChannel({ primary: () => true, batches, acks }),
      applyPasswordEvent: async (e) => {
        applied.push(e.id);
        return { outcome: 'applied', target: 'CN=u1', ack: { outcome: 'applied' } };
      },
    });
    await h.runUntil('the ack', () => acks.length === 1 && h.state().cursor === 3);
    assert.deepEqual(applied, ['ev-2']);
    assert.deepEqual(acks, ['ev-2']);
    assert.equal(h.state().counters.passwordsApplied, 1);
    assert.equal(h.reconciles.length, 1, 'only the takeover reconcile');
  });

  it('a lost cursor means a full reconcile, then the feed from its new cursor', async () => {
    const dir = await installDir('channel');
    const h = harness(dir, { channel: fakeChannel({ primary: () => true, batches: [{ cursor: 50, resync: true, events: [] }] }) });
    await h.runUntil('the new cursor', () => h.state().cursor === 50);
    assert.equal(h.reconciles.length, 2);
    assert.ok(h.logs.some((l) => /no longer holds cursor/.test(l)));
  });

  it('an outage is reported (degraded), backed off, and caught up with a full reconcile', async () => {
    const dir = await installDir('channel');
    const down = () => new EngineError('JumpCloud.Unreachable', 'JumpCloud cannot be reached.', { exitCode: ExitCode.Unreachable });
    const statuses: string[] = [];
    const h = harness(dir, { channel: fakeChannel({ primary: () => true, batches: [down(), down(), { cursor: 4, resync: false, events: [] }] }) });
    const seen = () => {
      statuses.push(h.state().status);
      return h.state().cursor === 4;
    };
    await h.runUntil('recovered', seen);
    assert.equal(h.state().counters.turnsFailed, 2);
    assert.ok(statuses.includes('degraded'));
    assert.equal(h.state().status, 'stopped');
    assert.equal(h.reconciles.length, 3, 'takeover, then one catch-up after each failed turn');
    assert.ok(h.logs.some((l) => /JumpCloud and AD reachable again/.test(l)));
  });

  it("an outage's backoff ends when a heartbeat reaches JumpCloud again: the catch-up does not wait out the delay", async () => {
    const dir = await installDir('channel');
    const down = () => new EngineError('JumpCloud.Unreachable', 'JumpCloud cannot be reached.', { exitCode: ExitCode.Unreachable });
    // The backoff after the first failed turn never ends by time here: only hearing JumpCloud ends it.
    const clock = new HoldingClock((ms) => ms === outageDelay(0));
    const feed = fakeChannel({ primary: () => true, batches: [down(), { cursor: 4, resync: false, events: [] }] });
    let jumpcloudDown = false;
    const h = harness(dir, {
      clock,
      channel: (transport, credentials) => {
        const channel = feed(transport, credentials);
        return {
          ...channel,
          // Heartbeats fail from the failed poll until the runner is backing off, then get through.
          heartbeat: async () => {
            if (jumpcloudDown) {
              if (clock.holding > 0) jumpcloudDown = false;
              throw down();
            }
            return channel.heartbeat();
          },
          pollChanges: async (cursor, poll) => {
            try {
              return await channel.pollChanges(cursor, poll);
            } catch (thrown) {
              jumpcloudDown = true;
              throw thrown;
            }
          },
        };
      },
    });
    await h.runUntil('caught up', () => h.state().cursor === 4);
    assert.equal(h.state().counters.turnsFailed, 1);
    assert.ok(h.state().counters.heartbeatsFailed >= 1);
    assert.deepEqual(h.reconciles, ['other', 'other'], 'takeover, then the catch-up');
    assert.ok(h.logs.some((l) => /heartbeats reach JumpCloud again/.test(l)));
    assert.ok(h.logs.some((l) => /JumpCloud and AD reachable again/.test(l)));
  });

  it("stopping during an outage's backoff ends it at once", { timeout: 10_000 }, async () => {
    const dir = await installDir('channel');
    const down = () => new EngineError('JumpCloud.Unreachable', 'JumpCloud cannot be reached.', { exitCode: ExitCode.Unreachable });
    const clock = new HoldingClock((ms) => ms === outageDelay(0));
    const h = harness(dir, { clock, channel: fakeChannel({ primary: () => true, batches: [down()] }) });
    // runUntil stops the runner once the backoff holds, and awaits its end: it hangs if the stop does not end the backoff.
    const code = await h.runUntil('backing off', () => clock.holding > 0);
    assert.equal(code, 0);
    assert.equal(h.state().counters.turnsFailed, 1);
    assert.equal(clock.holding, 0);
  });

  it('anchors without a proof: the status names the cause and the cmdlets until they are sealed', async () => {
    const dir = await installDir('channel');
    const message = '2 object(s) under the root carry a JumpCloud anchor without a proof ... Get-JCSyncPlan -AdoptExisting ... Invoke-JCSync -AdoptExisting';
    const answers: Array<string | null> = [message, message, null];
    let calls = 0;
    const seen: string[] = [];
    const h = harness(dir, {
      channel: fakeChannel({
        primary: () => true,
        batches: [
          { cursor: 2, resync: true, events: [] },
          { cursor: 3, resync: true, events: [] },
        ],
      }),
      reconcile: async () => {
        // What the status said after the previous reconcile.
        if (calls > 0) seen.push(h.state().lastError?.id ?? 'none');
        return { ...emptyResult(), unprovenAnchors: answers[Math.min(calls++, answers.length - 1)] };
      },
    });
    await h.runUntil('three reconciles', () => calls >= 3 && h.state().cursor === 3 && h.state().lastError === null);
    assert.deepEqual(seen, ['Sync.UnprovenAnchors', 'Sync.UnprovenAnchors'], 'the status named it while the anchors had no proof');
    assert.ok(h.logs.some((l) => l.includes('Invoke-JCSync -AdoptExisting')));
    assert.equal(h.logs.filter((l) => l.includes('without a proof')).length, 1, 'said once, not on every reconcile');
  });

  it('an anchor key it may not use stops the agent work with the reason in its status, nothing applied', async () => {
    const dir = await installDir('channel');
    const refused = new EngineError('AnchorKey.Missing', 'Anchors under the root carry proofs, but the anchor key object ... is gone', {
      exitCode: ExitCode.Refused,
    });
    const h = harness(dir, {
      channel: fakeChannel({ primary: () => true, batches: [] }),
      anchorKey: async () => {
        throw refused;
      },
    });
    await h.runUntil('degraded with the reason', () => h.state().lastError?.id === 'AnchorKey.Missing');
    assert.equal(h.reconciles.length, 0, 'no reconcile ran without the key');
    assert.ok(h.logs.some((l) => l.includes('anchor key object')));
  });

  it('losing the primary role mid-poll is not an outage', async () => {
    const dir = await installDir('channel');
    let primary = true;
    const notPrimary = new EngineError('JumpCloud.NotPrimary', 'not the primary');
    const h = harness(dir, {
      channel: fakeChannel({
        primary: () => primary,
        batches: [notPrimary],
      }),
    });
    await h.runUntil('standby', () => {
      if (h.state().counters.heartbeats > 0) primary = false;
      return h.state().primary === false && h.state().counters.heartbeats >= 3;
    });
    assert.equal(h.state().counters.turnsFailed, 0);
    assert.ok(h.logs.some((l) => /standby: another agent is primary/.test(l)));
  });

  it('API-key mode: a refused key stops the agent with the reason', async () => {
    const dir = await installDir('apiKey');
    const refused = new EngineError('JumpCloud.AuthFailed', 'JumpCloud refused the API key (401).', { exitCode: ExitCode.AuthFailed });
    const client = {
      close: () => undefined,
      async *listActiveDirectories() {
        yield { id: 'dom-1', domain: 'DC=example;DC=com' };
      },
      // eslint-disable-next-line require-yield
      async *listDirectoryEvents() {
        throw refused;
      },
    } as unknown as JumpCloudClient;
    const h = harness(dir, { jumpcloud: () => client });
    const code = await h.runUntil('the stop', () => h.state().status === 'failed');
    assert.equal(code, ExitCode.AuthFailed);
    assert.match(h.state().lastError?.message ?? '', /In API-key mode the agent reads users, groups and Directory Insights with this key only/);
    assert.equal(h.reconciles.length, 0);
  });
});
