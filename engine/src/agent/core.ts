// What both modes of the agent share: the opened config and secrets, the state file, the journal,
// the schedule (full reconcile, offboarding check), and the work itself: the full reconcile
// (./reconcile.ts), the offboarding check (./offboard.ts) and the AD bind, with the fallback to a
// rotated service account password. One clock (deps.clock) for every timestamp and wait.
import { AdWriter } from '../ad/writer';
import type { AdSession } from '../ad/session';
import type { SecretProtector } from '../config/protect';
import { asEngineError } from '../errors';
import type { JumpCloudClient } from '../jumpcloud/client';
import type { ProxySettings } from '../jumpcloud/proxy';
import type { EngineLogger } from '../log/logger';
import type { SecretScrubber } from '../log/secrets';
import type { FileJournal } from '../sync/journal';
import { gatherScope } from '../sync/gather';
import { heldMessage, parseLedger, SAFETY_KINDS, statusOf, type SafetyKind } from '../sync/safety-limit';
import { AdLedgerStore } from '../ad/ledger';
import { dcConfigOf, readAgentConfig, type AgentConfig, type AgentPaths, type AgentSecrets } from './config';
import type { BackoffPolicy } from './failures';
import type { AgentDeps } from './mode';
import { scanStart } from './offboard';
import { commitPassword, readConfigPasswords } from './service-password';
import type { StateStore } from './state';

const OUTAGE_BACKOFF = { baseMs: 1000, maxMs: 60_000 };
/** Short retries per call: the agent's own loop retries with backoff and reports the outage. */
export const AGENT_CALL_RETRY = { maxAttempts: 3, maxElapsedMs: 10_000, maxDelayMs: 4_000 };

export function outageDelay(attempt: number): number {
  return Math.min(OUTAGE_BACKOFF.maxMs, OUTAGE_BACKOFF.baseMs * 2 ** Math.min(attempt, 6));
}

export interface CoreInit {
  paths: AgentPaths;
  config: AgentConfig;
  secrets: AgentSecrets;
  protector: SecretProtector;
  store: StateStore;
  journal: FileJournal;
  logger: EngineLogger;
  scrubber: SecretScrubber;
  signal: AbortSignal;
  hostname: string;
  deps: AgentDeps;
  backoff: BackoffPolicy;
  rootDN: string;
  ca: string | undefined;
  proxy: ProxySettings | null;
}

export class AgentCore {
  readonly paths: AgentPaths;
  readonly protector: SecretProtector;
  readonly store: StateStore;
  readonly journal: FileJournal;
  readonly scrubber: SecretScrubber;
  readonly signal: AbortSignal;
  readonly hostname: string;
  readonly deps: AgentDeps;
  readonly backoff: BackoffPolicy;
  readonly rootDN: string;
  readonly ca: string | undefined;
  readonly proxy: ProxySettings | null;
  readonly #logger: EngineLogger;
  config: AgentConfig;
  secrets: AgentSecrets;
  /** The public API client (set by the mode's start). */
  jumpcloud: JumpCloudClient | null = null;
  domainId = '';

  /** A full reconcile is owed: at start, at takeover, after an outage or a lost cursor. */
  needFull = true;
  nextFullAt = 0;
  nextOffboardAt = 0;
  /** Failed turns in a row (0: healthy). */
  outages = 0;
  /** Why the agent is degraded, for the heartbeat's status (null: healthy). */
  degradedMessage: string | null = null;

  constructor(init: CoreInit) {
    this.paths = init.paths;
    this.config = init.config;
    this.secrets = init.secrets;
    this.protector = init.protector;
    this.store = init.store;
    this.journal = init.journal;
    this.#logger = init.logger;
    this.scrubber = init.scrubber;
    this.signal = init.signal;
    this.hostname = init.hostname;
    this.deps = init.deps;
    this.backoff = init.backoff;
    this.rootDN = init.rootDN;
    this.ca = init.ca;
    this.proxy = init.proxy;
  }

  get stopping(): boolean {
    return this.signal.aborted;
  }

  readonly log: EngineLogger['log'] = (level, message, meta) => this.#logger.log(level, message, meta);
  readonly clientLog = (level: 'debug' | 'verbose' | 'info' | 'warning', message: string) => this.log(level === 'warning' ? 'warning' : 'debug', message);

