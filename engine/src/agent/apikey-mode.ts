// The API-key mode of the agent (config `mode: "apiKey"`): the public API only. No exchange, no
// heartbeat, no election: the agent always acts, with Directory Insights as its change signal
// (./insights-poller.ts) instead of the change feed, and syncs no passwords.
import { EngineError, ExitCode, asEngineError } from '../errors';
import type { JumpCloudClient } from '../jumpcloud/client';
import type { DirectoryEvent } from '../jumpcloud/schemas';
import { findDomain } from '../sync/gather';
import { jumpcloudBaseUrl, jumpcloudInsightsUrl } from './config';
import { AGENT_CALL_RETRY, outageDelay, type AgentCore } from './core';
import { releaseObjects } from './failures';
import { InsightsPoller, planInsights, type InsightsCursor, type InsightsPlan } from './insights-poller';
import type { AgentMode } from './mode';

/** API-key mode: the key is the only way in, so its refusal stops the agent. */
const API_KEY_REFUSALS = new Set(['JumpCloud.AuthFailed', 'JumpCloud.Forbidden']);

export class ApiKeyMode implements AgentMode {
  readonly name = 'apiKey';
  readonly acting = true;
  readonly #core: AgentCore;
  #insights: InsightsPoller | null = null;

  constructor(core: AgentCore) {
    this.#core = core;
  }

  background(): Promise<void> {
    return Promise.resolve();
  }

  waitForRole(): Promise<void> {
    return Promise.resolve();
  }

  interrupt(): void {}

  close(): void {
    this.#core.jumpcloud?.close();
  }

