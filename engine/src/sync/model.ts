// Snapshot types: what JumpCloud wants (desired) and what AD has (actual), and the plan between.
// Plain data only, so the planner stays pure and -WhatIf, Get-JCSyncPlan and a real run agree.

/** A JumpCloud user in scope of the ADI domain (bound directly or through a bound group). */
export interface DesiredUser {
  jcId: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string | null;
  suspended: boolean;
}

/** A JumpCloud user group bound to the ADI domain; members are JumpCloud user ids. */
export interface DesiredGroup {
  jcId: string;
  name: string;
  description: string;
  memberJcIds: string[];
}

export interface DesiredState {
  users: DesiredUser[];
  groups: DesiredGroup[];
}

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
}

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
  /** pwdLastSet is non-zero: the account has a password (enabling one without is refused by Windows). */
  passwordSet: boolean;
  protected: boolean;
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
  /** userPrincipalName (lower case) → DN, for the same reason. */
  principalNames: Map<string, string>;
}

export interface PlanOptions {
  /** Take over unanchored AD objects whose name matches a JumpCloud object (an explicit choice). */
  adoptUnanchored: boolean;
  /** Refuse a plan that disables or deletes more than this many objects... */
  maxDisableCount: number;
  /** ...or more than this percentage of the managed objects (when there are at least 20). */
  maxDisablePercent: number;
  force: boolean;
  /** Plan only this JumpCloud user (by id or username), e.g. provisioning on demand. */
  onlyUser?: string;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  adoptUnanchored: false,
  maxDisableCount: 500,
  maxDisablePercent: 25,
  force: false,
};

export interface AttributeChange {
  attribute: string;
  before: string;
  after: string;
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

export type PlanOp =
  | { kind: 'createGroup'; jcId: string; dn: string; name: string; description: string; reason: string }
  | { kind: 'renameGroup'; jcId: string; dn: string; newDn: string; name: string; reason: string }
  | { kind: 'updateGroup'; jcId: string; dn: string; name: string; changes: AttributeChange[]; adopt: boolean; reason: string }
  | { kind: 'deleteGroup'; jcId: string; dn: string; name: string; reason: string }
  | { kind: 'createUser'; jcId: string; dn: string; attributes: UserAttributes; enabled: boolean; reason: string }
  | { kind: 'renameUser'; jcId: string; dn: string; newDn: string; name: string; reason: string }
  | { kind: 'updateUser'; jcId: string; dn: string; name: string; changes: AttributeChange[]; adopt: boolean; reason: string }
  | { kind: 'enableUser'; jcId: string; dn: string; name: string; needsPassword: boolean; reason: string }
  | { kind: 'disableUser'; jcId: string; dn: string; name: string; reason: string }
  | { kind: 'addMember'; groupDn: string; memberDn: string; group: string; member: string; reason: string }
  | { kind: 'removeMember'; groupDn: string; memberDn: string; group: string; member: string; reason: string }
  | { kind: 'skip'; objectType: 'user' | 'group'; jcId: string | null; name: string; dn: string | null; code: SkipCode; reason: string };

export type SkipCode =
  | 'MissingName'
  | 'InvalidUsername'
  | 'InvalidGroupName'
  | 'Protected'
  | 'Conflict'
  | 'NameTaken'
  | 'DisabledInAD'
  | 'ForeignAnchor'
  | 'DuplicateInJumpCloud';

export type PlanOpKind = PlanOp['kind'];

export interface Plan {
  operations: PlanOp[];
  /** Counts by kind, for summaries. */
  counts: Partial<Record<PlanOpKind, number>>;
  /** Set when the safety threshold refuses the plan; the operations are then not to be applied. */
  refusal: string | null;
  managedObjects: number;
}

/** The order in which kinds are applied: containers of meaning first, removals last. */
export const APPLY_ORDER: PlanOpKind[] = [
  'createGroup',
  'renameGroup',
  'updateGroup',
  'createUser',
  'renameUser',
  'updateUser',
  'enableUser',
  'addMember',
  'removeMember',
  'disableUser',
  'deleteGroup',
  'skip',
];
