// The five tasks the product guide delegates to the sync service account on the root container,
// as data: the ACEs the ADUC "Delegate Control" wizard adds (docs/delegation.md, SDDL with S for the
// account) and the rights each task needs, on the container or on the users/groups under it.
import { mapGenericRights, RIGHT, DS_FULL_CONTROL, GUID, PROPERTY_SET_OF } from './rights';
import { aceFromSddl } from './sddl';
import type { Ace } from '../ad/sd';
import type { RightRequest, Target } from './evaluate';

export type TaskId = 'CreateDeleteManageUsers' | 'ResetPasswords' | 'ReadUserInformation' | 'CreateDeleteManageGroups' | 'ModifyGroupMembership';

interface Requirement extends RightRequest {
  target: Target;
  /** What an admin reads when this right is missing. */
  description: string;
  /** The wizard ACE (index into the task's ACEs) that grants it. */
  grantedBy: number;
  /** dsacls.exe arguments that grant it: /I:<inheritance> /G "<account>:<this>". */
  dsacls: { inheritance: 'T' | 'S'; permission: string };
}

export interface DelegationTask {
  id: TaskId;
  /** The wizard's wording. */
  title: string;
  /** The wizard's ACEs, SDDL with S standing for the service account. */
  aces: readonly string[];
  requirements: readonly Requirement[];
}

const CONTAINER: Target = { kind: 'container' };
const USERS: Target = { kind: 'child', objectClass: GUID.userClass };
const GROUPS: Target = { kind: 'child', objectClass: GUID.groupClass };

function manageTask(id: TaskId, title: string, classGuid: string, noun: string, children: Target): DelegationTask {
  return {
    id,
    title,
    aces: [`(OA;CI;CCDC;${classGuid};;S)`, `(OA;CIIO;GA;;${classGuid};S)`],
    requirements: [
      {
        target: CONTAINER,
        mask: RIGHT.CreateChild,
        objectType: classGuid,
        description: `Create ${noun} objects (CC on class ${noun}) in the root container`,
        grantedBy: 0,
        dsacls: { inheritance: 'T', permission: `CCDC;${noun}` },
      },
      {
        target: CONTAINER,
        mask: RIGHT.DeleteChild,
        objectType: classGuid,
        description: `Delete ${noun} objects (DC on class ${noun}) in the root container`,
        grantedBy: 0,
        dsacls: { inheritance: 'T', permission: `CCDC;${noun}` },
      },
      {
        target: children,
        mask: DS_FULL_CONTROL,
        objectType: null,
        description: `Full control (GA) of ${noun} objects under the root container`,
        grantedBy: 1,
        dsacls: { inheritance: 'S', permission: `GA;;${noun}` },
      },
    ],
  };
}

export const DELEGATION_TASKS: readonly DelegationTask[] = [
  manageTask('CreateDeleteManageUsers', 'Create, delete, and manage user accounts', GUID.userClass, 'user', USERS),
  {
    id: 'ResetPasswords',
    title: 'Reset user passwords and force password change at next logon',
    aces: [`(OA;CIIO;CR;${GUID.resetPassword};${GUID.userClass};S)`, `(OA;CIIO;RPWP;${GUID.pwdLastSet};${GUID.userClass};S)`],
    requirements: [
      {
        target: USERS,
        mask: RIGHT.ControlAccess,
        objectType: GUID.resetPassword,
        description: 'The Reset Password extended right (CR 00299570-246d-11d0-a768-00aa006e0529) on user objects',
        grantedBy: 0,
        dsacls: { inheritance: 'S', permission: 'CA;Reset Password;user' },
      },
      {
        target: USERS,
        mask: RIGHT.ReadProperty,
        objectType: GUID.pwdLastSet,
        propertySet: PROPERTY_SET_OF[GUID.pwdLastSet],
        description: 'Read pwdLastSet (RP) on user objects',
        grantedBy: 1,
        dsacls: { inheritance: 'S', permission: 'RPWP;pwdLastSet;user' },
      },
      {
        target: USERS,
        mask: RIGHT.WriteProperty,
        objectType: GUID.pwdLastSet,
        propertySet: PROPERTY_SET_OF[GUID.pwdLastSet],
        description: 'Write pwdLastSet (WP) on user objects (force change at next logon)',
        grantedBy: 1,
        dsacls: { inheritance: 'S', permission: 'RPWP;pwdLastSet;user' },
      },
    ],
  },
  {
    id: 'ReadUserInformation',
    title: 'Read all user information',
    aces: [`(OA;CIIO;RP;;${GUID.userClass};S)`],
    requirements: [
      {
        target: USERS,
        mask: RIGHT.ReadProperty,
        objectType: null,
        description: 'Read all properties (RP) of user objects',
        grantedBy: 0,
        dsacls: { inheritance: 'S', permission: 'RP;;user' },
      },
    ],
  },
  manageTask('CreateDeleteManageGroups', 'Create, delete, and manage groups', GUID.groupClass, 'group', GROUPS),
  {
    id: 'ModifyGroupMembership',
    title: 'Modify the membership of a group',
    aces: [`(OA;CIIO;RPWP;${GUID.member};${GUID.groupClass};S)`],
    requirements: [
      {
        target: GROUPS,
        mask: RIGHT.ReadProperty,
        objectType: GUID.member,
        propertySet: PROPERTY_SET_OF[GUID.member],
        description: 'Read member (RP) on group objects',
        grantedBy: 0,
        dsacls: { inheritance: 'S', permission: 'RPWP;member;group' },
      },
      {
        target: GROUPS,
        mask: RIGHT.WriteProperty,
        objectType: GUID.member,
        propertySet: PROPERTY_SET_OF[GUID.member],
        description: 'Write member (WP) on group objects',
        grantedBy: 0,
        dsacls: { inheritance: 'S', permission: 'RPWP;member;group' },
      },
    ],
  },
];

export const TASK_IDS = DELEGATION_TASKS.map((t) => t.id) as [TaskId, ...TaskId[]];

export function taskById(id: TaskId): DelegationTask {
  const task = DELEGATION_TASKS.find((t) => t.id === id);
  if (!task) throw new Error(`unknown delegation task ${id}`);
  return task;
}

/** The task's ACEs for one account, generic rights expanded as AD stores them (GA → 0x000F01FF). */
export function taskAces(task: DelegationTask, accountSid: string): Ace[] {
  return task.aces.map((sddl) => {
    const ace = aceFromSddl(sddl, accountSid);
    return { ...ace, mask: mapGenericRights(ace.mask) };
  });
}