  classify(err: EngineError): 'ignore' | 'outage' | EngineError {
    if (API_KEY_REFUSALS.has(err.id)) return apiKeyRefused(err);
    if (err.id.startsWith('JumpCloud.')) {
      this.#core.store.update((s) => {
        s.connected = false;
      });
    }
    return 'outage';
  }

  /**
   * Finds the ADI domain, anchors the Directory Insights cursor (or checks that Directory
   * Insights answers, on a restart). An unreachable JumpCloud is retried with backoff; a refused
   * key or an unknown domain stops the agent.
   */
  async start(): Promise<void> {
    const core = this.#core;
    const client = core.deps.jumpcloud({
      baseUrl: jumpcloudBaseUrl(core.config),
      insightsBaseUrl: jumpcloudInsightsUrl(core.config),
      ca: core.ca,
      proxy: core.proxy,
      timeoutMs: core.config.jumpcloud.timeoutMs,
      log: core.clientLog,
      retry: AGENT_CALL_RETRY,
      apiKey: core.secrets.apiKey,
      orgId: core.config.jumpcloud.orgId,
      signal: core.signal,
    });
    core.jumpcloud = client;
    const poller = new InsightsPoller(client);
    let attempt = 0;
    for (;;) {
      try {
        core.domainId = (await findDomain(client, core.config.domain)).id;
        const saved = core.store.state.insights;
        if (saved) await poller.poll(saved);
        else {
          const cursor = await poller.initialCursor(core.now());
          core.store.update(
            (s) => {
              s.insights = cursor;
            },
            { flush: true },
          );
        }
        break;
      } catch (thrown) {
        const err = asEngineError(thrown);
        if (core.stopping) return;
        if (API_KEY_REFUSALS.has(err.id)) throw apiKeyRefused(err);
        if (err.exitCode !== ExitCode.Unreachable) throw err;
        attempt++;
        const delay = outageDelay(attempt);
        core.log('warning', `cannot reach JumpCloud yet (${err.message}); retrying in ${Math.round(delay / 1000)} s`, { id: err.id });
        core.recordError(err);
        await core.sleep(delay);
      }
    }
    this.#insights = poller;
    await this.#warnAboutChannelAgents(client);
    core.store.update(
      (s) => {
        s.agentId = null;
        s.status = 'running';
        s.connected = true;
        s.primary = true;
        s.lastError = null;
      },
      { flush: true },
    );
    core.log(
      'info',
      `API-key mode for ${core.config.domain} (${core.domainId}): Directory Insights every ${core.config.sync.insightsPollSeconds} s, a full reconcile every ${core.config.sync.fullReconcileMinutes} min; passwords are not synced in this mode`,
    );
  }

  /** Agents of JumpCloud's agent service active for the same domain would write to AD too: say so. */
  async #warnAboutChannelAgents(client: JumpCloudClient): Promise<void> {
    const core = this.#core;
    try {
      const active: string[] = [];
      for await (const agent of client.listAgents(core.domainId)) if (agent.state === 'active') active.push(agent.hostname || agent.id);
      if (active.length > 0) {
        core.log(
          'warning',
          `agents of JumpCloud's agent service are active for ${core.config.domain} (${active.join(', ')}): they and this API-key agent would both write to AD. Run one agent per ADI domain.`,
        );
      }
    } catch (thrown) {
      core.log('debug', `the domain's agents could not be listed: ${asEngineError(thrown).message}`);
    }
  }

  #cursor(): InsightsCursor {
    return this.#core.store.state.insights ?? { time: this.#core.nowIso(), ids: [] };
  }

  async #poll(cursor: InsightsCursor): Promise<{ fresh: DirectoryEvent[]; cursor: InsightsCursor }> {
    const read = await (this.#insights as InsightsPoller).poll(cursor);
    this.#core.store.update((s) => {
      s.counters.insightsPolls++;
    });
    return read;
  }

  /** Saved only once the events' reconcile is done: after a crash they are read again (harmless). */
  #save(cursor: InsightsCursor, events: number, changed: boolean): void {
    const core = this.#core;
    core.store.update(
      (s) => {
        s.insights = cursor;
        s.connected = true;
        s.counters.eventsProcessed += events;
        if (changed) s.lastChangeAt = core.nowIso();
      },
      { flush: events > 0 },
    );
  }

  /** Releases the failure records (quarantine included) of the objects the events name. */
  #releaseNamed(events: DirectoryEvent[]): InsightsPlan {
    const core = this.#core;
    const plan = planInsights(events);
    const released = releaseObjects(core.store.state.failures, { users: plan.users, groups: plan.groups, memberships: plan.memberships });
    if (released.length > 0) core.log('info', `retrying ${released.length} object(s) named by new changes: ${released.join(', ')}`);
    return plan;
  }

  /**
   * A full reconcile that reads Directory Insights first: the events until then are covered by it
   * and ask for no other. Directory Insights failing does not hold the reconcile up.
   */
  async #fullReconcileWithInsights(why: string): Promise<void> {
    const core = this.#core;
    let read: { fresh: DirectoryEvent[]; cursor: InsightsCursor } | null = null;
    try {
      read = await this.#poll(this.#cursor());
    } catch (thrown) {
      const err = asEngineError(thrown);
      if (API_KEY_REFUSALS.has(err.id) || core.stopping) throw err;
      core.log(core.outages > 0 ? 'debug' : 'warning', `Directory Insights not read before the reconcile: ${err.message}`, { id: err.id });
    }
    if (read) this.#releaseNamed(read.fresh);
    await core.fullReconcile(why);
    if (read) this.#save(read.cursor, read.fresh.length, false);
  }

  async turn(): Promise<void> {
    const core = this.#core;
    const sync = core.config.sync;
    if (core.fullReconcileDue()) await this.#fullReconcileWithInsights(core.needFull ? 'start or catch-up' : 'schedule');
    if (core.offboardDue()) await core.offboardCheck();
    if (core.stopping) return;

    const first = await this.#poll(this.#cursor());
    const events = [...first.fresh];
    let cursor = first.cursor;
    let changed = planInsights(events).reconcile;
    if (changed) {
      // Debounce: let a burst settle (Directory Insights may index it over a few polls), reconcile once.
      const deadline = core.nowMs() + sync.maxDebounceMs;
      while (core.nowMs() < deadline && !core.stopping) {
        await core.sleep(sync.debounceMs);
        const more = await this.#poll(cursor);
        cursor = more.cursor;
        if (more.fresh.length === 0) break;
        events.push(...more.fresh);
      }
      const plan = this.#releaseNamed(events);
      changed = plan.reconcile;
      await core.reconcileChanges(plan.targets, plan.full, `${events.length} Directory Insights event(s)`);
      core.collectWhenQuiet();
    }
    this.#save(cursor, events.length, changed);
    await core.sleep(Math.max(0, Math.min(sync.insightsPollSeconds * 1000, core.dueInMs())));
  }
}

/** A refused API key in API-key mode: the agent has no other way to JumpCloud, so it stops with this. */
function apiKeyRefused(err: EngineError): EngineError {
  return new EngineError(
    err.id,
    `${err.message} In API-key mode the agent reads users, groups and Directory Insights with this key only: it stops. Reinstall it with the key of an administrator who may read them (Install-JCSyncAgent -ApiKeyOnly).`,
    { category: err.category, exitCode: err.exitCode, target: err.target },
  );
}
