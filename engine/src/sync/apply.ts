// apply(plan, writer) → outcome. Runs the plan's operations phase by phase (APPLY_ORDER) with
// bounded concurrency; a failing object is recorded and the run goes on. Writes go only through
// the DirectoryWriter (ad/writer.ts in production). A crash mid-run is safe: the next run
// re-plans from fresh AD state, and the journal keeps what was done.
import { asEngineError, type EngineError } from '../errors';
import type { ProgressUpdate } from '../log/reporter';
import type { Journal } from './journal';
import { APPLY_ORDER, type LogonNameChange, type Plan, type PlanOp, type PlanOpKind } from './model';
import { type UserAttributes } from '../ad/model';
import type { KindStatus, SafetyDecision } from './safety-limit';

export interface DirectoryWriter {
  createUser(dn: string, jcId: string, attributes: UserAttributes, password: string, enabled: boolean): Promise<void>;
  setPassword(dn: string, password: string): Promise<void>;
  updateAttributes(dn: string, values: Record<string, string>, adoptJcId?: string): Promise<void>;
  rename(dn: string, newDn: string): Promise<void>;
  setEnabled(dn: string, jcId: string, enabled: boolean): Promise<void>;
  createGroup(dn: string, jcId: string, name: string, description: string): Promise<void>;
  deleteGroup(dn: string): Promise<void>;
  setGroupUnbound(dn: string, jcId: string, unbound: boolean): Promise<void>;
  changeMembers(groupDn: string, memberDns: string[], operation: 'add' | 'delete'): Promise<Map<string, Error>>;
}

export interface ApplyContext {
  writer: DirectoryWriter;
  journal: Journal;
  progress?: (update: ProgressUpdate) => void;
  /** Password for a new user: JumpCloud's when the agent holds one, else a random one. */
  initialPassword: (jcId: string) => string;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * The rolling safety limit (./safety-limit.ts): decides which kinds of destructive change go
   * ahead and counts them in the ledger before anything is applied. Every apply of the agent and
   * of Invoke-JCSync passes one, full plans and targeted ones alike.
   */
  safety?: { admit(plan: Plan): Promise<SafetyDecision> };
  /**
   * Staging (a staging agent): nothing is written and the safety limit counts nothing; every
   * operation is journaled as `staged` instead, once: `seen` keeps object + operation → the
   * operation's after-values of those journaled already.
   */
  staging?: { seen: Record<string, string> };
}

export interface OperationFailure {
  kind: PlanOpKind;
  target: string;
  jcId: string | null;
  error: EngineError;
}

export interface ApplyOutcome {
  applied: number;
  failed: number;
  reported: number;
  interrupted: boolean;
  byKind: Partial<Record<PlanOpKind, { applied: number; failed: number }>>;
  failures: OperationFailure[];
  /** Kinds the safety limit held back (not applied, not failed). */
  held: KindStatus[];
  /** Staging: operations planned and not applied (`newlyStaged`: journaled for the first time). */
  staged: number;
  newlyStaged: number;
}

function targetOf(op: PlanOp): string {
  if (op.kind === 'addMember' || op.kind === 'removeMember') return `${op.member} in ${op.group}`;
  if (op.kind === 'skip') return op.name;
  return op.dn;
}

function jcIdOf(op: PlanOp): string | null {
  return 'jcId' in op ? op.jcId : null;
}

/**
 * Logon names first, in one modify: Windows refuses a UPN held anywhere in the forest, and then
 * neither name changed. Then the DN; if that is refused, the previous logon names go back, so the
 * account is left either fully renamed or as it was.
 */
async function renameWithLogonNames(w: DirectoryWriter, dn: string, newDn: string, names: LogonNameChange): Promise<void> {
  await w.updateAttributes(dn, { ...names.after });
  if (dn === newDn) return;
  try {
    await w.rename(dn, newDn);
  } catch (err) {
    await w.updateAttributes(dn, { ...names.before }).catch(() => undefined);
    throw err;
  }
}

