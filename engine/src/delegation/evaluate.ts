// Effective rights of an account on the root container and on the users and groups created under
// it, from the container's DACL alone. Pure.
//
// How: the ACEs that take effect on the target are the container's own ACEs that are not
// inherit-only (target: the container) or the container-inherit ACEs whose inherited object type
// is absent or equals the child's class (target: a child of that class). Each requested right is
// then decided by the first of those ACEs, in DACL order, that names one of the account's SIDs
// and applies to the requested object type: an AD DACL is canonical (explicit deny, explicit
// allow, then inherited ones), so deny wins over allow at each level, as in Windows' access check.
// Object ACEs apply to their object type and, for attributes, to the property set holding it; a
// deny on any object type also denies the request for "all properties" (Windows propagates a
// denied property up to the object), while an allow on one type never grants "all".
// Not modelled: the class's default security descriptor (explicit ACEs a new object gets),
// ownership, CREATOR OWNER and PRINCIPAL SELF ACEs, conditional (callback) allows.
import { ACE_FLAG, ACE_TYPE, isParsedAce, type Ace, type Acl } from '../ad/sd';
import { mapGenericRights, WELL_KNOWN_SID } from './rights';

export type Target = { kind: 'container' } | { kind: 'child'; objectClass: string };

export interface RightRequest {
  mask: number;
  /** The class (CC/DC), attribute (RP/WP) or extended right (CR) asked about; null = all. */
  objectType: string | null;
  /** For an attribute: the property set that holds it (an ACE on the set covers the attribute). */
  propertySet?: string | null;
}

export interface AccessDecision {
  /** The requested rights the account has. */
  granted: number;
  /** The requested rights the account lacks (denied or never granted). */
  missing: number;
  /** Of the missing rights, those an ACE denies explicitly. */
  denied: number;
  /** The ACEs that granted or denied something, in the order they decided. */
  decidedBy: Ace[];
}

const ALLOW_TYPES = new Set<number>([ACE_TYPE.AccessAllowed, ACE_TYPE.AccessAllowedObject]);
/** Conditional denies count as denies: the safe reading when the condition cannot be evaluated. */
const DENY_TYPES = new Set<number>([ACE_TYPE.AccessDenied, ACE_TYPE.AccessDeniedObject, ACE_TYPE.AccessDeniedCallback, ACE_TYPE.AccessDeniedCallbackObject]);

/** The account's SID, its groups (tokenGroups) and the SIDs every authenticated logon carries. */
export function tokenOf(accountSid: string, groupSids: Iterable<string>): Set<string> {
  const token = new Set<string>([accountSid.toUpperCase(), WELL_KNOWN_SID.Everyone, WELL_KNOWN_SID.AuthenticatedUsers]);
  for (const sid of groupSids) token.add(sid.toUpperCase());
  return token;
}

/** The ACEs of the container's DACL that take effect on `target`, in order. */
export function effectiveAces(dacl: Acl, target: Target): Ace[] {
  const out: Ace[] = [];
  for (const ace of dacl.aces) {
    if (!isParsedAce(ace)) continue;
    if (target.kind === 'container') {
      if ((ace.flags & ACE_FLAG.InheritOnly) === 0) out.push(ace);
      continue;
    }
    if ((ace.flags & ACE_FLAG.ContainerInherit) === 0) continue;
    if (ace.inheritedObjectType && ace.inheritedObjectType.toLowerCase() !== target.objectClass.toLowerCase()) continue;
    out.push(ace);
  }
  return out;
}

export function isDenyAce(ace: Ace): boolean {
  return DENY_TYPES.has(ace.type);
}

function appliesTo(ace: Ace, request: RightRequest, deny: boolean): boolean {
  if (!ace.objectType) return true;
  const objectType = ace.objectType.toLowerCase();
  if (request.objectType === null) return deny;
  if (objectType === request.objectType.toLowerCase()) return true;
  return !!request.propertySet && objectType === request.propertySet.toLowerCase();
}

/**
 * Decides `request` for the token against the container DACL (null DACL: everything granted;
 * `daclIsNull` distinguishes it from an empty DACL, which grants nothing).
 */
export function checkAccess(dacl: Acl | null, daclIsNull: boolean, token: ReadonlySet<string>, target: Target, request: RightRequest): AccessDecision {
  const wanted = request.mask >>> 0;
  if (!dacl) {
    return daclIsNull ? { granted: wanted, missing: 0, denied: 0, decidedBy: [] } : { granted: 0, missing: wanted, denied: 0, decidedBy: [] };
  }
  let undecided = wanted;
  let granted = 0;
  let denied = 0;
  const decidedBy: Ace[] = [];
  for (const ace of effectiveAces(dacl, target)) {
    if (undecided === 0) break;
    const deny = DENY_TYPES.has(ace.type);
    if (!deny && !ALLOW_TYPES.has(ace.type)) continue;
    if (!token.has(ace.sid.toUpperCase())) continue;
    if (!appliesTo(ace, request, deny)) continue;
    const bits = (mapGenericRights(ace.mask) & undecided) >>> 0;
    if (bits === 0) continue;
    if (deny) denied = (denied | bits) >>> 0;
    else granted = (granted | bits) >>> 0;
    undecided = (undecided & ~bits) >>> 0;
    decidedBy.push(ace);
  }
  return { granted, missing: (wanted & ~granted) >>> 0, denied, decidedBy };
}
