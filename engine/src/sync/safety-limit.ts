// The rolling safety limit over destructive changes. The per-run threshold (planner.ts) lets a
// feed that unbinds 24 % of the users per batch disable all of them in five runs; this limit
// counts what the sync actually did over a window (default 24 h) in a ledger kept in AD (so it
// survives a restart and a failover to an agent on another server: every agent and every
// Invoke-JCSync reads the same ledger). Counted kinds: disables, renames (including moves to a
// temporary name), member removals, groups emptied on leaving the scope, passwords the sync itself sets
// (a random one when an account without a password is enabled), and passwords from JumpCloud's
// password events the agent writes to AD (`passwordChange`: a compromised feed pushing passwords
// for many users is the threat; counted one by one by the agent, admitPasswordChange()).
//
// Before a plan is applied, admit() reads the ledger; a kind whose window count plus this plan's
// count would exceed its limit is held back whole (its operations are not applied) and the
// ledger notes what is held; the other kinds are reserved in the ledger (counted before they are
// applied: a failed write is over-counted, never under-counted) and go ahead. An administrator
// approves a held kind (Approve-JCSyncSafetyLimit): that adds an allowance for the current window,
// by default just enough for what is held to go through. `force` (Invoke-JCSync -Force) admits everything for one run,
// and still counts it. The ledger is small JSON in one attribute, replaced compare-and-swap.
import type { Plan, PlanOp } from './model';

// Appended only: the ledger keeps counts by index.
export const SAFETY_KINDS = ['disable', 'rename', 'removeMember', 'emptyGroup', 'password', 'passwordChange'] as const;
export type SafetyKind = (typeof SAFETY_KINDS)[number];
/** The kinds a plan's operations count (safetyKindOf); a plan's admit decides these only. */
const PLAN_KINDS: readonly SafetyKind[] = ['disable', 'rename', 'removeMember', 'emptyGroup', 'password'];

export const SAFETY_KIND_TEXT: Record<SafetyKind, string> = {
  disable: 'disables',
  rename: 'renames',
  removeMember: 'group member removals',
  emptyGroup: 'groups emptied because they left the scope',
  password: 'passwords set by the sync',
  passwordChange: 'passwords from JumpCloud written to AD',
};

export function safetyKindOf(op: PlanOp): SafetyKind | null {
  switch (op.kind) {
    case 'disableUser':
      return 'disable';
    case 'renameUser':
    case 'renameGroup':
    case 'vacateUserName':
    case 'vacateGroupName':
      return 'rename';
    case 'removeMember':
      return 'removeMember';
    case 'unbindGroup':
      return 'emptyGroup';
    case 'enableUser':
      // pwdLastSet=0: a password is set only if the DC refuses the enable for want of one; counted as one may be.
      return op.mayLackPassword ? 'password' : null;
    default:
      return null;
  }
}

export interface Ledger {
  v: 1;
  /** Hour (since the epoch) → counts, in SAFETY_KINDS order. */
  h: Record<string, number[]>;
  /** Approvals: [hour, kind index, extra changes allowed while that hour is in the window]. */
  x: Array<[number, number, number]>;
  /** What the last admit held back, by kind index → how many more the limit must allow for it to go through (0 or missing: nothing held). */
  held: Record<string, number>;
  /**
   * [hour, count]: the most managed objects a plan saw in the window. A targeted plan (one user,
   * one event) sees only a few objects; the percentage limit still applies to the whole domain.
   */
  m?: [number, number];
}

export const emptyLedger = (): Ledger => ({ v: 1, h: {}, x: [], held: {} });

/** A damaged or foreign value is read as empty: the limit then starts counting again. */
export function parseLedger(raw: string | null): Ledger {
  if (!raw) return emptyLedger();
  try {
    const v = JSON.parse(raw) as Partial<Ledger>;
    if (v.v !== 1 || typeof v.h !== 'object' || !Array.isArray(v.x)) return emptyLedger();
    return { v: 1, h: v.h ?? {}, x: v.x, held: v.held ?? {}, ...(Array.isArray(v.m) && v.m.length === 2 ? { m: v.m } : {}) };
  } catch {
    return emptyLedger();
  }
}

const hourOf = (now: Date) => Math.floor(now.getTime() / 3_600_000);

/** Drops what left the window; the value stays well under AD's 1024-character `info`. */
function pruned(ledger: Ledger, nowHour: number, windowHours: number): Ledger {
  const from = nowHour - windowHours + 1;
  return {
    v: 1,
    h: Object.fromEntries(Object.entries(ledger.h).filter(([hour, counts]) => Number(hour) >= from && counts.some((c) => c > 0))),
    x: ledger.x.filter(([hour]) => hour >= from),
    held: Object.fromEntries(Object.entries(ledger.held).filter(([, n]) => n > 0)),
    ...(ledger.m && ledger.m[0] >= from ? { m: ledger.m } : {}),
  };
}

