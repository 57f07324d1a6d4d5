// What the sync may treat as its own, decided before planning (pure, like the planner):
// - an anchor counts only when its proof is valid (ad/anchorproof.ts), or when no anchor key is
//   configured (anchors unchecked, the behaviour of installs without a key);
// - critical system objects (isCriticalSystemObject, well-known RIDs) are never managed.
// Objects that fail either rule stay in the picture as protected and unanchored, so the planner
// never writes, renames, disables, offboards, adopts them or changes their memberships, and
// their names still count as taken. With -AdoptExisting an object whose anchor has no valid
// proof becomes an ordinary unanchored object again: adopting it by name (an administrator's
// explicit choice) writes a fresh anchor with a valid proof. That is also how an install that
// had no anchor key migrates: nothing is re-created or renamed, only the anchor is sealed.
import type { ActualState, AdGroup, AdUser } from '../ad/model';
import { lower } from '../ad/names';
import type { PlanOp } from './model';

export interface TrustScreen {
  actual: ActualState;
  /** Reports for objects the sync does not vouch for (one per object). */
  reports: Array<Extract<PlanOp, { kind: 'skip' }>>;
  /** Why an object counts as protected (lower-case DN → reason), for the planner's messages. */
  protectedWhy: Map<string, string>;
}

function isTrustedAnchor(object: AdUser | AdGroup): boolean {
  return object.anchor !== null && (object.proof === undefined || object.proof === 'valid' || object.proof === 'unchecked');
}

export function screenActual(actual: ActualState, options: { adoptUnanchored: boolean }): TrustScreen {
  const reports: TrustScreen['reports'] = [];
  const protectedWhy = new Map<string, string>();
  const screen = <T extends AdUser | AdGroup>(object: T, objectType: 'user' | 'group'): T => {
    if (object.critical) {
      protectedWhy.set(
        lower(object.dn),
        'is a critical system object (isCriticalSystemObject or a well-known RID); never managed from JumpCloud, -AdoptExisting included',
      );
      return { ...object, protected: true, anchor: null };
    }
    if (object.protected) protectedWhy.set(lower(object.dn), 'is protected (adminCount=1)');
    if (!object.anchor || isTrustedAnchor(object)) return object;
    const claimed = object.anchor.jcId;
    const what = object.proof === 'missing' ? 'has no proof' : 'has a proof that does not fit this object';
    if (options.adoptUnanchored) {
      // The administrator's explicit choice: the object may be adopted by name like any other.
      return { ...object, anchor: null };
    }
    const reason = `carries the anchor of JumpCloud ${objectType} ${claimed}, but the anchor ${what}: the sync did not create or adopt this object (or its anchor was copied). It is left alone entirely; if it is legitimate, adopt it with -AdoptExisting, else remove the anchor`;
    reports.push({ kind: 'skip', objectType, jcId: claimed, name: object.cn, dn: object.dn, code: 'UntrustedAnchor', reason });
    protectedWhy.set(
      lower(object.dn),
      `carries an anchor without a valid proof (JumpCloud ${objectType} ${claimed}); never managed until adopted explicitly (-AdoptExisting)`,
    );
    return { ...object, protected: true, anchor: null };
  };
  return {
    actual: { ...actual, users: actual.users.map((u) => screen(u, 'user')), groups: actual.groups.map((g) => screen(g, 'group')) },
    reports,
    protectedWhy,
  };
}

/**
 * The objects whose anchor carries no proof at all: an install that ran before the sync kept an
 * anchor key (or a planted copy). One message for all of them, naming what the administrator runs,
 * so a sync or an agent that leaves them alone never does so silently. null when there are none.
 */
export function unprovenAnchorsMessage(actual: ActualState): { count: number; message: string } | null {
  const count = [...actual.users, ...actual.groups].filter((o) => o.anchor !== null && !o.critical && o.proof === 'missing').length;
  if (count === 0) return null;
  return {
    count,
    message:
      `${count} object(s) under the root carry a JumpCloud anchor without a proof (written before the sync kept an anchor key, or planted): ` +
      'they are left alone, never written, renamed, given members or offboarded, until an administrator reviews them with ' +
      'Get-JCSyncPlan -AdoptExisting (each is an adopt: check the list) and seals them with Invoke-JCSync -AdoptExisting (docs/anchor-trust.md, "Upgrading an install").',
  };
}
