// The channel mode of the agent: JumpCloud's agent service.
//   - first start: the connect key is exchanged once for the agent's credentials;
//   - heartbeats on their own timer; the answer's primary designation is obeyed: a standby only
//     heartbeats, a standby that becomes primary takes over with a full reconcile;
//   - as primary: long-polls the change feed, debounces a burst, reconciles, applies password
//     events and acknowledges them.
import { EngineError, ExitCode, asEngineError } from '../errors';
import type { AckRequest, ChangeEvent } from '../jumpcloud/agent-protocol';
import { generateAgentKeyPair } from '../jumpcloud/agent-crypto';
import { ENGINE_VERSION } from '../version';
import { jumpcloudBaseUrl, SECRET_PURPOSE, writeAgentConfig, type AgentConfig } from './config';
import { AGENT_CALL_RETRY, outageDelay, type AgentCore } from './core';
import { planBatch } from './events';
import { releaseObjects } from './failures';
import type { AgentChannel, AgentMode } from './mode';
import { PasswordHolds } from './password-holds';
import { isTransient } from './passwords';

/** The longest long-poll; shorter when a scheduled task (offboarding check, full reconcile) is due. */
const MAX_POLL_SECONDS = 25;

/** Refusals of the connect key itself: retrying cannot help. */
const KEY_REFUSALS = new Set(['JumpCloud.ConnectKeyInvalid', 'JumpCloud.ConnectKeyUsed', 'JumpCloud.ConnectKeyExpired', 'JumpCloud.InvalidRequest']);

export class ChannelMode implements AgentMode {
  readonly name = 'channel';
  readonly #core: AgentCore;
  #channel: AgentChannel | null = null;
  #primary = false;
  #heartbeatIntervalMs = 5000;
  #agentTimeoutMs = 15_000;
  #lastHeartbeatOk = 0;
  /** Password events applied but not yet acknowledged (the ack failed): acknowledged before anything else. */
  readonly #unacked = new Map<string, AckRequest>();
  /** Password events the rolling safety limit holds (./password-holds.ts): left unacknowledged, delivered again. */
  #passwordHolds: PasswordHolds | null = null;
  /** Aborted on stop and when the primary role is lost: ends a long-poll at once. */
  #pollAbort = new AbortController();
  #roleWaiters: Array<() => void> = [];

  constructor(core: AgentCore) {
    this.#core = core;
  }

  get acting(): boolean {
    return this.#primary;
  }

  interrupt(): void {
    this.#pollAbort.abort();
    this.#wakeRoleWaiters();
  }

  close(): void {
    this.#channel?.close();
    this.#core.jumpcloud?.close();
  }