export interface SafetyPolicy {
  windowHours: number;
  /** At most this many changes of one kind in the window... */
  maxCount: number;
  /** ...and at most this percentage of the managed objects (when there are at least 20). */
  maxPercent: number;
}

export interface KindStatus {
  kind: SafetyKind;
  /** Changes of this kind in the window before this plan. */
  windowCount: number;
  /** The limit including approvals in the window. */
  limit: number;
  /** Of which approvals (so a waiting agent sees a new approval and reconciles at once). */
  approved: number;
  /** This plan's changes of this kind. */
  planned: number;
  held: boolean;
}

function limitOf(policy: SafetyPolicy, managedObjects: number): number {
  const byPercent = managedObjects >= 20 ? Math.floor((managedObjects * policy.maxPercent) / 100) : Number.POSITIVE_INFINITY;
  return Math.min(policy.maxCount, byPercent);
}

export function statusOf(
  ledger: Ledger,
  kind: SafetyKind,
  policy: SafetyPolicy,
  managedObjects: number,
  nowHour: number,
): { windowCount: number; limit: number; approved: number } {
  const i = SAFETY_KINDS.indexOf(kind);
  const from = nowHour - policy.windowHours + 1;
  let windowCount = 0;
  for (const [hour, counts] of Object.entries(ledger.h)) if (Number(hour) >= from) windowCount += counts[i] ?? 0;
  let approved = 0;
  for (const [hour, k, extra] of ledger.x) if (hour >= from && k === i) approved += extra;
  return { windowCount, limit: limitOf(policy, managedObjects) + approved, approved };
}

/**
 * The core of every admit (pure): for each of `decided` (the kinds this caller owns: a plan's, or
 * the agent's password changes), holds it whole when the window count plus `planned` would exceed
 * its limit, else reserves `planned` in the current hour. `shortfall` (default: the held count)
 * is what the ledger notes as held, for an approval's default allowance.
 */
function decideCounts(
  planned: Map<SafetyKind, number>,
  decided: readonly SafetyKind[],
  managedObjects: number,
  ledger: Ledger,
  policy: SafetyPolicy,
  now: Date,
  force: boolean,
  shortfall: (kind: SafetyKind, count: number) => number = (_kind, count) => count,
): { ledger: Ledger; kinds: KindStatus[]; heldKinds: Set<SafetyKind> } {
  const nowHour = hourOf(now);
  const next = pruned(ledger, nowHour, policy.windowHours);
  const managed = Math.max(managedObjects, next.m?.[1] ?? 0);
  if (!next.m || managedObjects >= next.m[1]) next.m = [nowHour, managedObjects];
  const kinds: KindStatus[] = [];
  const heldKinds = new Set<SafetyKind>();
  const bucket = [...(next.h[String(nowHour)] ?? [])];
  while (bucket.length < SAFETY_KINDS.length) bucket.push(0);
  for (const kind of decided) {
    const i = SAFETY_KINDS.indexOf(kind);
    const count = planned.get(kind) ?? 0;
    const { windowCount, limit, approved } = statusOf(next, kind, policy, managed, nowHour);
    const held = !force && count > 0 && windowCount + count > limit;
    if (count > 0 || (next.held[String(i)] ?? 0) > 0) kinds.push({ kind, windowCount, limit, approved, planned: count, held });
    if (held) {
      heldKinds.add(kind);
      next.held[String(i)] = windowCount + Math.max(count, shortfall(kind, count)) - limit;
    } else {
      delete next.held[String(i)];
      bucket[i] = (bucket[i] ?? 0) + count;
    }
  }
  if (bucket.some((c) => c > 0)) next.h[String(nowHour)] = bucket;
  return { ledger: next, kinds, heldKinds };
}

/** Decides which kinds of `plan` go ahead, and the ledger after reserving them (pure). */
export function decide(plan: Plan, ledger: Ledger, policy: SafetyPolicy, now: Date, force: boolean): { plan: Plan; ledger: Ledger; kinds: KindStatus[] } {
  const planned = new Map<SafetyKind, number>();
  for (const op of plan.operations) {
    const kind = safetyKindOf(op);
    if (kind) planned.set(kind, (planned.get(kind) ?? 0) + 1);
  }
  const { ledger: next, kinds, heldKinds } = decideCounts(planned, PLAN_KINDS, plan.managedObjects, ledger, policy, now, force);
  if (heldKinds.size === 0) return { plan, ledger: next, kinds };
  const operations = plan.operations.filter((op) => {
    const kind = safetyKindOf(op);
    return !kind || !heldKinds.has(kind);
  });
  const counts: Plan['counts'] = {};
  for (const op of operations) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
  return { plan: { ...plan, operations, counts }, ledger: next, kinds };
}