  now(): Date {
    return this.deps.clock.now();
  }

  nowMs(): number {
    return this.deps.clock.now().getTime();
  }

  nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  sleep(ms: number, signal: AbortSignal = this.signal): Promise<void> {
    return this.deps.clock.sleep(ms, signal);
  }

  /** Milliseconds until the next scheduled task (offboarding check or full reconcile). */
  dueInMs(): number {
    return Math.min(this.nextOffboardAt, this.nextFullAt) - this.nowMs();
  }

  fullReconcileDue(): boolean {
    return this.needFull || this.nowMs() >= this.nextFullAt;
  }

  offboardDue(): boolean {
    return this.nowMs() >= this.nextOffboardAt;
  }

  recordError(err: { id: string; message: string }): void {
    this.store.update((s) => {
      s.lastError = { id: err.id, message: err.message, at: this.nowIso() };
    });
  }

  // ---- the work -------------------------------------------------------------------------

  async fullReconcile(why: string): Promise<void> {
    const state = this.store.state;
    const result = await this.withAd((session) =>
      this.deps.reconcile({
        client: this.jumpcloud as JumpCloudClient,
        session,
        domainId: this.domainId,
        rootDN: this.rootDN,
        settings: this.config.sync,
        journal: this.journal,
        failures: state.failures,
        reported: state.reported,
        backoff: this.backoff,
        signal: this.signal,
        now: () => this.now(),
        retryQuarantined: why === 'schedule',
        anchorKey: this.secrets.anchorKey,
      }),
    );
    this.needFull = false;
    this.nextFullAt = this.nowMs() + this.config.sync.fullReconcileMinutes * 60_000;
    this.store.update((s) => {
      s.counters.reconciles++;
      s.counters.applied += result.applied;
      s.counters.failed += result.failed;
      s.lastFullReconcileAt = this.nowIso();
      s.lastFullReconcile = { durationMs: result.durationMs, planned: result.planned, applied: result.applied, failed: result.failed, deferred: result.deferred, refusal: result.refusal };
      if (result.refusal) s.lastError = { id: 'Sync.ThresholdExceeded', message: result.refusal, at: this.nowIso() };
      const since = new Map(s.safetyHold.map((h) => [h.kind, h.since]));
      s.safetyHold = result.held.map((k) => ({ kind: k.kind, planned: k.planned, windowCount: k.windowCount, limit: k.limit, approved: k.approved, since: since.get(k.kind) ?? this.nowIso(), message: heldMessage(k, this.config.sync.safetyWindowHours) }));
    }, { flush: true });
    const level = result.applied > 0 || result.failed > 0 ? 'info' : 'verbose';
    this.log(level, `reconcile (${why}): ${result.applied} applied, ${result.failed} failed, ${result.deferred} held back, in ${result.durationMs} ms`);
    if (result.retried.length > 0) this.log('info', `one more try for ${result.retried.length} quarantined object(s) at the scheduled reconcile: ${result.retried.join(', ')}`);
    if (result.refusal) this.log('warning', `reconcile refused by the safety threshold, nothing applied: ${result.refusal}`);
    for (const k of result.newHolds) this.log('warning', heldMessage(k, this.config.sync.safetyWindowHours), { id: 'Sync.SafetyLimit' });
    for (const skip of result.newSkips) if (skip.kind === 'skip') this.log('warning', `skipped ${skip.objectType} ${skip.name}: ${skip.reason}`);
    for (const f of result.failures) {
      this.log(f.quarantined ? 'error' : 'warning', `${f.quarantined ? 'quarantined' : 'will retry'} ${f.target}: ${f.message}`, { id: f.errorId });
    }
  }

