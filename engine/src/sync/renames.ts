// Rename chains and cycles among managed users, and among managed groups (pure). Two users (or
// groups) who swap names in JumpCloud each want the name the other holds; a rename onto the name
// of a managed object that left the scope (a disabled user, an unbound group: both keep their
// names) is blocked the same way. Checked one by one, every such rename is refused forever.
// Resolved here: an object whose name another rename needs first moves to a temporary name of
// its own ("vacates"), then every rename goes to its final name. Users and groups are resolved
// separately (the planner calls this once for each); a name held by an object of the other kind
// stays a plain NameTaken.
//
// Order, safe to interrupt: all vacates (APPLY_ORDER 'vacateUserName' / 'vacateGroupName')
// finish before any final rename of the same kind starts. A kill at any point leaves each object
// at its old, its temporary or its final name (or, within one vacate or rename, with the logon
// names already changed and the CN not yet): the next run re-plans from what AD then holds, and
// every name a rename still needs is again held by a managed object that vacates first. The
// temporary name is derived from the JumpCloud id, so a rerun picks the same one and an object
// already there needs no second vacate.
import { createHash } from 'node:crypto';
import { escapeDnValue } from '../ad/escape';
import type { ActualState } from '../ad/model';
import { lower } from '../ad/names';

/** Temporary (and, for an object leaving the scope, parking) names start with this. */
const TEMP_NAME_PREFIX = 'jcsync-';

/** `jcsync-` + 12 hex digits of SHA-256(JumpCloud id): 19 characters, under sAMAccountName's 20. */
export function tempNameOf(jcId: string): string {
  return TEMP_NAME_PREFIX + createHash('sha256').update(jcId).digest('hex').slice(0, 12);
}

/** The DN of `dn` with its first RDN replaced by CN=`cn` (same parent). */
export function siblingDn(dn: string, cn: string): string {
  const parent = /^[^=]+=(?:\\.|[^,])*,(.*)$/s.exec(dn)?.[1] ?? '';
  return `CN=${escapeDnValue(cn)},${parent}`;
}

/** A managed user or group as the resolver sees it: where it is and the names it holds. */
export interface NamedObject {
  dn: string;
  sAMAccountName: string;
  /** Users only; groups have none. */
  userPrincipalName?: string;
}

/** A managed object's wish: the names it should end with. */
export interface RenameIntent {
  jcId: string;
  object: NamedObject;
  /** Final DN, sAMAccountName and UPN (empty for a group). */
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
}

interface Vacate {
  jcId: string;
  object: NamedObject;
  dn: string;
  tempDn: string;
  tempName: string;
  /** Empty for a group. */
  tempUpn: string;
}

export interface RenameResolution {
  /** JumpCloud ids whose rename may be planned (every name it needs is free or will be vacated). */
  movable: Set<string>;
  /** Users that move to their temporary name first, by JumpCloud id. */
  vacates: Map<string, Vacate>;
}

/** A name an object holds: its DN, its sAMAccountName or its UPN, lower case. */
interface HeldName {
  kind: 'dn' | 'sam' | 'upn';
  name: string;
  /** `kind:name`: the same name of the same kind, as a set member. */
  key: string;
}
const heldName = (kind: HeldName['kind'], name: string): HeldName => ({ kind, name: lower(name), key: `${kind}:${lower(name)}` });
const namesOf = (dn: string, sam: string, upn: string): HeldName[] => [heldName('dn', dn), heldName('sam', sam), ...(upn ? [heldName('upn', upn)] : [])];

/**
 * Decides which renames can go ahead. `intents` are the renames the planner wants (users or
 * groups whose CN differs from their JumpCloud name), `managed` every unprotected managed object
 * of the same kind by id, and `departing` the ids of those leaving the scope (they may be parked
 * on their temporary name so a staying object can take theirs). `underRoot`: the planner's index of
 * every DN under the root (lower case → the object there, null for a DN only known to be taken),
 * made when first asked. `withUpn`: users (a temporary UPN too); groups have only the CN and
 * sAMAccountName.
 */
export function resolveRenames(
  intents: RenameIntent[],
  managed: Map<string, NamedObject>,
  departing: Set<string>,
  actual: ActualState,
  underRoot: () => ReadonlyMap<string, { dn: string } | null>,
  withUpn = true,
): RenameResolution {
  // Nothing to resolve (a reconcile where no name changed): no index of every name is asked for.
  if (intents.length === 0) return { movable: new Set(), vacates: new Map() };
  // Who holds each name now: every object under the root (users, groups, and any other child such
  // as a contact or an OU), plus the logon names the reader found elsewhere (its maps are by
  // lower-case name already). A DN name is its lower-case key, so a taken DN answers as itself.
  const dnHolder = underRoot();
  const holderOf = ({ kind, name }: HeldName): string | undefined =>
    kind === 'dn'
      ? dnHolder.has(name)
        ? (dnHolder.get(name)?.dn ?? name)
        : undefined
      : kind === 'sam'
        ? actual.accountNames.get(name)
        : actual.principalNames.get(name);
  const managedByDn = new Map<string, string>();
  for (const [jcId, object] of managed) managedByDn.set(lower(object.dn), jcId);

  const intentById = new Map(intents.map((i) => [i.jcId, i]));
  const wantedNames = new Map(intents.map((i) => [i.jcId, namesOf(i.dn, i.sAMAccountName, i.userPrincipalName)]));
  const wantedKeys = new Map([...wantedNames].map(([jcId, names]) => [jcId, new Set(names.map((n) => n.key))]));

  // A temporary name is usable when nobody else holds it.
  const temp = new Map<string, Vacate>();
  const tempFree = (jcId: string): Vacate | null => {
    const cached = temp.get(jcId);
    if (cached) return cached;
    const object = managed.get(jcId);
    if (!object) return null;
    const tempName = tempNameOf(jcId);
    const tempUpn = withUpn ? `${tempName}@${actual.upnSuffix}` : '';
    const tempDn = siblingDn(object.dn, tempName);
    for (const name of namesOf(tempDn, tempName, tempUpn)) {
      const h = holderOf(name);
      if (h && lower(h) !== lower(object.dn)) return null;
    }
    const v: Vacate = { jcId, object, dn: object.dn, tempDn, tempName, tempUpn };
    temp.set(jcId, v);
    return v;
  };

  const movable = new Set(intents.map((i) => i.jcId));
  /** The managed objects a rename needs out of the way, or null when some name is really taken. */
  const needs = (intent: RenameIntent): string[] | null => {
    const out: string[] = [];
    for (const name of wantedNames.get(intent.jcId) ?? []) {
      const h = holderOf(name);
      if (!h || lower(h) === lower(intent.object.dn)) continue;
      const other = managedByDn.get(lower(h));
      if (!other) return null;
      // The holder gives the name up: it renames to something else, or leaves the scope.
      const leaving = departing.has(other) || (movable.has(other) && !(wantedKeys.get(other)?.has(name.key) ?? false));
      if (!leaving || !tempFree(other)) return null;
      out.push(other);
    }
    return out;
  };
  // Blocking one rename can block those waiting on it: repeat until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const jcId of [...movable]) {
      if (needs(intentById.get(jcId) as RenameIntent) === null) {
        movable.delete(jcId);
        changed = true;
      }
    }
  }
  const vacates = new Map<string, Vacate>();
  for (const jcId of movable) {
    for (const other of needs(intentById.get(jcId) as RenameIntent) ?? []) vacates.set(other, tempFree(other) as Vacate);
  }
  return { movable, vacates };
}
