// Automated offboarding: an administrator disables a managed account in AD, and the agent
// suspends the user in JumpCloud. What was done lives in AD itself, in the anchor next to the
// sync's own flag (JumpCloud:<id>[;syncDisabled][;offboarded]), so every agent decides the same
// from AD alone: a managed account that is disabled, without ;syncDisabled (the sync's own
// disables) and without ;offboarded → suspend in JumpCloud, then mark it ;offboarded; marked →
// never suspended again (an administrator reactivating the user in JumpCloud is respected); enabled
// again → the mark is cleared, so a later disable is a new offboarding.
// AD change tracking is the fast trigger: the objects under the root container whose uSNChanged
// passed the last watermark (the DC's highestCommittedUSN), with the DC's invocationID kept to
// notice a restore. Without a usable watermark (a new primary, another DC, a restore) every
// managed account is looked at once, which the mark makes safe.
import { type AdSession } from '../ad/session';
import { binaryAttribute, textAttribute } from '../ad/entry';
import { isProtectedEntry } from '../ad/directory';
import type { AdWriter } from '../ad/writer';
import { asEngineError, ExitCode, type EngineError } from '../errors';
import type { JumpCloudClient } from '../jumpcloud/client';
import type { LogLevel } from '../log/logger';
import type { Journal } from '../sync/journal';
import type { Anchor } from '../ad/model';
import { decodeAnchor } from '../ad/names';
import { proofFitsEntry } from '../ad/anchorproof';
import { isDisabled, uacOf } from '../ad/uac';

const PAGE_SIZE = 500;
/** noSuchAttribute: the anchor value the mark was to replace is not there any more. */
const LDAP_NO_SUCH_ATTRIBUTE = 16;

export interface UsnWatermark {
  invocationId: string;
  highestCommittedUsn: string;
}

export interface ManagedUserState {
  dn: string;
  sAMAccountName: string;
  anchor: Anchor;
  disabled: boolean;
  /** adminCount=1 or a critical system object. */
  protected: boolean;
  /** The anchor's proof is valid (or no anchor key is configured): see sync/trust.ts. */
  proven: boolean;
}

/** The DC's invocationID (hex) and highestCommittedUSN, read before the changes so none is missed. */
export async function readWatermark(session: AdSession): Promise<UsnWatermark> {
  const [dse] = await session.search(
    '',
    { scope: 'base', filter: '(objectClass=*)', attributes: ['dsServiceName', 'highestCommittedUSN'] },
    'read the rootDSE',
  );
  const highest = textAttribute(dse, 'highestCommittedUSN');
  const serviceDn = textAttribute(dse, 'dsServiceName');
  let invocationId = '';
  if (serviceDn) {
    const ntds = await session.readObject(serviceDn, ['invocationId']).catch(() => null);
    invocationId = binaryAttribute(ntds, 'invocationId')?.toString('hex') ?? '';
  }
  return { invocationId, highestCommittedUsn: /^\d+$/.test(highest) ? highest : '0' };
}

/** Where to look from: after the saved watermark, or everything (null) after a restore or a DC change. */
export function scanStart(saved: { dc: string; invocationId: string; highestCommittedUsn: string } | null, dc: string, now: UsnWatermark): string | null {
  if (!saved || saved.dc !== dc || saved.invocationId !== now.invocationId) return null;
  if (BigInt(saved.highestCommittedUsn) > BigInt(now.highestCommittedUsn)) return null;
  return saved.highestCommittedUsn;
}

/**
 * Whether offboarding can act on the account or report it: disabled by someone else than the sync
 * and not offboarded yet, or enabled again while marked offboarded. The others are not kept: the
 * first check after a start looks at every managed account (20,000 of them on a large domain).
 */
function concernsOffboarding(user: Pick<ManagedUserState, 'disabled' | 'anchor'>): boolean {
  return user.disabled ? !user.anchor.syncDisabled && !user.anchor.offboarded : user.anchor.offboarded;
}

/** Managed users under the root changed after `sinceUsn` (all managed users when null) that offboarding may act on. */
export async function changedManagedUsers(
  session: AdSession,
  rootDN: string,
  anchorAttribute: string,
  sinceUsn: string | null,
  anchorKey: Buffer | null = null,
): Promise<ManagedUserState[]> {
  const usnFilter = sinceUsn === null ? '' : `(uSNChanged>=${(BigInt(sinceUsn) + 1n).toString()})`;
  const filter = `(&(objectCategory=person)(objectClass=user)(${anchorAttribute}=JumpCloud:*)${usnFilter})`;
  const users: ManagedUserState[] = [];
  for await (const page of session.searchPaged(
    rootDN,
    {
      scope: 'sub',
      filter,
      attributes: ['sAMAccountName', 'userAccountControl', 'adminCount', 'isCriticalSystemObject', 'objectGUID', anchorAttribute],
    },
    PAGE_SIZE,
  )) {
    for (const entry of page) {
      const anchor = decodeAnchor(textAttribute(entry, anchorAttribute));
      if (!anchor || anchor === 'foreign') continue;
      const disabled = isDisabled(uacOf(entry));
      if (!concernsOffboarding({ disabled, anchor })) continue;
      users.push({
        dn: entry.dn,
        sAMAccountName: textAttribute(entry, 'sAMAccountName'),
        anchor,
        disabled,
        protected: isProtectedEntry(entry),
        proven: anchorKey === null || proofFitsEntry(anchorKey, entry, anchor.jcId, anchor.proof),
      });
    }
  }
  return users;
}

