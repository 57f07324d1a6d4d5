// The agent's state file (state.json beside the config): what must survive a restart (feed
// cursor or Directory Insights cursor, AD change-tracking watermark, failures and quarantine, offboarded users) and what
// Get-JCSyncAgent shows (status, role, last heartbeat, last full reconcile, counters).
// No secret is ever stored here. Written atomically; a damaged file is set aside, not trusted.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import * as z from 'zod';
import { writeFileAtomicSync } from './config';

const AGENT_STATUSES = ['starting', 'exchanging', 'running', 'degraded', 'stopping', 'stopped', 'failed'] as const;

const failureSchema = z.object({
  kind: z.string(),
  target: z.string(),
  jcId: z.string().nullable(),
  count: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  nextAttemptAt: z.string(),
  quarantined: z.boolean(),
  lastError: z.string(),
  errorId: z.string(),
});
export type FailureRecord = z.infer<typeof failureSchema>;

const agentStateSchema = z.object({
  stateVersion: z.literal(1),
  agentId: z.string().nullable(),
  version: z.string(),
  pid: z.number().int().nullable(),
  status: z.enum(AGENT_STATUSES),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  lastError: z.object({ id: z.string(), message: z.string(), at: z.string() }).nullable(),
  connected: z.boolean(),
  primary: z.boolean(),
  primaryAgentId: z.string().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  cursor: z.number().int().min(0).nullable(),
  /** API-key mode: Directory Insights read up to `time`; `ids` are the events seen since `time` minus the overlap. */
  insights: z
    .object({ time: z.string(), ids: z.array(z.string()) })
    .nullable()
    .default(null),
  lastFullReconcileAt: z.string().nullable(),
  lastFullReconcile: z
    .object({ durationMs: z.number(), planned: z.number(), applied: z.number(), failed: z.number(), deferred: z.number(), refusal: z.string().nullable() })
    .nullable(),
  lastChangeAt: z.string().nullable(),
  counters: z.object({
    eventsProcessed: z.number().int(),
    reconciles: z.number().int(),
    applied: z.number().int(),
    failed: z.number().int(),
    passwordsApplied: z.number().int(),
    passwordsRejected: z.number().int(),
    offboarded: z.number().int(),
    /** Progress of the loop (tests wait on these instead of sleeping): turns done and failed, heartbeats answered and failed, offboarding checks, Directory Insights polls. */
    turns: z.number().int().default(0),
    /** Reconciles limited to what change events named (also counted in `reconciles`). */
    targetedReconciles: z.number().int().default(0),
    turnsFailed: z.number().int().default(0),
    heartbeats: z.number().int().default(0),
    heartbeatsFailed: z.number().int().default(0),
    offboardChecks: z.number().int().default(0),
    insightsPolls: z.number().int().default(0),
    /** Would-be operations a staging agent journaled (each once). */
    staged: z.number().int().default(0),
  }),
  failures: z.record(z.string(), failureSchema),
  /** AD change tracking of the DC this agent reads: USN watermark and the DC's invocationID. */
  usn: z.object({ dc: z.string(), invocationId: z.string(), highestCommittedUsn: z.string() }).nullable(),
  /** Legacy: users an earlier version suspended (offboarding now lives in the AD anchor); marked in AD at the next check, then dropped. */
  offboarded: z.record(z.string(), z.string()),
  /** Kinds of destructive change the rolling safety limit holds back (sync/safety-limit.ts), waiting for Approve-JCSyncSafetyLimit. */
  safetyHold: z
    .array(
      z.object({
        kind: z.string(),
        planned: z.number().int(),
        windowCount: z.number().int(),
        limit: z.number(),
        approved: z.number().default(0),
        since: z.string(),
        message: z.string(),
      }),
    )
    .default([]),
  /** Skip reasons already journaled (key → code), so a full reconcile does not repeat them. */
  reported: z.record(z.string(), z.string()),
  /** A staging agent's would-be operations already journaled (object + operation → their after-values), so each is journaled once. */
  staged: z.record(z.string(), z.string()).default({}),
});
export type AgentState = z.infer<typeof agentStateSchema>;

export function initialState(version: string): AgentState {
  return {
    stateVersion: 1,
    agentId: null,
    version,
    pid: null,
    status: 'stopped',
    startedAt: null,
    stoppedAt: null,
    lastError: null,
    connected: false,
    primary: false,
    primaryAgentId: null,
    lastHeartbeatAt: null,
    cursor: null,
    insights: null,
    lastFullReconcileAt: null,
    lastFullReconcile: null,
    lastChangeAt: null,
    counters: {
      eventsProcessed: 0,
      reconciles: 0,
      applied: 0,
      failed: 0,
      passwordsApplied: 0,
      passwordsRejected: 0,
      offboarded: 0,
      turns: 0,
      targetedReconciles: 0,
      turnsFailed: 0,
      heartbeats: 0,
      heartbeatsFailed: 0,
      offboardChecks: 0,
      insightsPolls: 0,
      staged: 0,
    },
    failures: {},
    usn: null,
    offboarded: {},
    safetyHold: [],
    reported: {},
    staged: {},
  };
}

/** Reads the state file; a missing one is a fresh state, a damaged one is renamed aside. */
export function readAgentState(file: string, version: string): AgentState {
  if (!existsSync(file)) return initialState(version);
  try {
    return agentStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    renameSync(file, `${file}.damaged-${Date.now()}`);
    return initialState(version);
  }
}

/** Reads the state for a status report without changing anything on disk. */
export function peekAgentState(file: string): AgentState | null {
  if (!existsSync(file)) return null;
  try {
    return agentStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

export class StateStore {
  #state: AgentState;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly file: string,
    state: AgentState,
  ) {
    this.#state = state;
  }

  get state(): AgentState {
    return this.#state;
  }

  update(change: (state: AgentState) => void, options: { flush?: boolean } = {}): void {
    change(this.#state);
    if (options.flush) this.flush();
    else this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, 500);
    this.#timer.unref();
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    writeFileAtomicSync(this.file, JSON.stringify(this.#state, null, 2) + '\n', 0o600);
  }
}