  classify(err: EngineError): 'ignore' | 'outage' | EngineError {
    if (err.id === 'JumpCloud.NotPrimary') {
      this.#setRole(false);
      return 'ignore';
    }
    if (err.id === 'JumpCloud.Cancelled' && !this.#primary) return 'ignore';
    return 'outage';
  }

  async start(): Promise<void> {
    const core = this.#core;
    if (core.config.connectKey) await this.#exchange();
    if (core.stopping) return;
    const agent = core.config.agent;
    if (!agent || !core.secrets.agentSecret || !core.secrets.privateKeyPem)
      throw new EngineError('Agent.ConfigInvalid', 'The config holds no agent credentials.', { exitCode: ExitCode.BadRequest });
    core.domainId = agent.domainId;
    const transport = {
      baseUrl: jumpcloudBaseUrl(core.config),
      ca: core.ca,
      proxy: core.proxy,
      timeoutMs: core.config.jumpcloud.timeoutMs,
      log: core.clientLog,
      retry: AGENT_CALL_RETRY,
    };
    this.#channel = core.deps.channel(transport, { agentId: agent.agentId, agentSecret: core.secrets.agentSecret });
    core.jumpcloud = core.deps.jumpcloud({ ...transport, apiKey: core.secrets.apiKey, orgId: core.config.jumpcloud.orgId, signal: core.signal });
    core.store.update(
      (s) => {
        s.agentId = agent.agentId;
        s.status = 'running';
      },
      { flush: true },
    );
    core.log('info', `agent ${agent.agentId} connected to ${transport.baseUrl} for ${core.config.domain}`);
  }

  background(): Promise<void> {
    return this.#channel ? this.#heartbeatLoop() : Promise.resolve();
  }

  // ---- first start ----------------------------------------------------------------------

  async #exchange(): Promise<void> {
    const core = this.#core;
    const connectKey = core.secrets.connectKey as string;
    const keys = generateAgentKeyPair();
    core.scrubber.add(keys.privateKeyPem);
    core.store.update(
      (s) => {
        s.status = 'exchanging';
      },
      { flush: true },
    );
    let attempt = 0;
    for (;;) {
      try {
        const answer = await core.deps.exchange(
          {
            baseUrl: jumpcloudBaseUrl(core.config),
            ca: core.ca,
            proxy: core.proxy,
            timeoutMs: core.config.jumpcloud.timeoutMs,
            log: core.clientLog,
            signal: core.signal,
          },
          { connectKey, publicKey: keys.publicKey, hostname: core.hostname, version: ENGINE_VERSION },
        );
        core.scrubber.add(answer.agentSecret);
        if (answer.domain !== core.config.domain) {
          throw new EngineError(
            'Agent.DomainMismatch',
            `The connect key belongs to the ADI domain ${answer.domain}, but this agent is configured for ${core.config.domain}. Create a connect key for ${core.config.domain} (New-JCSyncConnectKey) and reinstall.`,
            { category: 'InvalidData', exitCode: ExitCode.BadRequest, target: answer.domain },
          );
        }
        const next: AgentConfig = {
          ...core.config,
          connectKey: undefined,
          agent: {
            agentId: answer.agentId,
            domainId: answer.domainId,
            orgId: answer.orgId,
            exchangedAt: core.nowIso(),
            agentSecret: await core.protector.protect(answer.agentSecret, SECRET_PURPOSE.agentSecret),
            privateKey: await core.protector.protect(keys.privateKeyPem, SECRET_PURPOSE.privateKey),
          },
        };
        delete next.connectKey;
        // One atomic write: the config holds the connect key or the credentials, never half of each.
        writeAgentConfig(core.paths.config, next);
        core.config = next;
        core.secrets = { ...core.secrets, connectKey: null, agentSecret: answer.agentSecret, privateKeyPem: keys.privateKeyPem };
        this.#heartbeatIntervalMs = answer.heartbeatIntervalSeconds * 1000;
        this.#agentTimeoutMs = answer.agentTimeoutSeconds * 1000;
        core.store.update(
          (s) => {
            s.agentId = answer.agentId;
            s.cursor = answer.cursor;
          },
          { flush: true },
        );
        core.log(
          'info',
          `connect key exchanged: this is agent ${answer.agentId} of ${answer.domain}; the key is replaced by the agent's protected credentials`,
        );
        return;
      } catch (thrown) {
        const err = asEngineError(thrown);
        if (core.stopping || KEY_REFUSALS.has(err.id) || err.exitCode !== ExitCode.Unreachable) throw err;
        attempt++;
        const delay = outageDelay(attempt);
        core.log('warning', `cannot exchange the connect key yet (${err.message}); retrying in ${Math.round(delay / 1000)} s`);
        core.recordError(err);
        await core.sleep(delay);
      }
    }
  }

  // ---- heartbeat and role ---------------------------------------------------------------