/** Adds an approval for `kind`: `count` more changes (default: just enough for what is held now) in the current window. */
export function approve(ledger: Ledger, kind: SafetyKind, count: number | null, now: Date, windowHours: number): { ledger: Ledger; granted: number } {
  const nowHour = hourOf(now);
  const i = SAFETY_KINDS.indexOf(kind);
  const next = pruned(ledger, nowHour, windowHours);
  const granted = count ?? next.held[String(i)] ?? 0;
  if (granted > 0) next.x.push([nowHour, i, granted]);
  return { ledger: next, granted };
}

/** Where the ledger lives (ad/writer.ts in production): read it, replace it if it is still `expected`. */
export interface LedgerStore {
  read(): Promise<string | null>;
  /** false when the value changed since it was read (another agent wrote first): read and try again. */
  replace(expected: string | null, next: string): Promise<boolean>;
}

export interface SafetyDecision {
  plan: Plan;
  kinds: KindStatus[];
  held: KindStatus[];
}

/** The applier's gate (apply.ts ApplyContext.safety): decides, and writes the ledger before anything is applied. */
export class SafetyLimit {
  constructor(
    private readonly store: LedgerStore,
    private readonly policy: SafetyPolicy,
    private readonly now: () => Date,
    private readonly force = false,
  ) {}

  /** The agent's gate for one password from JumpCloud (decidePasswordChange), written to the ledger before the password is. */
  async admitPasswordChange(managedObjects: number, pending: number): Promise<{ admitted: boolean; status: KindStatus }> {
    for (let attempt = 1; ; attempt++) {
      const raw = await this.store.read();
      const decided = decidePasswordChange(parseLedger(raw), this.policy, managedObjects, pending, this.now());
      const text = JSON.stringify(decided.ledger);
      if (text === raw || (await this.store.replace(raw, text))) return { admitted: decided.admitted, status: decided.status };
      if (attempt >= 5) throw new Error('the safety ledger kept changing under this writer');
    }
  }

  async admit(plan: Plan): Promise<SafetyDecision> {
    for (let attempt = 1; ; attempt++) {
      const raw = await this.store.read();
      const decided = decide(plan, parseLedger(raw), this.policy, this.now(), this.force);
      const text = JSON.stringify(decided.ledger);
      const nothingToNote = raw === null && decided.kinds.length === 0;
      if (nothingToNote || text === raw || (await this.store.replace(raw, text))) {
        return { plan: decided.plan, kinds: decided.kinds, held: decided.kinds.filter((k) => k.held) };
      }
      if (attempt >= 5) throw new Error('the safety ledger kept changing under this writer');
    }
  }
}

/**
 * One password from a JumpCloud password event, before the agent writes it (pure): admitted (and
 * reserved in the ledger) or held. `pending`: the distinct password events held so far including
 * this one, so the ledger notes what an approval must allow for all of them to go through.
 */
export function decidePasswordChange(
  ledger: Ledger,
  policy: SafetyPolicy,
  managedObjects: number,
  pending: number,
  now: Date,
): { admitted: boolean; ledger: Ledger; status: KindStatus } {
  const kind: SafetyKind = 'passwordChange';
  const decided = decideCounts(new Map([[kind, 1]]), [kind], managedObjects, ledger, policy, now, false, () => pending);
  const status = decided.kinds.find((k) => k.kind === kind) as KindStatus;
  return { admitted: !decided.heldKinds.has(kind), ledger: decided.ledger, status: { ...status, planned: Math.max(1, pending) } };
}

export function heldMessage(k: KindStatus, windowHours: number): string {
  const head = `Safety limit: ${k.planned} ${SAFETY_KIND_TEXT[k.kind]} held back; ${k.windowCount} were made in the last ${windowHours} h and the limit is ${k.limit}.`;
  if (k.kind === 'passwordChange') {
    // Invoke-JCSync never writes JumpCloud passwords: only an approval lets these through.
    return `${head} Not written and not acknowledged: JumpCloud keeps each one sealed and delivers it again. Check who changed these passwords in JumpCloud, then approve them with Approve-JCSyncSafetyLimit -SafetyKind passwordChange.`;
  }
  return `${head} Check JumpCloud, then approve them with Approve-JCSyncSafetyLimit -SafetyKind ${k.kind} (or run Invoke-JCSync -Force once).`;
}
