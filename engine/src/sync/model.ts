// Snapshot types: what JumpCloud wants (desired) and what AD has (actual), and the plan between.
// Plain data only, so the planner stays pure and -WhatIf, Get-JCSyncPlan and a real run agree.
import type { UserAttributes } from '../ad/model';

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
  /**
   * What a targeted plan decides about the group (absent: everything, as in a full reconcile):
   * 'attributes': the group itself (create, rename, description), not its members;
   * 'members': only the membership of the users in the plan's slice (the AD group's members are
   * then those users only, and a group missing in AD is left for a full plan).
   */
  scope?: 'attributes' | 'members';
}

export interface DesiredState {
  users: DesiredUser[];
  groups: DesiredGroup[];
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
  /**
   * How many objects the sync manages in AD, for the percentage threshold, when the plan sees a
   * slice only (a targeted plan): the count of the last full reconcile. Default: what `actual` holds.
   */
  managedObjects?: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  adoptUnanchored: false,
  maxDisableCount: 500,
  maxDisablePercent: 25,
  force: false,
};

interface LogonNames {
  sAMAccountName: string;
  userPrincipalName: string;
}

export interface LogonNameChange {
  after: LogonNames;
  before: LogonNames;
}

export interface AttributeChange {
  attribute: string;
  before: string;
  after: string;
}

export type PlanOp =
  | { kind: 'createGroup'; jcId: string; dn: string; name: string; description: string; reason: string }
  /**
   * A group rename. `accountName`: the sAMAccountName changes with it, written first, then the
   * DN; a refused DN change restores the previous sAMAccountName (as a user's rename does).
   */
  | { kind: 'renameGroup'; jcId: string; dn: string; newDn: string; name: string; reason: string; accountName?: { before: string; after: string } }
  /** Step one of a group rename chain or cycle (./renames.ts): the group takes its temporary name, sAMAccountName first, then the CN. */
  | { kind: 'vacateGroupName'; jcId: string; dn: string; newDn: string; name: string; tempName: string; reason: string }
  | { kind: 'updateGroup'; jcId: string; dn: string; name: string; changes: AttributeChange[]; adopt: boolean; reason: string }
  | { kind: 'rebindGroup'; jcId: string; dn: string; name: string; reason: string }
  | { kind: 'unbindGroup'; jcId: string; dn: string; name: string; reason: string }
  | { kind: 'createUser'; jcId: string; dn: string; attributes: UserAttributes; enabled: boolean; reason: string }
  /** Step one of a rename chain or cycle (./renames.ts): the user takes its temporary name, logon names first, then the CN. */
  | { kind: 'vacateUserName'; jcId: string; dn: string; newDn: string; name: string; tempName: string; tempUpn: string; reason: string }
  /**
   * A user rename. `logonNames`: sAMAccountName and UPN change with it, written first in one
   * modify (AD applies both or neither), then the DN; a refused DN change restores the previous
   * logon names, so no refused part leaves a half-renamed account.
   */
  | { kind: 'renameUser'; jcId: string; dn: string; newDn: string; name: string; reason: string; logonNames?: LogonNameChange }
  | { kind: 'updateUser'; jcId: string; dn: string; name: string; changes: AttributeChange[]; adopt: boolean; reason: string }
  /**
   * `mayLackPassword`: pwdLastSet is 0, which is both "never had a password" and "must change the
   * password at next logon". The account is enabled as it is; only if the DC refuses that for
   * want of a password (Windows: 0000052D) does it get one first. A must-change account keeps its
   * password and its flag.
   */
  | { kind: 'enableUser'; jcId: string; dn: string; name: string; mayLackPassword: boolean; reason: string }
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
  | 'UntrustedAnchor'
  | 'MovedOutOfRoot'
  | 'DuplicateInJumpCloud'
  /** A value longer than the schema allows (rangeUpper): Windows would refuse the write. */
  | 'ValueTooLong';

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
  'rebindGroup',
  'vacateGroupName',
  'renameGroup',
  'updateGroup',
  'createUser',
  'vacateUserName',
  'renameUser',
  'updateUser',
  'enableUser',
  'addMember',
  'removeMember',
  'disableUser',
  'unbindGroup',
  'skip',
];