  async #heartbeatLoop(): Promise<void> {
    const core = this.#core;
    let failuresLogged = 0;
    while (!core.stopping) {
      try {
        const answer = await (this.#channel as AgentChannel).heartbeat({
          hostname: core.hostname,
          version: ENGINE_VERSION,
          status: core.degradedMessage ? 'degraded' : 'ok',
          ...(core.degradedMessage ? { message: core.degradedMessage.slice(0, 1000) } : {}),
        });
        this.#lastHeartbeatOk = core.nowMs();
        this.#heartbeatIntervalMs = answer.heartbeatIntervalSeconds * 1000;
        this.#agentTimeoutMs = answer.agentTimeoutSeconds * 1000;
        if (failuresLogged > 0) {
          core.log('info', 'heartbeats reach JumpCloud again');
          core.heardAgain();
        }
        failuresLogged = 0;
        core.store.update((s) => {
          s.connected = true;
          s.lastHeartbeatAt = core.nowIso();
          s.primaryAgentId = answer.primaryAgentId;
          s.counters.heartbeats++;
        });
        this.#setRole(answer.primary);
      } catch (thrown) {
        if (core.stopping) break;
        const err = asEngineError(thrown);
        if (failuresLogged++ === 0 || failuresLogged % 20 === 0) core.log('warning', `heartbeat failed: ${err.message}`, { id: err.id });
        core.store.update((s) => {
          s.connected = false;
          s.lastError = { id: err.id, message: err.message, at: core.nowIso() };
          s.counters.heartbeatsFailed++;
        });
        // Unheard for longer than the timeout, the service has moved the role: stop acting as primary.
        if (this.#primary && core.nowMs() - this.#lastHeartbeatOk > this.#agentTimeoutMs) this.#setRole(false);
      }
      await core.sleep(this.#heartbeatIntervalMs);
    }
  }

  #setRole(primary: boolean): void {
    if (primary === this.#primary) return;
    const core = this.#core;
    this.#primary = primary;
    core.store.update(
      (s) => {
        s.primary = primary;
      },
      { flush: true },
    );
    if (primary) {
      core.log('info', 'designated primary: taking over (full reconcile, then the change feed)');
      core.needFull = true;
      this.#pollAbort = new AbortController();
      this.#wakeRoleWaiters();
    } else {
      core.log('info', 'standby: another agent is primary; staying ready');
      this.#pollAbort.abort();
    }
  }

