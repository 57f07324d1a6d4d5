// What both modes of the agent share: the opened config and secrets, the state file, the journal,
// the schedule (full reconcile, offboarding check), and the work itself: the full reconcile
// (./reconcile.ts), the offboarding check (./offboard.ts) and the AD bind, with the fallback to a
// rotated service account password. One clock (deps.clock) for every timestamp and wait.
import type { AttributeLimits } from '../ad/schema-limits';
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
import type { ResolvedAnchorKey } from '../ad/anchorkey';
import { dcConfigOf, readAgentConfig, type AgentConfig, type AgentPaths, type AgentSecrets } from './config';
import { isDeferred, type BackoffPolicy } from './failures';
import type { AgentDeps } from './mode';
import { scanStart } from './offboard';
import { commitPassword, readConfigPasswords } from './service-password';
import { NeedsFullReconcile, type DnHints, type ReconcileContext, type ReconcileResult } from './reconcile';
import type { StateStore } from './state';
import { targetCount, type Targets } from '../sync/targeted';

/** A batch naming more objects than this is reconciled fully: reading them one by one would cost more. */
const TARGETED_MAX_OBJECTS = 500;
/**
 * Quiet time after a batch of changes before the agent collects its garbage: as long as a burst's
 * longest debounce (maxDebounceMs, 2 s by default), so a burst handled in several batches is
 * mostly collected once, after its last.
 */
export const QUIET_COLLECT_MS = 2_000;

const OUTAGE_BACKOFF = { baseMs: 1000, maxMs: 60_000 };
/** Short retries per call: the agent's own loop retries with backoff and reports the outage. */
export const AGENT_CALL_RETRY = { maxAttempts: 3, maxElapsedMs: 10_000, maxDelayMs: 4_000 };

export function outageDelay(attempt: number): number {
  return Math.min(OUTAGE_BACKOFF.maxMs, OUTAGE_BACKOFF.baseMs * 2 ** Math.min(attempt, 6));
}

interface CoreInit {
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
  /** Objects the sync manages in AD, counted by the last full reconcile (null: none yet), for a targeted plan's threshold. */
  managedObjects: number | null = null;
  /** Failed turns in a row (0: healthy). */
  outages = 0;
  /** Why the agent is degraded, for the heartbeat's status (null: healthy). */
  degradedMessage: string | null = null;
  /** Ends the runner's backoff after a failed turn early (null: not backing off). */
  #outageWait: AbortController | null = null;

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

  /** The backoff after a failed turn: ends at its time, at stop, or when JumpCloud is heard again. */
  async sleepAfterOutage(ms: number): Promise<void> {
    const wait = new AbortController();
    const onStop = () => wait.abort();
    this.signal.addEventListener('abort', onStop, { once: true });
    this.#outageWait = wait;
    try {
      if (!this.stopping) await this.sleep(ms, wait.signal);
    } finally {
      this.#outageWait = null;
      this.signal.removeEventListener('abort', onStop);
    }
  }

  /**
   * JumpCloud answers again after failing (a heartbeat got through): the turn backing off tries
   * now rather than after its delay, which grows to a minute in a long outage.
   */
  heardAgain(): void {
    this.#outageWait?.abort();
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

  /**
   * The anchor key for this AD session: the config's when an administrator handed one, else the
   * one kept in AD, made there by the first agent that finds none (a staging agent makes none).
   */
  async anchorKey(session: AdSession): Promise<ResolvedAnchorKey> {
    const anchorAttribute = this.config.sync.anchorAttribute;
    const resolved = await this.deps.anchorKey(session, this.config.staging ? null : new AdWriter(session, anchorAttribute), {
      rootDN: this.rootDN,
      anchorAttribute,
      explicit: this.secrets.anchorKey,
      create: !this.config.staging,
    });
    if (resolved.source === 'created') this.log('info', `created the anchor key ${resolved.dn} (readable only by this account and the administrators)`);
    return resolved;
  }

  async #context(session: AdSession, retryQuarantined: boolean): Promise<ReconcileContext> {
    const state = this.store.state;
    const anchorKey = await this.anchorKey(session);
    return {
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
      retryQuarantined,
      anchorKey: anchorKey.key,
      anchorKeySource: anchorKey.source,
      hints: this.#hints,
      schemaCache: this.#schemaCache,
      ...(this.config.staging ? { staged: state.staged } : {}),
    };
  }

  /** Read once per agent life by the first full reconcile (agent/reconcile.ts). */
  readonly #schemaCache: { attributeLimits?: AttributeLimits } = {};

  /** Where the managed objects are in AD (rebuilt by each full reconcile): targeted reads go straight to them. */
  readonly #hints: DnHints = { dns: new Map(), complete: false };

  /** Where the managed objects were last seen (`user:<jcId>` → DN), for the password events' lookup. */
  get dnHints(): ReadonlyMap<string, string> {
    return this.#hints.dns;
  }

