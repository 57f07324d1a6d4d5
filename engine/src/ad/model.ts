// What AD holds, as the sync reads it: managed users and groups, their anchors, the names in use.
// Owned by ad/ (the directory reader and the writer speak it); sync/ builds its plans on it.
import type { UpnScope } from './global-catalog';
import type { AttributeLimits } from './schema-limits';

/** The anchor the sync writes on objects it manages: their JumpCloud id plus its own flags. */
export interface Anchor {
  jcId: string;
  /** The sync disabled this account (suspended or out of scope), so it may enable it again. */
  syncDisabled: boolean;
  /**
   * The agent suspended the user in JumpCloud because an administrator disabled this account in
   * AD (automated offboarding): never suspended again for the same disable. Cleared when the
   * account is enabled again.
   */
  offboarded: boolean;
  /** A group whose JumpCloud group left the scope: emptied of managed members, kept (never deleted). */
  unbound?: boolean;
  /** The keyed proof (./anchorproof.ts) that the sync wrote this anchor on this very object, if any. */
  proof?: string;
}

/**
 * What the reader found about an anchor's proof: valid (made with the configured key for this
 * object's objectGUID), invalid or missing (an anchor the sync cannot vouch for), or unchecked
 * (no anchor key configured: anchors are taken as they are, the behaviour before proofs).
 */
export type AnchorProofState = 'valid' | 'invalid' | 'missing' | 'unchecked';

export interface AdUser {
  dn: string;
  anchor: Anchor | null;
  /** The anchor attribute holds something that is not ours: never overwritten. */
  foreignAnchor: boolean;
  cn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  givenName: string;
  sn: string;
  displayName: string;
  mail: string;
  disabled: boolean;
  /**
   * pwdLastSet is non-zero: the account has a password. Zero means either none yet or "must change
   * at next logon" (a password an administrator set): not a reason to replace it (sync/apply.ts).
   */
  passwordSet: boolean;
  protected: boolean;
  /** isCriticalSystemObject or a well-known RID (below 1000): never managed, never adoptable. */
  critical?: boolean;
  /** Absent: unchecked. */
  proof?: AnchorProofState;
}

export interface AdGroup {
  dn: string;
  anchor: Anchor | null;
  foreignAnchor: boolean;
  cn: string;
  sAMAccountName: string;
  description: string;
  /** Member DNs as AD returns them. */
  members: string[];
  protected: boolean;
  critical?: boolean;
  proof?: AnchorProofState;
}

export interface ActualState {
  /** LDAP DN of the root user container. */
  rootDN: string;
  /** DNS name of the domain, the UPN suffix (example.com). */
  upnSuffix: string;
  /** Users and groups directly or indirectly under the root container. */
  users: AdUser[];
  groups: AdGroup[];
  /** sAMAccountName (lower case) → DN of every account in the domain, to detect clashes anywhere. */
  accountNames: Map<string, string>;
  /** userPrincipalName (lower case) → DN, for the same reason; forest-wide when upnScope says so. */
  principalNames: Map<string, string>;
  /**
   * Holders (DN → JumpCloud id) of looked-up names outside the root that carry one of our anchors:
   * a managed account an administrator moved out of the root. Left alone, reported.
   */
  anchoredOutside?: Map<string, string>;
  /**
   * A targeted read only: DNs under the root of objects outside the slice that hold a name the
   * slice may want (they are not managed by this plan, but a create or rename cannot take their DN).
   */
  occupiedDns?: string[];
  /** rangeUpper of the attributes the sync writes (ad/schema-limits.ts); absent: not checked. */
  attributeLimits?: AttributeLimits;
  /** Where the UPN holders were looked up (ad/global-catalog.ts). */
  upnScope?: UpnScope;
}

export interface UserAttributes {
  cn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  givenName: string;
  sn: string;
  displayName: string;
  mail: string;
}