export interface OffboardDecisions {
  /** Disabled by an administrator and not offboarded yet: suspend in JumpCloud, then mark. */
  suspend: ManagedUserState[];
  /** Suspended already by an agent of an earlier version (its state file): mark only. */
  mark: ManagedUserState[];
  /** Enabled again but still marked: clear the mark. */
  unmark: ManagedUserState[];
}

/**
 * The offboarding rule, from the accounts' state alone (the same on every agent). Protected
 * accounts (adminCount=1) are never touched. `suspendedBefore`: JumpCloud ids an earlier version
 * of the agent suspended and remembered only in its state file.
 */
export function offboardDecisions(users: ManagedUserState[], suspendedBefore: ReadonlySet<string> = new Set()): OffboardDecisions {
  const decisions: OffboardDecisions = { suspend: [], mark: [], unmark: [] };
  for (const user of users) {
    // An anchor the sync cannot vouch for names someone else's JumpCloud id: never acted on.
    if (user.protected || !user.proven) continue;
    if (user.disabled && !user.anchor.syncDisabled && !user.anchor.offboarded) {
      (suspendedBefore.has(user.anchor.jcId) ? decisions.mark : decisions.suspend).push(user);
    } else if (!user.disabled && user.anchor.offboarded) {
      decisions.unmark.push(user);
    }
  }
  return decisions;
}

/** Disabled accounts an administrator's disable would offboard, were their anchor proven: never acted on, reported. */
function untrustedDisables(users: ManagedUserState[]): ManagedUserState[] {
  return users.filter((u) => !u.protected && !u.proven && u.disabled && !u.anchor.syncDisabled && !u.anchor.offboarded);
}

export interface OffboardContext {
  client: Pick<JumpCloudClient, 'getUser' | 'updateUser'>;
  writer: Pick<AdWriter, 'setOffboarded'>;
  journal: Journal;
  log: (level: LogLevel, message: string, meta?: Record<string, unknown>) => void;
  suspendedBefore?: ReadonlySet<string>;
  /**
   * The JumpCloud ids in scope of this ADI domain (sync/gather.ts gatherScope), read once when
   * someone is to be suspended: an anchor naming a user outside the scope never suspends them.
   */
  inScope?: () => Promise<ReadonlySet<string>>;
  /**
   * A staging agent: the would-be operations journaled already (agent state `staged`). Present:
   * a suspension is journaled as `staged` ("would suspend"), once, and nothing is suspended or marked.
   * `users` must then be every managed account (a staging agent keeps no watermark).
   */
  staged?: Record<string, string>;
}

export interface OffboardOutcome {
  /** Users suspended in JumpCloud (or found suspended already) by this check. */
  offboarded: number;
  /** Suspensions JumpCloud refused: not marked, so they are tried again when next looked at. */
  failed: number;
  /** JumpCloud ids of `suspendedBefore` whose mark could not be written: still to be remembered. */
  legacyPending: string[];
}

const unreachable = (err: EngineError) => err.exitCode === ExitCode.Unreachable;

/**
 * Acts on the decisions. An outage (JumpCloud or the DC unreachable) is thrown: the caller keeps
 * its watermark, so the same accounts are looked at again after the outage.
 */