  async fullReconcile(why: string): Promise<void> {
    const result = await this.withAd(async (session) => this.deps.reconcile(await this.#context(session, why === 'schedule')));
    this.needFull = false;
    this.managedObjects = result.refusal ? this.managedObjects : result.managedObjects;
    this.nextFullAt = this.nowMs() + this.config.sync.fullReconcileMinutes * 60_000;
    this.store.update(
      (s) => {
        s.counters.reconciles++;
        s.counters.applied += result.applied;
        s.counters.failed += result.failed;
        s.counters.staged += result.newlyStaged;
        // Live: what staging journaled is done with (a later staging journals afresh).
        if (!this.config.staging) s.staged = {};
        s.lastFullReconcileAt = this.nowIso();
        s.lastFullReconcile = {
          durationMs: result.durationMs,
          planned: result.planned,
          applied: result.applied,
          failed: result.failed,
          deferred: result.deferred,
          refusal: result.refusal,
        };
        if (result.refusal) s.lastError = { id: 'Sync.ThresholdExceeded', message: result.refusal, at: this.nowIso() };
        // Anchors left alone for want of a proof: the status says so (and what to run) until they are sealed.
        if (result.unprovenAnchors && !result.refusal) {
          if (s.lastError?.id !== 'Sync.UnprovenAnchors') this.log('warning', result.unprovenAnchors, { id: 'Sync.UnprovenAnchors' });
          s.lastError = { id: 'Sync.UnprovenAnchors', message: result.unprovenAnchors, at: this.nowIso() };
        } else if (!result.unprovenAnchors && s.lastError?.id === 'Sync.UnprovenAnchors') s.lastError = null;
        const since = new Map(s.safetyHold.map((h) => [h.kind, h.since]));
        // A hold of passwords from JumpCloud is the password path's (./password-holds.ts), not the plan's.
        const passwordHold = s.safetyHold.filter((h) => h.kind === 'passwordChange');
        s.safetyHold = result.held.map((k) => ({
          kind: k.kind,
          planned: k.planned,
          windowCount: k.windowCount,
          limit: k.limit,
          approved: k.approved,
          since: since.get(k.kind) ?? this.nowIso(),
          message: heldMessage(k, this.config.sync.safetyWindowHours),
        }));
        s.safetyHold.push(...passwordHold);
      },
      { flush: true },
    );
    this.#report(result, `reconcile (${why})`);
    // Both sides of the whole scope were read, planned and dropped: the memory goes back now
    // (util/heap.ts), not whenever V8's memory reducer gets to it.
    this.deps.collectGarbage();
  }

  /** Batches of changes handled so far: a quiet collection goes ahead only if no other came after it. */
  #batches = 0;
  /** This batch ended in a full reconcile, which collected at its end: no quiet collection after it. */
  #batchCollected = false;

  /**
   * After a batch of changes: once the agent has been quiet for QUIET_COLLECT_MS, one compacting
   * collection, so what the batches left behind goes back to the system now instead of when V8's
   * memory reducer gets to it (util/heap.ts; about 50 ms on a 20,000-account agent).
   */
  collectWhenQuiet(): void {
    // Counted either way: a quiet collection still waiting for an earlier batch is not needed now.
    const batch = ++this.#batches;
    if (this.#batchCollected) {
      this.#batchCollected = false;
      return;
    }
    void this.sleep(QUIET_COLLECT_MS).then(() => {
      if (batch === this.#batches && !this.stopping) this.deps.collectGarbage();
    });
  }

  /**
   * Applies what change events name: a targeted reconcile of those objects (./reconcile.ts), or a
   * full one when the events cannot be targeted (an unknown shape, too many objects, a group
   * deleted or unbound) or no full reconcile has counted the managed objects yet.
   */
  async reconcileChanges(named: Targets, full: boolean, why: string): Promise<void> {
    // Objects whose retry is due come along (as every change's full reconcile used to retry them);
    // a due membership edge names no id the slice can read: a full reconcile.
    const targets: Targets = { users: new Set(named.users), groups: new Set(named.groups), groupMembers: new Set(named.groupMembers) };
    const now = this.now();
    for (const [key, record] of Object.entries(this.store.state.failures)) {
      if (isDeferred(record, now)) continue;
      const [type, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (type === 'user') targets.users.add(id);
      else if (type === 'group') targets.groupMembers.add(id);
      else full = true;
    }
    const count = targetCount(targets);
    if (full || this.managedObjects === null || count > TARGETED_MAX_OBJECTS) {
      await this.fullReconcile(why);
      this.#batchCollected = true;
      return;
    }
    if (count === 0) return;
    const result = await this.withAd(async (session) =>
      this.deps.reconcileTargeted(await this.#context(session, false), targets, this.managedObjects as number),
    );
    if (result instanceof NeedsFullReconcile) {
      this.log('verbose', `${why}: ${result.reason}: full reconcile`);
      await this.fullReconcile(why);
      this.#batchCollected = true;
      return;
    }
    // What the slice created is managed too (the percentage of the safety limit counts it).
    if (!result.refusal) this.managedObjects = result.managedObjects;
    this.store.update(
      (s) => {
        s.counters.reconciles++;
        s.counters.targetedReconciles++;
        s.counters.applied += result.applied;
        s.counters.failed += result.failed;
        s.counters.staged += result.newlyStaged;
        if (result.refusal) s.lastError = { id: 'Sync.ThresholdExceeded', message: result.refusal, at: this.nowIso() };
        // A slice's plan may start a hold of the rolling safety limit; ending one is the full reconcile's call.
        for (const k of result.held) {
          if (s.safetyHold.some((h) => h.kind === k.kind)) continue;
          s.safetyHold.push({
            kind: k.kind,
            planned: k.planned,
            windowCount: k.windowCount,
            limit: k.limit,
            approved: k.approved,
            since: this.nowIso(),
            message: heldMessage(k, this.config.sync.safetyWindowHours),
          });
        }
      },
      { flush: result.applied > 0 || result.failed > 0 || result.newlyStaged > 0 || result.refusal !== null },
    );
    this.#report(result, `targeted reconcile (${why}; ${result.users} user(s), ${result.groups} group(s))`);
  }

  #report(result: ReconcileResult, what: string): void {
    if (this.config.staging) {
      this.log(
        result.newlyStaged > 0 ? 'info' : 'verbose',
        `staging ${what}: ${result.staged} operation(s) would be applied (${result.newlyStaged} new, journaled as staged), nothing written, in ${result.durationMs} ms`,
      );
    } else {
      const level = result.applied > 0 || result.failed > 0 ? 'info' : 'verbose';
      this.log(level, `${what}: ${result.applied} applied, ${result.failed} failed, ${result.deferred} held back, in ${result.durationMs} ms`);
    }
    if (result.retried.length > 0)
      this.log('info', `one more try for ${result.retried.length} quarantined object(s) at the scheduled reconcile: ${result.retried.join(', ')}`);
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
      // A staging agent keeps no watermark: it looks at every managed account each time (its
      // journal dedupes), and the live agent it becomes then sees every disabled account once.
      const staging = this.config.staging;
      const since = suspendedBefore.size > 0 || staging ? null : scanStart(this.store.state.usn, dc, watermark);
      if (since === null) this.log('verbose', 'offboarding: looking at every managed account once (no change-tracking watermark for this DC yet)');
      const anchorKey = (await this.anchorKey(session)).key;
      const users = await this.deps.changedManagedUsers(session, this.rootDN, anchorAttribute, since, anchorKey);
      const client = this.jumpcloud as JumpCloudClient;
      // Read only when someone is to be suspended: an anchor never suspends a user outside the scope.
      const inScope = () => gatherScope(client, this.domainId);
      const done = await this.deps.offboard(users, {
        client,
        writer: new AdWriter(session, anchorAttribute, anchorKey),
        journal: this.journal,
        log: this.log,
        suspendedBefore,
        inScope,
        ...(staging ? { staged: this.store.state.staged } : {}),
      });
      this.store.update(
        (s) => {
          s.counters.offboarded += done.offboarded;
          s.counters.offboardChecks++;
          if (staging) return;
          if (since === null) for (const jcId of Object.keys(s.offboarded)) if (!done.legacyPending.includes(jcId)) delete s.offboarded[jcId];
          s.usn = { dc, invocationId: watermark.invocationId, highestCommittedUsn: watermark.highestCommittedUsn };
        },
        { flush: done.offboarded > 0 || staging },
      );
      // Changes held by the safety limit: an approval (made on any server) is seen here, and
      // applied by a reconcile at once instead of at the next scheduled one.
      if (this.store.state.safetyHold.length > 0 && (await this.#approvedSinceHold(session))) {
        this.log('info', 'the held changes were approved (Approve-JCSyncSafetyLimit): reconciling now');
        this.needFull = true;
      }
      // A look at every managed account (the first check after a start) read them all: as after a full reconcile.
      if (since === null) this.deps.collectGarbage();
    });
    this.nextOffboardAt = this.nowMs() + this.config.sync.offboardPollSeconds * 1000;
  }

  async #approvedSinceHold(session: AdSession): Promise<boolean> {
    const ledger = parseLedger(await new AdLedgerStore(session, new AdWriter(session, this.config.sync.anchorAttribute), this.rootDN).read());
    const hour = Math.floor(this.nowMs() / 3_600_000);
    const policy = { windowHours: this.config.sync.safetyWindowHours, maxCount: 0, maxPercent: 0 };
    return this.store.state.safetyHold.some(
      (h) => (SAFETY_KINDS as readonly string[]).includes(h.kind) && statusOf(ledger, h.kind as SafetyKind, policy, 0, hour).approved > h.approved,
    );
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
    if (passwords.pending !== null && passwords.pending !== this.secrets.bindPassword && passwords.pending !== passwords.current)
      candidates.push({ password: passwords.pending, pending: true });
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
      this.log(
        'info',
        candidate.pending
          ? 'the service account password was rotated: the pending password binds and is now committed in the config'
          : 'the service account password was rotated: using the new password from the config',
      );
      return session;
    }
    return null;
  }
}