/** A group's rename: its sAMAccountName first, then the DN; a refused DN change restores the sAMAccountName. */
async function renameWithAccountName(w: DirectoryWriter, dn: string, newDn: string, name: { before: string; after: string }): Promise<void> {
  if (name.after !== name.before) await w.updateAttributes(dn, { sAMAccountName: name.after });
  if (dn === newDn) return;
  try {
    await w.rename(dn, newDn);
  } catch (err) {
    if (name.after !== name.before) await w.updateAttributes(dn, { sAMAccountName: name.before }).catch(() => undefined);
    throw err;
  }
}

/** Windows refuses to enable an account that has no password (ERROR_PASSWORD_RESTRICTION, 0000052D). */
function refusedForWantOfPassword(err: unknown): boolean {
  return asEngineError(err).details.adCode === '0000052D';
}

async function runOne(op: PlanOp, ctx: ApplyContext): Promise<void> {
  const w = ctx.writer;
  switch (op.kind) {
    case 'createGroup':
      return w.createGroup(op.dn, op.jcId, op.name, op.description);
    case 'vacateGroupName':
      // sAMAccountName first: a kill between the two steps leaves a group the next plan still sees as holding its old CN.
      await w.updateAttributes(op.dn, { sAMAccountName: op.tempName });
      if (op.newDn.toLowerCase() !== op.dn.toLowerCase()) await w.rename(op.dn, op.newDn);
      return;
    case 'renameGroup':
      if (!op.accountName) return w.rename(op.dn, op.newDn);
      return renameWithAccountName(w, op.dn, op.newDn, op.accountName);
    case 'vacateUserName':
      // Logon names first: a kill between the two steps leaves a user the next plan still sees as holding its old CN.
      await w.updateAttributes(op.dn, { sAMAccountName: op.tempName, userPrincipalName: op.tempUpn });
      if (op.newDn.toLowerCase() !== op.dn.toLowerCase()) await w.rename(op.dn, op.newDn);
      return;
    case 'renameUser':
      return op.logonNames ? renameWithLogonNames(w, op.dn, op.newDn, op.logonNames) : w.rename(op.dn, op.newDn);
    case 'updateGroup':
    case 'updateUser':
      return w.updateAttributes(op.dn, Object.fromEntries(op.changes.map((c) => [c.attribute, c.after])), op.adopt ? op.jcId : undefined);
    case 'unbindGroup':
    case 'rebindGroup':
      return w.setGroupUnbound(op.dn, op.jcId, op.kind === 'unbindGroup');
    case 'createUser':
      return w.createUser(op.dn, op.jcId, op.attributes, ctx.initialPassword(op.jcId), op.enabled);
    case 'enableUser':
      if (!op.mayLackPassword) return w.setEnabled(op.dn, op.jcId, true);
      try {
        return await w.setEnabled(op.dn, op.jcId, true);
      } catch (err) {
        if (!refusedForWantOfPassword(err)) throw err;
        await w.setPassword(op.dn, ctx.initialPassword(op.jcId));
        return w.setEnabled(op.dn, op.jcId, true);
      }
    case 'disableUser':
      return w.setEnabled(op.dn, op.jcId, false);
    case 'addMember':
    case 'removeMember':
    case 'skip':
      throw new Error(`${op.kind} is not applied one by one`);
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Staging's dedupe key (object + operation) and value (the after-values: everything the operation would do). */
export function stagedKey(op: PlanOp): { key: string; value: string } {
  const { reason: _reason, ...rest } = op as PlanOp & { reason?: string };
  return { key: `${op.kind}:${jcIdOf(op) ?? ''}:${targetOf(op).toLowerCase()}`, value: JSON.stringify(rest) };
}

/** A staging agent's apply: the plan journaled as would-be operations (each once), nothing written. */
function stage(plan: Plan, ctx: ApplyContext, seen: Record<string, string>): ApplyOutcome {
  const outcome: ApplyOutcome = { applied: 0, failed: 0, reported: 0, interrupted: false, byKind: {}, failures: [], held: [], staged: 0, newlyStaged: 0 };
  const now = new Set<string>();
  for (const kind of APPLY_ORDER) {
    for (const op of plan.operations) {
      if (op.kind !== kind || op.kind === 'skip') continue;
      outcome.staged++;
      const { key, value } = stagedKey(op);
      now.add(key);
      if (seen[key] === value) continue;
      seen[key] = value;
      outcome.newlyStaged++;
      ctx.journal.write({ kind: op.kind, target: targetOf(op), jcId: jcIdOf(op), outcome: 'staged', detail: `staging: would apply: ${op.reason}` });
    }
  }
  return outcome;
}

export async function apply(planned: Plan, ctx: ApplyContext): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, failed: 0, reported: 0, interrupted: false, byKind: {}, failures: [], held: [], staged: 0, newlyStaged: 0 };
  if (planned.refusal) throw new Error('apply() was given a refused plan');
  // The one switch of staging: before the safety limit and the writer, so no write path is reached.
  if (ctx.staging) return stage(planned, ctx, ctx.staging.seen);
  let plan = planned;
  if (ctx.safety) {
    const decision = await ctx.safety.admit(planned);
    plan = decision.plan;
    outcome.held = decision.held;
  }
  const total = plan.operations.filter((op) => op.kind !== 'skip').length;
  let done = 0;
  const tally = (op: PlanOp, error?: unknown) => {
    const counts = (outcome.byKind[op.kind] ??= { applied: 0, failed: 0 });
    if (error === undefined) {
      counts.applied++;
      outcome.applied++;
      ctx.journal.write({ kind: op.kind, target: targetOf(op), jcId: jcIdOf(op), outcome: 'applied', detail: op.reason });
    } else {
      const err = asEngineError(error);
      counts.failed++;
      outcome.failed++;
      outcome.failures.push({ kind: op.kind, target: targetOf(op), jcId: jcIdOf(op), error: err });
      ctx.journal.write({ kind: op.kind, target: targetOf(op), jcId: jcIdOf(op), outcome: 'failed', detail: err.message, errorId: err.id });
    }
    done++;
    if (done % 25 === 0 || done === total) {
      ctx.progress?.({ activity: 'Applying the sync plan', status: `${done} of ${total} operations`, percent: total ? Math.floor((done / total) * 100) : 100 });
    }
  };

  for (const kind of APPLY_ORDER) {
    if (ctx.signal?.aborted) {
      outcome.interrupted = true;
      break;
    }
    const ops = plan.operations.filter((op) => op.kind === kind);
    if (ops.length === 0) continue;
    if (kind === 'skip') {
      for (const op of ops) {
        outcome.reported++;
        ctx.journal.write({ kind: op.kind, target: targetOf(op), jcId: jcIdOf(op), outcome: 'reported', detail: op.reason });
      }
    } else if (kind === 'addMember' || kind === 'removeMember') {
      const byGroup = new Map<string, Array<Extract<PlanOp, { kind: 'addMember' | 'removeMember' }>>>();
      for (const op of ops as Array<Extract<PlanOp, { kind: 'addMember' | 'removeMember' }>>) {
        const list = byGroup.get(op.groupDn) ?? [];
        list.push(op);
        byGroup.set(op.groupDn, list);
      }
      await pool(
        [...byGroup.entries()],
        ctx.concurrency ?? 4,
        async ([groupDn, members]) => {
          let failures: Map<string, Error>;
          try {
            failures = await ctx.writer.changeMembers(
              groupDn,
              members.map((m) => m.memberDn),
              kind === 'addMember' ? 'add' : 'delete',
            );
          } catch (err) {
            failures = new Map(members.map((m) => [m.memberDn, err as Error]));
          }
          for (const op of members) tally(op, failures.get(op.memberDn));
        },
        ctx.signal,
      );
    } else {
      await pool(
        ops,
        ctx.concurrency ?? 4,
        async (op) => {
          try {
            await runOne(op, ctx);
            tally(op);
          } catch (err) {
            tally(op, err);
          }
        },
        ctx.signal,
      );
    }
  }
  if (ctx.signal?.aborted) outcome.interrupted = true;
  return outcome;
}