  #wakeRoleWaiters(): void {
    const waiters = this.#roleWaiters;
    this.#roleWaiters = [];
    for (const wake of waiters) wake();
  }

  waitForRole(): Promise<void> {
    if (this.#core.stopping) return Promise.resolve();
    return new Promise((resolve) => this.#roleWaiters.push(resolve));
  }

  // ---- primary work ---------------------------------------------------------------------

  async turn(): Promise<void> {
    const core = this.#core;
    await this.#flushAcks();
    if (core.fullReconcileDue()) await core.fullReconcile(core.needFull ? 'start, takeover or catch-up' : 'schedule');
    if (core.offboardDue()) await core.offboardCheck();
    if (core.stopping || !this.#primary) return;

    const channel = this.#channel as AgentChannel;
    const cursor = core.store.state.cursor ?? 0;
    const wait = Math.max(0, Math.min(MAX_POLL_SECONDS, Math.floor(core.dueInMs() / 1000)));
    const first = await channel.pollChanges(cursor, { waitSeconds: wait, signal: this.#pollAbort.signal });
    if (first.resync) {
      core.log('warning', `the change feed no longer holds cursor ${cursor}: full reconcile, then continuing from ${first.cursor}`);
      await core.fullReconcile('resync');
      core.store.update(
        (s) => {
          s.cursor = first.cursor;
        },
        { flush: true },
      );
      return;
    }
    const events: ChangeEvent[] = [...first.events];
    let next = first.cursor;
    if (events.length > 0) {
      // Debounce: let a burst settle, so it is reconciled once.
      const deadline = core.nowMs() + core.config.sync.maxDebounceMs;
      while (core.nowMs() < deadline && !core.stopping) {
        await core.sleep(core.config.sync.debounceMs);
        const more = await channel.pollChanges(next, { waitSeconds: 0, signal: this.#pollAbort.signal });
        if (more.resync) break;
        next = more.cursor;
        if (more.events.length === 0) break;
        events.push(...more.events);
      }
      await this.#processBatch(events);
      core.collectWhenQuiet();
    }
    core.store.update(
      (s) => {
        s.cursor = next;
      },
      { flush: events.length > 0 },
    );
  }

  async #processBatch(events: ChangeEvent[]): Promise<void> {
    const core = this.#core;
    const batch = planBatch(events);
    const released = releaseObjects(core.store.state.failures, { users: batch.users, groups: batch.groups, memberships: batch.memberships });
    if (released.length > 0) core.log('info', `retrying ${released.length} object(s) named by new changes: ${released.join(', ')}`);
    if (batch.reconcile) await core.reconcileChanges(batch.targets, batch.full, `${events.length} change event(s)`);
    if (batch.passwords.length > 0) await this.#applyPasswords(batch.passwords);
    core.store.update((s) => {
      s.counters.eventsProcessed += events.length;
      s.lastChangeAt = core.nowIso();
    });
  }

  async #applyPasswords(events: ChangeEvent[]): Promise<void> {
    const core = this.#core;
    const agent = core.config.agent as NonNullable<AgentConfig['agent']>;
    const holds = (this.#passwordHolds ??= new PasswordHolds(core));
    await core.withAd(async (session) => {
      const anchorKey = (await core.anchorKey(session)).key;
      for (const event of events) {
        if (core.stopping) return;
        if (this.#unacked.has(event.id)) continue; // applied already; only its ack is owed
        let result;
        try {
          result = await core.deps.applyPasswordEvent(event, {
            session,
            rootDN: core.rootDN,
            anchorAttribute: core.config.sync.anchorAttribute,
            anchorKey,
            hints: core.dnHints,
            agentId: agent.agentId,
            privateKeyPem: core.secrets.privateKeyPem as string,
            journal: core.journal,
            privilegedGroups: core.config.sync.privilegedGroups,
            ...(core.config.staging
              ? { staged: core.store.state.staged }
              : { admit: holds.admitFor(session, event.id, String(event.data.username ?? event.data.userId)) }),
          });
        } catch (err) {
          if (isTransient(err))
            core.log('warning', `password of ${String(event.data.username ?? event.data.userId)} not applied yet: ${asEngineError(err).message}`);
          throw err;
        }
        if (result.outcome === 'staged') {
          // Left unacknowledged: the live agent this one becomes sets it.
          core.store.update((s) => s.counters.staged++);
          core.log('verbose', `staging: password of ${result.target} would be set (not set, not acknowledged)`);
          continue;
        }
        if (result.outcome === 'held') {
          // Left unacknowledged and never opened: JumpCloud delivers it again; an approval lets it through.
          core.log('verbose', `password of ${result.target} held back by the safety limit (not set, not acknowledged)`);
          continue;
        }
        if (result.outcome === 'skipped') {
          core.log('verbose', `password event ${event.id} carries no password for this agent (handled by another agent, or undeliverable)`);
          continue;
        }
        core.store.update((s) => {
          if (result.outcome === 'applied') s.counters.passwordsApplied++;
          else s.counters.passwordsRejected++;
        });
        if (result.outcome === 'applied') core.log('info', `password of ${result.target} set from JumpCloud`);
        else core.log('warning', `password of ${result.target} rejected: ${result.ack?.reason ?? ''}`);
        this.#unacked.set(event.id, result.ack as AckRequest);
      }
    });
    await this.#flushAcks();
  }

  async #flushAcks(): Promise<void> {
    const channel = this.#channel as AgentChannel;
    for (const [eventId, ack] of [...this.#unacked]) {
      await channel.ack(eventId, ack);
      this.#unacked.delete(eventId);
    }
  }
}