  async offboardCheck(): Promise<void> {
    const dc = this.config.domainController;
    const anchorAttribute = this.config.sync.anchorAttribute;
    await this.withAd(async (session) => {
      const watermark = await this.deps.readWatermark(session);
      // Ids an earlier version remembered in the state file: one full scan marks them in AD.
      const suspendedBefore = new Set(Object.keys(this.store.state.offboarded));
      const since = suspendedBefore.size > 0 ? null : scanStart(this.store.state.usn, dc, watermark);
      if (since === null) this.log('verbose', 'offboarding: looking at every managed account once (no change-tracking watermark for this DC yet)');
      const anchorKey = this.secrets.anchorKey;
      const users = await this.deps.changedManagedUsers(session, this.rootDN, anchorAttribute, since, anchorKey);
      const client = this.jumpcloud as JumpCloudClient;
      // Read only when someone is to be suspended: an anchor never suspends a user outside the scope.
      const inScope = () => gatherScope(client, this.domainId);
      const done = await this.deps.offboard(users, { client, writer: new AdWriter(session, anchorAttribute, anchorKey), journal: this.journal, log: this.log, suspendedBefore, inScope });
      this.store.update((s) => {
        s.counters.offboarded += done.offboarded;
        s.counters.offboardChecks++;
        if (since === null) for (const jcId of Object.keys(s.offboarded)) if (!done.legacyPending.includes(jcId)) delete s.offboarded[jcId];
        s.usn = { dc, invocationId: watermark.invocationId, highestCommittedUsn: watermark.highestCommittedUsn };
      }, { flush: done.offboarded > 0 });
      // Changes held by the safety limit: an approval (made on any server) is seen here, and
      // applied by a reconcile at once instead of at the next scheduled one.
      if (this.store.state.safetyHold.length > 0 && (await this.#approvedSinceHold(session))) {
        this.log('info', 'the held changes were approved (Approve-JCSyncSafetyLimit): reconciling now');
        this.needFull = true;
      }
    });
    this.nextOffboardAt = this.nowMs() + this.config.sync.offboardPollSeconds * 1000;
  }

  async #approvedSinceHold(session: AdSession): Promise<boolean> {
    const ledger = parseLedger(await new AdLedgerStore(session, new AdWriter(session, this.config.sync.anchorAttribute), this.rootDN).read());
    const hour = Math.floor(this.nowMs() / 3_600_000);
    const policy = { windowHours: this.config.sync.safetyWindowHours, maxCount: 0, maxPercent: 0 };
    return this.store.state.safetyHold.some((h) => (SAFETY_KINDS as readonly string[]).includes(h.kind) && statusOf(ledger, h.kind as SafetyKind, policy, 0, hour).approved > h.approved);
  }

  // ---- the AD bind ----------------------------------------------------------------------

  async withAd<T>(work: (session: AdSession) => Promise<T>): Promise<T> {
    const session = await this.#openAd();
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }

  async #openAd(): Promise<AdSession> {
    try {
      return await this.deps.openAd(dcConfigOf(this.config, this.secrets.bindPassword));
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
      passwords = await readConfigPasswords(fresh, this.protector);
    } catch (thrown) {
      this.log('warning', `the bind was refused and the config's passwords cannot be read again: ${asEngineError(thrown).message}`);
      return null;
    }
    for (const secret of [passwords.current, passwords.pending]) if (secret) this.scrubber.add(secret);
    const candidates: Array<{ password: string; pending: boolean }> = [];
    if (passwords.current !== this.secrets.bindPassword) candidates.push({ password: passwords.current, pending: false });
    if (passwords.pending !== null && passwords.pending !== this.secrets.bindPassword && passwords.pending !== passwords.current) candidates.push({ password: passwords.pending, pending: true });
    for (const candidate of candidates) {
      const config: AgentConfig = { ...this.config, serviceAccount: { bindDN: fresh.serviceAccount.bindDN, password: fresh.serviceAccount.password } };
      let session: AdSession;
      try {
        session = await this.deps.openAd(dcConfigOf(config, candidate.password));
      } catch (thrown) {
        if (asEngineError(thrown).id === 'AD.BindFailed') continue;
        throw thrown;
      }
      if (candidate.pending) {
        try {
          await commitPassword(this.paths.config, this.protector, candidate.password);
          config.serviceAccount = readAgentConfig(this.paths.config).serviceAccount;
        } catch (thrown) {
          this.log('warning', `the pending service account password works, but committing it to the config failed: ${asEngineError(thrown).message}`);
        }
      }
      this.config = config;
      this.secrets = { ...this.secrets, bindPassword: candidate.password };
      this.log('info', candidate.pending ? 'the service account password was rotated: the pending password binds and is now committed in the config' : 'the service account password was rotated: using the new password from the config');
      return session;
    }
    return null;
  }
}
