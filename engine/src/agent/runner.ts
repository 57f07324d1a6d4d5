// The long-running sync agent (`jcadi-engine run --config FILE`):
//   1. opens the config's secrets (in memory only); on the first start exchanges the connect key
//      once and replaces it in the config with the agent's protected credentials;
//   2. heartbeats on its own timer and obeys the primary designation: a standby stays ready, a
//      standby that becomes primary takes over with a full reconcile;
//   3. as primary: long-polls the change feed, debounces a burst, reconciles (a full,
//      state-based reconcile, see ./reconcile.ts), applies password events, checks AD for
//      accounts an administrator disabled (offboarding), and reconciles on a schedule;
//   4. survives outages (retries with backoff, reports "degraded", catches up with a full
//      reconcile) and stops gracefully on SIGTERM/SIGINT, saving its state.
// In the API-key mode (config `mode: "apiKey"`) there is no exchange, no heartbeat and no
// election: the agent always acts, with Directory Insights as its change signal
// (./insights-poller.ts) instead of the change feed, and syncs no passwords.
import { rmSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { parseAdiDN } from '../ad/rootdn';
import { AdSession } from '../ad/session';
import { AdWriter } from '../ad/writer';
import { asEngineError, EngineError, ExitCode, type ExitCodeValue } from '../errors';
import {
  agentPaths,
  dcConfigOf,
  agentProxy,
  jumpcloudBaseUrl,
  jumpcloudInsightsUrl,
  openAgentSecrets,
  protectorFor,
  readAgentConfig,
  SECRET_PURPOSE,
  writeAgentConfig,
  type AgentConfig,
  type AgentPaths,
  type AgentSecrets,
} from './config';
import type { SecretProtector } from '../config/protect';
import { AgentChannelClient, exchangeConnectKey } from '../jumpcloud/agent-channel';
import type { AckRequest, ChangeEvent } from '../jumpcloud/agent-protocol';
import { generateAgentKeyPair } from '../jumpcloud/agent-crypto';
import { JumpCloudClient } from '../jumpcloud/client';
import { describeProxy, readCaFile } from '../jumpcloud/connection';
import type { ProxySettings } from '../jumpcloud/proxy';
import { abortableSleep } from '../jumpcloud/retry';
import type { DirectoryEvent } from '../jumpcloud/schemas';
import type { EngineLogger } from '../log/logger';
import type { SecretScrubber } from '../log/secrets';
import { findDomain } from '../sync/gather';
import { FileJournal } from '../sync/journal';
import { ENGINE_VERSION } from '../version';
import { planBatch } from './events';
import { DEFAULT_BACKOFF, releaseObjects, type BackoffPolicy } from './failures';
import { InsightsPoller, planInsights, type InsightsCursor, type InsightsPlan } from './insights-poller';
import { changedManagedUsers, offboard, readWatermark, scanStart } from './offboard';
import { applyPasswordEvent, isTransient } from './passwords';
import { reconcile } from './reconcile';
import { commitPassword, readConfigPasswords } from './service-password';
import { readAgentState, StateStore } from './state';

/** The longest long-poll; shorter when a scheduled task (offboarding check, full reconcile) is due. */
const MAX_POLL_SECONDS = 25;
const OUTAGE_BACKOFF = { baseMs: 1000, maxMs: 60_000 };
const AGENT_CALL_RETRY = { maxAttempts: 3, maxElapsedMs: 10_000, maxDelayMs: 4_000 };

export interface RunAgentOptions {
  configFile: string;
  logger: EngineLogger;
  scrubber: SecretScrubber;
  signal: AbortSignal;
  hostname?: string;
  protector?: SecretProtector;
  now?: () => Date;
}

/** Refusals of the connect key itself: retrying cannot help. */
const KEY_REFUSALS = new Set(['JumpCloud.ConnectKeyInvalid', 'JumpCloud.ConnectKeyUsed', 'JumpCloud.ConnectKeyExpired', 'JumpCloud.InvalidRequest']);
/** API-key mode: the key is the only way in, so its refusal stops the agent. */
const API_KEY_REFUSALS = new Set(['JumpCloud.AuthFailed', 'JumpCloud.Forbidden']);

export class AgentRunner {
  readonly paths: AgentPaths;
  readonly #options: RunAgentOptions;
  readonly #log: EngineLogger['log'];
  readonly #now: () => Date;
  readonly #hostname: string;
  #backoff: BackoffPolicy;
  #config!: AgentConfig;
  #secrets!: AgentSecrets;
  #protector!: SecretProtector;
  #store!: StateStore;
  #journal!: FileJournal;
  #channel: AgentChannelClient | null = null;
  #jumpcloud: JumpCloudClient | null = null;
  #ca: string | undefined;
  #proxy: ProxySettings | null = null;
  #rootDN = '';
  #domainId = '';
  /** API-key mode only: the change signal. */
  #insights: InsightsPoller | null = null;

  #primary = false;
  #heartbeatIntervalMs = 5000;
  #agentTimeoutMs = 15_000;
  #lastHeartbeatOk = 0;
  #needFull = true;
  #nextFullAt = 0;
  #nextOffboardAt = 0;
  #outages = 0;
  #degradedMessage: string | null = null;
  /** Password events applied but not yet acknowledged (the ack failed): acknowledged before anything else. */
  readonly #unacked = new Map<string, AckRequest>();
  /** Aborted on stop and when the primary role is lost: ends a long-poll at once. */
  #pollAbort = new AbortController();
  #roleWaiters: Array<() => void> = [];

  constructor(options: RunAgentOptions) {
    this.#options = options;
    this.paths = agentPaths(dirname(options.configFile));
    this.paths.config = options.configFile;
    this.#log = (level, message, meta) => options.logger.log(level, message, meta);
    this.#now = options.now ?? (() => new Date());
    this.#hostname = options.hostname ?? osHostname();
    this.#backoff = DEFAULT_BACKOFF;
  }

  get #stopping(): boolean {
    return this.#options.signal.aborted;
  }

  async run(): Promise<ExitCodeValue> {
    const { signal } = this.#options;
    const stop = () => {
      this.#pollAbort.abort();
      this.#wakeRoleWaiters();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      // The state first: a config or key-file problem is then reported there too.
      this.#store = new StateStore(this.paths.state, readAgentState(this.paths.state, ENGINE_VERSION));
      this.#config = readAgentConfig(this.paths.config);
      this.#backoff = { ...DEFAULT_BACKOFF, baseMs: this.#config.sync.retryBaseSeconds * 1000, quarantineAfter: this.#config.sync.quarantineAfterFailures };
      const protector = this.#options.protector ?? protectorFor({ keyFile: this.paths.keyFile });
      this.#protector = protector;
      this.#secrets = await openAgentSecrets(this.#config, protector);
      for (const secret of Object.values(this.#secrets)) if (secret) this.#options.scrubber.add(secret);
      const root = parseAdiDN(this.#config.rootUserDN, 'root');
      if (!root.ldapDN) throw new EngineError('RootDN.Invalid', `The Root User DN in the config is not valid: ${root.problems.join(' ')}`, { exitCode: ExitCode.BadRequest, category: 'InvalidData' });
      this.#rootDN = root.ldapDN;
      this.#ca = await readCaFile(this.#config.jumpcloud.caFile, 'jumpcloud.caFile');
      const proxy = agentProxy(this.#config, this.#secrets.proxyPassword);
      this.#proxy = proxy.proxy;
      if (proxy.proxy?.password) this.#options.scrubber.add(proxy.proxy.password);
      this.#store.update((s) => {
        s.version = ENGINE_VERSION;
        s.pid = process.pid;
        s.status = 'starting';
        s.startedAt = this.#now().toISOString();
        s.stoppedAt = null;
        s.lastError = null;
        s.connected = false;
        s.primary = false;
      }, { flush: true });
      writeFileSync(this.paths.pid, `${process.pid}\n`, { mode: 0o644 });
      this.#log('info', `sync agent ${ENGINE_VERSION} starting`, { pid: process.pid, domain: this.#config.domain, rootUserDN: this.#config.rootUserDN, serverType: this.#config.serverType, dc: this.#config.domainController });
      this.#journal = new FileJournal(this.paths.journal, `agent-${process.pid}-${Date.now().toString(36)}`);
      if (proxy.source !== 'none') this.#log('info', describeProxy(proxy));

      if (this.#config.mode === 'apiKey') {
        await this.#startApiKeyMode();
        await this.#mainLoop();
        return this.#finish(ExitCode.Ok);
      }
      if (this.#config.connectKey) await this.#exchange(protector);
      if (this.#stopping) return this.#finish(ExitCode.Ok);
      const agent = this.#config.agent;
      if (!agent || !this.#secrets.agentSecret || !this.#secrets.privateKeyPem) throw new EngineError('Agent.ConfigInvalid', 'The config holds no agent credentials.', { exitCode: ExitCode.BadRequest });
      this.#domainId = agent.domainId;
      // Short retries per call: the agent's own loop retries with backoff and reports the outage.
      const transport = { baseUrl: jumpcloudBaseUrl(this.#config), ca: this.#ca, proxy: this.#proxy, timeoutMs: this.#config.jumpcloud.timeoutMs, log: this.#clientLog, retry: AGENT_CALL_RETRY };
      this.#channel = new AgentChannelClient(transport, { agentId: agent.agentId, agentSecret: this.#secrets.agentSecret });
      this.#jumpcloud = new JumpCloudClient({ ...transport, apiKey: this.#secrets.apiKey, orgId: this.#config.jumpcloud.orgId, signal });
      this.#store.update((s) => {
        s.agentId = agent.agentId;
        s.status = 'running';
      }, { flush: true });
      this.#log('info', `agent ${agent.agentId} connected to ${transport.baseUrl} for ${this.#config.domain}`);

      const heartbeats = this.#heartbeatLoop();
      await this.#mainLoop();
      await heartbeats;
      return this.#finish(ExitCode.Ok);
    } catch (thrown) {
      const err = asEngineError(thrown);
      this.#log('error', err.message, { id: err.id });
      if (this.#store) {
        this.#store.update((s) => {
          s.status = 'failed';
          s.lastError = { id: err.id, message: err.message, at: this.#now().toISOString() };
        });
      }
      return this.#finish(err.exitCode, err);
    } finally {
      signal.removeEventListener('abort', stop);
      this.#channel?.close();
      this.#jumpcloud?.close();
    }
  }

  #finish(code: ExitCodeValue, err?: EngineError): ExitCodeValue {
    if (this.#store) {
      this.#store.update((s) => {
        if (!err) s.status = 'stopped';
        s.stoppedAt = this.#now().toISOString();
        s.pid = null;
        s.connected = false;
        s.primary = false;
      }, { flush: true });
    }
    rmSync(this.paths.pid, { force: true });
    this.#log('info', `sync agent stopped (exit ${code})`);
    return code;
  }

  readonly #clientLog = (level: 'debug' | 'verbose' | 'info' | 'warning', message: string) => this.#log(level === 'warning' ? 'warning' : 'debug', message);

  // ---- first start ----------------------------------------------------------------------

  async #exchange(protector: SecretProtector): Promise<void> {
    const connectKey = this.#secrets.connectKey as string;
    const keys = generateAgentKeyPair();
    this.#options.scrubber.add(keys.privateKeyPem);
    this.#store.update((s) => {
      s.status = 'exchanging';
    }, { flush: true });
    let attempt = 0;
    for (;;) {
      try {
        const answer = await exchangeConnectKey(
          { baseUrl: jumpcloudBaseUrl(this.#config), ca: this.#ca, proxy: this.#proxy, timeoutMs: this.#config.jumpcloud.timeoutMs, log: this.#clientLog, signal: this.#options.signal },
          { connectKey, publicKey: keys.publicKey, hostname: this.#hostname, version: ENGINE_VERSION },
        );
        this.#options.scrubber.add(answer.agentSecret);
        if (answer.domain !== this.#config.domain) {
          throw new EngineError(
            'Agent.DomainMismatch',
            `The connect key belongs to the ADI domain ${answer.domain}, but this agent is configured for ${this.#config.domain}. Create a connect key for ${this.#config.domain} (New-JCSyncConnectKey) and reinstall.`,
            { category: 'InvalidData', exitCode: ExitCode.BadRequest, target: answer.domain },
          );
        }
        const next: AgentConfig = {
          ...this.#config,
          connectKey: undefined,
          agent: {
            agentId: answer.agentId,
            domainId: answer.domainId,
            orgId: answer.orgId,
            exchangedAt: this.#now().toISOString(),
            agentSecret: await protector.protect(answer.agentSecret, SECRET_PURPOSE.agentSecret),
            privateKey: await protector.protect(keys.privateKeyPem, SECRET_PURPOSE.privateKey),
          },
        };
        delete next.connectKey;
        // One atomic write: the config holds the connect key or the credentials, never half of each.
        writeAgentConfig(this.paths.config, next);
        this.#config = next;
        this.#secrets = { ...this.#secrets, connectKey: null, agentSecret: answer.agentSecret, privateKeyPem: keys.privateKeyPem };
        this.#heartbeatIntervalMs = answer.heartbeatIntervalSeconds * 1000;
        this.#agentTimeoutMs = answer.agentTimeoutSeconds * 1000;
        this.#store.update((s) => {
          s.agentId = answer.agentId;
          s.cursor = answer.cursor;
        }, { flush: true });
        this.#log('info', `connect key exchanged: this is agent ${answer.agentId} of ${answer.domain}; the key is replaced by the agent's protected credentials`);
        return;
      } catch (thrown) {
        const err = asEngineError(thrown);
        if (this.#stopping || KEY_REFUSALS.has(err.id) || err.exitCode !== ExitCode.Unreachable) throw err;
        attempt++;
        const delay = Math.min(OUTAGE_BACKOFF.maxMs, OUTAGE_BACKOFF.baseMs * 2 ** Math.min(attempt, 6));
        this.#log('warning', `cannot exchange the connect key yet (${err.message}); retrying in ${Math.round(delay / 1000)} s`);
        this.#store.update((s) => {
          s.lastError = { id: err.id, message: err.message, at: this.#now().toISOString() };
        });
        await this.#sleep(delay);
      }
    }
  }

  // ---- heartbeat and role ---------------------------------------------------------------

  async #heartbeatLoop(): Promise<void> {
    let failuresLogged = 0;
    while (!this.#stopping) {
      try {
        const answer = await (this.#channel as AgentChannelClient).heartbeat({
          hostname: this.#hostname,
          version: ENGINE_VERSION,
          status: this.#degradedMessage ? 'degraded' : 'ok',
          ...(this.#degradedMessage ? { message: this.#degradedMessage.slice(0, 1000) } : {}),
        });
        this.#lastHeartbeatOk = Date.now();
        this.#heartbeatIntervalMs = answer.heartbeatIntervalSeconds * 1000;
        this.#agentTimeoutMs = answer.agentTimeoutSeconds * 1000;
        if (failuresLogged > 0) this.#log('info', 'heartbeats reach JumpCloud again');
        failuresLogged = 0;
        this.#store.update((s) => {
          s.connected = true;
          s.lastHeartbeatAt = this.#now().toISOString();
          s.primaryAgentId = answer.primaryAgentId;
        });
        this.#setRole(answer.primary);
      } catch (thrown) {
        if (this.#stopping) break;
        const err = asEngineError(thrown);
        if (failuresLogged++ === 0 || failuresLogged % 20 === 0) this.#log('warning', `heartbeat failed: ${err.message}`, { id: err.id });
        this.#store.update((s) => {
          s.connected = false;
          s.lastError = { id: err.id, message: err.message, at: this.#now().toISOString() };
        });
        // Unheard for longer than the timeout, the service has moved the role: stop acting as primary.
        if (this.#primary && Date.now() - this.#lastHeartbeatOk > this.#agentTimeoutMs) this.#setRole(false);
      }
      await this.#sleep(this.#heartbeatIntervalMs);
    }
  }

  #setRole(primary: boolean): void {
    if (primary === this.#primary) return;
    this.#primary = primary;
    this.#store.update((s) => {
      s.primary = primary;
    }, { flush: true });
    if (primary) {
      this.#log('info', 'designated primary: taking over (full reconcile, then the change feed)');
      this.#needFull = true;
      this.#pollAbort = new AbortController();
      this.#wakeRoleWaiters();
    } else {
      this.#log('info', 'standby: another agent is primary; staying ready');
      this.#pollAbort.abort();
    }
  }

  #wakeRoleWaiters(): void {
    const waiters = this.#roleWaiters;
    this.#roleWaiters = [];
    for (const wake of waiters) wake();
  }

  #waitForRoleChange(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => this.#roleWaiters.push(resolve));
  }

  #sleep(ms: number): Promise<void> {
    return abortableSleep(ms, this.#options.signal).catch(() => undefined);
  }

  // ---- primary work ---------------------------------------------------------------------

  async #mainLoop(): Promise<void> {
    while (!this.#stopping) {
      if (!this.#primary) {
        await this.#waitForRoleChange();
        continue;
      }
      try {
        await (this.#insights ? this.#insightsTurn() : this.#primaryTurn());
        if (this.#outages > 0) {
          this.#log('info', 'JumpCloud and AD reachable again; caught up');
          this.#store.update((s) => {
            s.status = 'running';
            s.lastError = null;
          });
        }
        this.#outages = 0;
        this.#degradedMessage = null;
      } catch (thrown) {
        if (this.#stopping) break;
        await this.#onLoopError(asEngineError(thrown));
      }
    }
  }

  async #onLoopError(err: EngineError): Promise<void> {
    if (err.id === 'JumpCloud.NotPrimary') {
      this.#setRole(false);
      return;
    }
    if (err.id === 'JumpCloud.Cancelled' && !this.#primary) return;
    if (this.#insights && API_KEY_REFUSALS.has(err.id)) throw apiKeyRefused(err);
    this.#outages++;
    this.#needFull = true;
    this.#degradedMessage = `${err.id}: ${err.message}`;
    const delay = Math.min(OUTAGE_BACKOFF.maxMs, OUTAGE_BACKOFF.baseMs * 2 ** Math.min(this.#outages - 1, 6));
    this.#log(this.#outages === 1 || this.#outages % 10 === 0 ? 'warning' : 'debug', `${err.message} (retrying in ${Math.round(delay / 1000)} s; the agent catches up with a full reconcile)`, { id: err.id, attempt: this.#outages });
    this.#store.update((s) => {
      s.status = 'degraded';
      s.lastError = { id: err.id, message: err.message, at: this.#now().toISOString() };
      if (this.#insights && err.id.startsWith('JumpCloud.')) s.connected = false;
    }, { flush: true });
    await this.#sleep(delay);
  }

  async #withAd<T>(work: (session: AdSession) => Promise<T>): Promise<T> {
    const session = await this.#openAd();
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }

  async #openAd(): Promise<AdSession> {
    try {
      return await AdSession.open(dcConfigOf(this.#config, this.#secrets.bindPassword));
    } catch (thrown) {
      if (asEngineError(thrown).id !== 'AD.BindFailed') throw thrown;
      const session = await this.#bindWithRotatedPassword();
      if (!session) throw thrown;
      return session;
    }
  }

  /**
   * After a refused bind: the service account's password may have been rotated. The config is
   * read again; its password (a rotation committed while this agent ran) and then its pending
   * one (a rotation staged it, and AD may already have it) are tried. A pending password that
   * binds is committed here, so a rotation interrupted between AD and its commit loses no sync.
   */
  async #bindWithRotatedPassword(): Promise<AdSession | null> {
    let fresh: AgentConfig;
    let passwords: { current: string; pending: string | null };
    try {
      fresh = readAgentConfig(this.paths.config);
      passwords = await readConfigPasswords(fresh, this.#protector);
    } catch (thrown) {
      this.#log('warning', `the bind was refused and the config's passwords cannot be read again: ${asEngineError(thrown).message}`);
      return null;
    }
    for (const secret of [passwords.current, passwords.pending]) if (secret) this.#options.scrubber.add(secret);
    const candidates: Array<{ password: string; pending: boolean }> = [];
    if (passwords.current !== this.#secrets.bindPassword) candidates.push({ password: passwords.current, pending: false });
    if (passwords.pending !== null && passwords.pending !== this.#secrets.bindPassword && passwords.pending !== passwords.current) candidates.push({ password: passwords.pending, pending: true });
    for (const candidate of candidates) {
      const config: AgentConfig = { ...this.#config, serviceAccount: { bindDN: fresh.serviceAccount.bindDN, password: fresh.serviceAccount.password } };
      let session: AdSession;
      try {
        session = await AdSession.open(dcConfigOf(config, candidate.password));
      } catch (thrown) {
        if (asEngineError(thrown).id === 'AD.BindFailed') continue;
        throw thrown;
      }
      if (candidate.pending) {
        try {
          await commitPassword(this.paths.config, this.#protector, candidate.password);
          config.serviceAccount = readAgentConfig(this.paths.config).serviceAccount;
        } catch (thrown) {
          this.#log('warning', `the pending service account password works, but committing it to the config failed: ${asEngineError(thrown).message}`);
        }
      }
      this.#config = config;
      this.#secrets = { ...this.#secrets, bindPassword: candidate.password };
      this.#log('info', candidate.pending ? 'the service account password was rotated: the pending password binds and is now committed in the config' : 'the service account password was rotated: using the new password from the config');
      return session;
    }
    return null;
  }

  async #primaryTurn(): Promise<void> {
    await this.#flushAcks();
    if (this.#needFull || Date.now() >= this.#nextFullAt) await this.#fullReconcile(this.#needFull ? 'start, takeover or catch-up' : 'schedule');
    if (Date.now() >= this.#nextOffboardAt) await this.#offboardCheck();
    if (this.#stopping || !this.#primary) return;

    const channel = this.#channel as AgentChannelClient;
    const cursor = this.#store.state.cursor ?? 0;
    const dueIn = Math.min(this.#nextOffboardAt, this.#nextFullAt) - Date.now();
    const wait = Math.max(0, Math.min(MAX_POLL_SECONDS, Math.floor(dueIn / 1000)));
    const first = await channel.pollChanges(cursor, { waitSeconds: wait, signal: this.#pollAbort.signal });
    if (first.resync) {
      this.#log('warning', `the change feed no longer holds cursor ${cursor}: full reconcile, then continuing from ${first.cursor}`);
      await this.#fullReconcile('resync');
      this.#store.update((s) => {
        s.cursor = first.cursor;
      }, { flush: true });
      return;
    }
    const events: ChangeEvent[] = [...first.events];
    let next = first.cursor;
    if (events.length > 0) {
      // Debounce: let a burst settle, so it is reconciled once.
      const deadline = Date.now() + this.#config.sync.maxDebounceMs;
      while (Date.now() < deadline && !this.#stopping) {
        await this.#sleep(this.#config.sync.debounceMs);
        const more = await channel.pollChanges(next, { waitSeconds: 0, signal: this.#pollAbort.signal });
        if (more.resync) break;
        next = more.cursor;
        if (more.events.length === 0) break;
        events.push(...more.events);
      }
      await this.#processBatch(events);
    }
    this.#store.update((s) => {
      s.cursor = next;
    }, { flush: events.length > 0 });
  }

  async #processBatch(events: ChangeEvent[]): Promise<void> {
    const batch = planBatch(events);
    const released = releaseObjects(this.#store.state.failures, { users: batch.users, groups: batch.groups, memberships: batch.memberships });
    if (released.length > 0) this.#log('info', `retrying ${released.length} object(s) named by new changes: ${released.join(', ')}`);
    if (batch.reconcile) await this.#fullReconcile(`${events.length} change event(s)`);
    if (batch.passwords.length > 0) await this.#applyPasswords(batch.passwords);
    this.#store.update((s) => {
      s.counters.eventsProcessed += events.length;
      s.lastChangeAt = this.#now().toISOString();
    });
  }

  async #fullReconcile(why: string): Promise<void> {
    const state = this.#store.state;
    const result = await this.#withAd((session) =>
      reconcile({
        client: this.#jumpcloud as JumpCloudClient,
        session,
        domainId: this.#domainId,
        rootDN: this.#rootDN,
        settings: this.#config.sync,
        journal: this.#journal,
        failures: state.failures,
        reported: state.reported,
        backoff: this.#backoff,
        signal: this.#options.signal,
        now: this.#now,
        retryQuarantined: why === 'schedule',
      }),
    );
    this.#needFull = false;
    this.#nextFullAt = Date.now() + this.#config.sync.fullReconcileMinutes * 60_000;
    this.#store.update((s) => {
      s.counters.reconciles++;
      s.counters.applied += result.applied;
      s.counters.failed += result.failed;
      s.lastFullReconcileAt = this.#now().toISOString();
      s.lastFullReconcile = { durationMs: result.durationMs, planned: result.planned, applied: result.applied, failed: result.failed, deferred: result.deferred, refusal: result.refusal };
      if (result.refusal) s.lastError = { id: 'Sync.ThresholdExceeded', message: result.refusal, at: this.#now().toISOString() };
    }, { flush: true });
    const level = result.applied > 0 || result.failed > 0 ? 'info' : 'verbose';
    this.#log(level, `reconcile (${why}): ${result.applied} applied, ${result.failed} failed, ${result.deferred} held back, in ${result.durationMs} ms`);
    if (result.retried.length > 0) this.#log('info', `one more try for ${result.retried.length} quarantined object(s) at the scheduled reconcile: ${result.retried.join(', ')}`);
    if (result.refusal) this.#log('warning', `reconcile refused by the safety threshold, nothing applied: ${result.refusal}`);
    for (const skip of result.newSkips) if (skip.kind === 'skip') this.#log('warning', `skipped ${skip.objectType} ${skip.name}: ${skip.reason}`);
    for (const f of result.failures) {
      this.#log(f.quarantined ? 'error' : 'warning', `${f.quarantined ? 'quarantined' : 'will retry'} ${f.target}: ${f.message}`, { id: f.errorId });
    }
  }

  async #applyPasswords(events: ChangeEvent[]): Promise<void> {
    const agent = this.#config.agent as NonNullable<AgentConfig['agent']>;
    await this.#withAd(async (session) => {
      for (const event of events) {
        if (this.#stopping) return;
        if (this.#unacked.has(event.id)) continue; // applied already; only its ack is owed
        let result;
        try {
          result = await applyPasswordEvent(event, { session, rootDN: this.#rootDN, anchorAttribute: this.#config.sync.anchorAttribute, agentId: agent.agentId, privateKeyPem: this.#secrets.privateKeyPem as string, journal: this.#journal });
        } catch (err) {
          if (isTransient(err)) this.#log('warning', `password of ${String(event.data.username ?? event.data.userId)} not applied yet: ${asEngineError(err).message}`);
          throw err;
        }
        if (result.outcome === 'skipped') {
          this.#log('verbose', `password event ${event.id} carries no password for this agent (handled by another agent, or undeliverable)`);
          continue;
        }
        this.#store.update((s) => {
          if (result.outcome === 'applied') s.counters.passwordsApplied++;
          else s.counters.passwordsRejected++;
        });
        if (result.outcome === 'applied') this.#log('info', `password of ${result.target} set from JumpCloud`);
        else this.#log('warning', `password of ${result.target} rejected: ${result.ack?.reason ?? ''}`);
        this.#unacked.set(event.id, result.ack as AckRequest);
      }
    });
    await this.#flushAcks();
  }

  async #flushAcks(): Promise<void> {
    const channel = this.#channel as AgentChannelClient;
    for (const [eventId, ack] of [...this.#unacked]) {
      await channel.ack(eventId, ack);
      this.#unacked.delete(eventId);
    }
  }

  async #offboardCheck(): Promise<void> {
    const dc = this.#config.domainController;
    const anchorAttribute = this.#config.sync.anchorAttribute;
    await this.#withAd(async (session) => {
      const watermark = await readWatermark(session);
      // Ids an earlier version remembered in the state file: one full scan marks them in AD.
      const suspendedBefore = new Set(Object.keys(this.#store.state.offboarded));
      const since = suspendedBefore.size > 0 ? null : scanStart(this.#store.state.usn, dc, watermark);
      if (since === null) this.#log('verbose', 'offboarding: looking at every managed account once (no change-tracking watermark for this DC yet)');
      const users = await changedManagedUsers(session, this.#rootDN, anchorAttribute, since);
      const done = await offboard(users, { client: this.#jumpcloud as JumpCloudClient, writer: new AdWriter(session, anchorAttribute), journal: this.#journal, log: this.#log, suspendedBefore });
      this.#store.update((s) => {
        s.counters.offboarded += done.offboarded;
        if (since === null) for (const jcId of Object.keys(s.offboarded)) if (!done.legacyPending.includes(jcId)) delete s.offboarded[jcId];
        s.usn = { dc, invocationId: watermark.invocationId, highestCommittedUsn: watermark.highestCommittedUsn };
      }, { flush: done.offboarded > 0 });
    });
    this.#nextOffboardAt = Date.now() + this.#config.sync.offboardPollSeconds * 1000;
  }

  // ---- API-key mode ---------------------------------------------------------------------

  /**
   * No exchange, no heartbeat, no election: finds the ADI domain, anchors the Directory Insights
   * cursor (or checks that Directory Insights answers, on a restart), then always acts. An
   * unreachable JumpCloud is retried with backoff; a refused key or an unknown domain stops it.
   */
  async #startApiKeyMode(): Promise<void> {
    const client = new JumpCloudClient({
      baseUrl: jumpcloudBaseUrl(this.#config),
      insightsBaseUrl: jumpcloudInsightsUrl(this.#config),
      ca: this.#ca,
      proxy: this.#proxy,
      timeoutMs: this.#config.jumpcloud.timeoutMs,
      log: this.#clientLog,
      retry: AGENT_CALL_RETRY,
      apiKey: this.#secrets.apiKey,
      orgId: this.#config.jumpcloud.orgId,
      signal: this.#options.signal,
    });
    this.#jumpcloud = client;
    const poller = new InsightsPoller(client);
    let attempt = 0;
    for (;;) {
      try {
        this.#domainId = (await findDomain(client, this.#config.domain)).id;
        const saved = this.#store.state.insights;
        if (saved) await poller.poll(saved);
        else {
          const cursor = await poller.initialCursor(this.#now());
          this.#store.update((s) => {
            s.insights = cursor;
          }, { flush: true });
        }
        break;
      } catch (thrown) {
        const err = asEngineError(thrown);
        if (this.#stopping) return;
        if (API_KEY_REFUSALS.has(err.id)) throw apiKeyRefused(err);
        if (err.exitCode !== ExitCode.Unreachable) throw err;
        attempt++;
        const delay = Math.min(OUTAGE_BACKOFF.maxMs, OUTAGE_BACKOFF.baseMs * 2 ** Math.min(attempt, 6));
        this.#log('warning', `cannot reach JumpCloud yet (${err.message}); retrying in ${Math.round(delay / 1000)} s`, { id: err.id });
        this.#store.update((s) => {
          s.lastError = { id: err.id, message: err.message, at: this.#now().toISOString() };
        });
        await this.#sleep(delay);
      }
    }
    this.#insights = poller;
    this.#primary = true;
    await this.#warnAboutChannelAgents(client);
    this.#store.update((s) => {
      s.agentId = null;
      s.status = 'running';
      s.connected = true;
      s.primary = true;
      s.lastError = null;
    }, { flush: true });
    this.#log('info', `API-key mode for ${this.#config.domain} (${this.#domainId}): Directory Insights every ${this.#config.sync.insightsPollSeconds} s, a full reconcile every ${this.#config.sync.fullReconcileMinutes} min; passwords are not synced in this mode`);
  }

  /** Agents of JumpCloud's agent service active for the same domain would write to AD too: say so. */
  async #warnAboutChannelAgents(client: JumpCloudClient): Promise<void> {
    try {
      const active: string[] = [];
      for await (const agent of client.listAgents(this.#domainId)) if (agent.state === 'active') active.push(agent.hostname || agent.id);
      if (active.length > 0) {
        this.#log('warning', `agents of JumpCloud's agent service are active for ${this.#config.domain} (${active.join(', ')}): they and this API-key agent would both write to AD. Run one agent per ADI domain.`);
      }
    } catch (thrown) {
      this.#log('debug', `the domain's agents could not be listed: ${asEngineError(thrown).message}`);
    }
  }

  #insightsCursor(): InsightsCursor {
    return this.#store.state.insights ?? { time: this.#now().toISOString(), ids: [] };
  }

  /** Saved only once the events' reconcile is done: after a crash they are read again (harmless). */
  #saveInsights(cursor: InsightsCursor, events: number, changed: boolean): void {
    this.#store.update((s) => {
      s.insights = cursor;
      s.connected = true;
      s.counters.eventsProcessed += events;
      if (changed) s.lastChangeAt = this.#now().toISOString();
    }, { flush: events > 0 });
  }

  /** Releases the failure records (quarantine included) of the objects the events name. */
  #releaseNamed(events: DirectoryEvent[]): InsightsPlan {
    const plan = planInsights(events);
    const released = releaseObjects(this.#store.state.failures, { users: plan.users, groups: plan.groups, memberships: plan.memberships });
    if (released.length > 0) this.#log('info', `retrying ${released.length} object(s) named by new changes: ${released.join(', ')}`);
    return plan;
  }

  /**
   * A full reconcile that reads Directory Insights first: the events until then are covered by it
   * and ask for no other. Directory Insights failing does not hold the reconcile up.
   */
  async #fullReconcileWithInsights(why: string): Promise<void> {
    let read: { fresh: DirectoryEvent[]; cursor: InsightsCursor } | null = null;
    try {
      read = await (this.#insights as InsightsPoller).poll(this.#insightsCursor());
    } catch (thrown) {
      const err = asEngineError(thrown);
      if (API_KEY_REFUSALS.has(err.id) || this.#stopping) throw err;
      this.#log(this.#outages > 0 ? 'debug' : 'warning', `Directory Insights not read before the reconcile: ${err.message}`, { id: err.id });
    }
    if (read) this.#releaseNamed(read.fresh);
    await this.#fullReconcile(why);
    if (read) this.#saveInsights(read.cursor, read.fresh.length, false);
  }

  async #insightsTurn(): Promise<void> {
    const sync = this.#config.sync;
    if (this.#needFull || Date.now() >= this.#nextFullAt) await this.#fullReconcileWithInsights(this.#needFull ? 'start or catch-up' : 'schedule');
    if (Date.now() >= this.#nextOffboardAt) await this.#offboardCheck();
    if (this.#stopping) return;

    const poller = this.#insights as InsightsPoller;
    const first = await poller.poll(this.#insightsCursor());
    const events = [...first.fresh];
    let cursor = first.cursor;
    let changed = planInsights(events).reconcile;
    if (changed) {
      // Debounce: let a burst settle (Directory Insights may index it over a few polls), reconcile once.
      const deadline = Date.now() + sync.maxDebounceMs;
      while (Date.now() < deadline && !this.#stopping) {
        await this.#sleep(sync.debounceMs);
        const more = await poller.poll(cursor);
        cursor = more.cursor;
        if (more.fresh.length === 0) break;
        events.push(...more.fresh);
      }
      changed = this.#releaseNamed(events).reconcile;
      await this.#fullReconcile(`${events.length} Directory Insights event(s)`);
    }
    this.#saveInsights(cursor, events.length, changed);
    const dueIn = Math.min(this.#nextOffboardAt, this.#nextFullAt) - Date.now();
    await this.#sleep(Math.max(0, Math.min(sync.insightsPollSeconds * 1000, dueIn)));
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