export async function offboard(users: ManagedUserState[], ctx: OffboardContext): Promise<OffboardOutcome> {
  const suspendedBefore = ctx.suspendedBefore ?? new Set<string>();
  const { suspend, mark, unmark } = offboardDecisions(users, suspendedBefore);
  const outcome: OffboardOutcome = { offboarded: 0, failed: 0, legacyPending: [] };
  if (ctx.staged) return stageOffboarding(suspend, ctx, ctx.staged, outcome);

  // An anchor without a valid proof on a disabled account: offboarding is the path that meets it
  // (a targeted reconcile reads only the objects it knows), so the conflict is reported here.
  for (const user of untrustedDisables(users)) {
    const what = user.anchor.proof ? 'has a proof that does not fit this object' : 'has no proof';
    const why = `disabled in AD, carries the anchor of JumpCloud user ${user.anchor.jcId}, but the anchor ${what}: the sync did not create or adopt this object (or its anchor was copied). Not suspended, not marked; if it is legitimate, adopt it with -AdoptExisting, else remove the anchor`;
    ctx.journal.write({ kind: 'skip', target: user.dn, jcId: user.anchor.jcId, outcome: 'reported', detail: why });
    ctx.log('warning', `offboarding ${user.sAMAccountName}: ${why}`);
  }

  let scope: ReadonlySet<string> | null = null;
  for (const user of suspend) {
    const { jcId } = user.anchor;
    if (ctx.inScope) {
      scope ??= await ctx.inScope();
      if (!scope.has(jcId)) {
        const why = `disabled in AD by an administrator, but its anchor names the JumpCloud user ${jcId}, who is not in this ADI domain's scope: not suspended`;
        ctx.journal.write({ kind: 'offboardUser', target: user.dn, jcId, outcome: 'reported', detail: why });
        ctx.log('warning', `offboarding ${user.sAMAccountName}: ${why}`);
        continue;
      }
    }
    let detail = 'disabled in AD by an administrator: suspended in JumpCloud';
    let gone = false;
    try {
      const current = await ctx.client.getUser(jcId);
      if (current.suspended === true || current.state === 'SUSPENDED') detail = 'disabled in AD by an administrator: already suspended in JumpCloud';
      else await ctx.client.updateUser(jcId, { suspended: true });
    } catch (thrown) {
      const err = asEngineError(thrown);
      if (unreachable(err)) throw err;
      if (err.id !== 'JumpCloud.NotFound') {
        outcome.failed++;
        ctx.journal.write({
          kind: 'offboardUser',
          target: user.dn,
          jcId,
          outcome: 'failed',
          detail: `disabled in AD by an administrator, but JumpCloud refused the suspension: ${err.message}`,
          errorId: err.id,
        });
        ctx.log(
          'warning',
          `offboarding ${user.sAMAccountName}: JumpCloud refused the suspension (tried again when the account is next looked at): ${err.message}`,
          { id: err.id },
        );
        continue;
      }
      gone = true;
      detail = 'disabled in AD by an administrator: the user no longer exists in JumpCloud (nothing to suspend)';
    }
    // Suspend first, then mark: a crash (or an outage) between the two leaves the account
    // unmarked, and the next check suspends again, which is harmless (already suspended → no
    // change). Marking first could lose an offboarding for good.
    const markError = await setMark(user, true, ctx);
    if (!gone) outcome.offboarded++;
    ctx.journal.write({ kind: 'offboardUser', target: user.dn, jcId, outcome: gone ? 'reported' : 'applied', detail });
    ctx.log('info', `offboarding ${user.sAMAccountName}: ${detail}`);
    if (markError && unreachable(markError)) throw markError;
  }
  for (const user of mark) {
    const markError = await setMark(user, true, ctx);
    if (markError && unreachable(markError)) throw markError;
    if (markError) outcome.legacyPending.push(user.anchor.jcId);
    else ctx.log('info', `offboarding ${user.sAMAccountName}: suspended in JumpCloud by an earlier version of the agent; now marked in AD`);
  }
  for (const user of unmark) {
    const markError = await setMark(user, false, ctx);
    if (markError && unreachable(markError)) throw markError;
    if (!markError) ctx.log('info', `${user.sAMAccountName} is enabled again in AD: offboarding mark cleared (a later disable offboards the user again)`);
  }
  return outcome;
}

const STAGED_OFFBOARD = 'offboardUser:';

/** Staging: "would suspend" journaled once per offboarding; an account no longer to suspend is forgotten. */
async function stageOffboarding(
  suspend: ManagedUserState[],
  ctx: OffboardContext,
  staged: Record<string, string>,
  outcome: OffboardOutcome,
): Promise<OffboardOutcome> {
  const now = new Set<string>();
  let scope: ReadonlySet<string> | null = null;
  for (const user of suspend) {
    const { jcId } = user.anchor;
    if (ctx.inScope) {
      scope ??= await ctx.inScope();
      if (!scope.has(jcId)) continue;
    }
    const key = `${STAGED_OFFBOARD}${jcId}`;
    now.add(key);
    if (staged[key] === user.dn.toLowerCase()) continue;
    staged[key] = user.dn.toLowerCase();
    ctx.journal.write({
      kind: 'offboardUser',
      target: user.dn,
      jcId,
      outcome: 'staged',
      detail: 'staging: disabled in AD by an administrator: would suspend in JumpCloud',
    });
    ctx.log('info', `staging: offboarding ${user.sAMAccountName} would suspend the user in JumpCloud (nothing suspended)`);
  }
  for (const key of Object.keys(staged)) if (key.startsWith(STAGED_OFFBOARD) && !now.has(key)) delete staged[key];
  return outcome;
}

/** Writes or clears the mark; returns the error instead of throwing (the caller decides). */
async function setMark(user: ManagedUserState, offboarded: boolean, ctx: OffboardContext): Promise<EngineError | null> {
  try {
    await ctx.writer.setOffboarded(user.dn, user.anchor, offboarded);
    return null;
  } catch (thrown) {
    const err = asEngineError(thrown);
    if (unreachable(err)) return err;
    const changed = err.details.ldapCode === LDAP_NO_SUCH_ATTRIBUTE;
    const what = offboarded ? 'mark' : 'clear the offboarding mark of';
    ctx.log(
      'warning',
      changed
        ? `could not ${what} ${user.sAMAccountName}: its anchor changed meanwhile; looked at again at the next check`
        : `could not ${what} ${user.sAMAccountName}: ${err.message}`,
      { id: err.id },
    );
    return err;
  }
}
