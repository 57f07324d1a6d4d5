// Per task: does the account have every right the task needs (Granted) or which exactly is
// missing (Missing), with what grants it. And the grant plan: the wizard's ACEs not yet on the
// container, and the DACL with them added. Pure.
import { checkAccess, isDenyAce } from './evaluate';
import { describeRights, mapGenericRights } from './rights';
import { ACE_FLAG, isParsedAce, type Ace, type Acl, type SecurityDescriptor } from '../ad/sd';
import { aceToSddl } from './sddl';
import { taskAces, type DelegationTask } from './tasks';

interface MissingRight {
  description: string;
  /** The missing rights by name, e.g. "Modify permissions (WD), Modify owner (WO)". */
  rights: string;
  /** SDDL of the deny ACEs that take the right away (granting more does not help then). */
  deniedBy: string[];
  /** SDDL of the ACE that grants it (the wizard's ACE for this account). */
  ace: string;
  /** dsacls.exe arguments, e.g. /I:S /G "EXAMPLE\jcsync:CA;Reset Password;user". */
  dsacls: string;
}

export interface TaskAssessment {
  task: DelegationTask;
  granted: boolean;
  missing: MissingRight[];
  /** SDDL of the ACEs that granted the task's rights (the wizard's, or broader ones). */
  grantedThrough: string[];
  /** Which of the wizard's ACEs for this task are on the container, one flag per ACE. */
  wizardAcesPresent: boolean[];
}

const INHERITANCE_FLAGS = ACE_FLAG.ObjectInherit | ACE_FLAG.ContainerInherit | ACE_FLAG.NoPropagateInherit | ACE_FLAG.InheritOnly;

/**
 * The same ACE, explicit on the container: type, trustee, object types, inheritance flags and
 * rights (generic rights expanded) all equal. A broader ACE does not count, so a grant adds
 * exactly the wizard's ACEs and removing one of them is visible.
 */
function sameAce(existing: Ace, wanted: Ace): boolean {
  if ((existing.flags & ACE_FLAG.Inherited) !== 0) return false;
  if (existing.type !== wanted.type) return false;
  if (existing.sid.toUpperCase() !== wanted.sid.toUpperCase()) return false;
  if ((existing.objectType ?? '').toLowerCase() !== (wanted.objectType ?? '').toLowerCase()) return false;
  if ((existing.inheritedObjectType ?? '').toLowerCase() !== (wanted.inheritedObjectType ?? '').toLowerCase()) return false;
  if ((existing.flags & INHERITANCE_FLAGS) !== (wanted.flags & INHERITANCE_FLAGS)) return false;
  return mapGenericRights(existing.mask) === mapGenericRights(wanted.mask);
}

export function hasAce(dacl: Acl | null, wanted: Ace): boolean {
  return !!dacl && dacl.aces.some((ace) => isParsedAce(ace) && sameAce(ace, wanted));
}

export function assessTask(task: DelegationTask, sd: SecurityDescriptor, token: ReadonlySet<string>, accountSid: string, trustee: string): TaskAssessment {
  const aces = taskAces(task, accountSid);
  const missing: MissingRight[] = [];
  const through = new Set<string>();
  for (const requirement of task.requirements) {
    const decision = checkAccess(sd.dacl, sd.daclIsNull, token, requirement.target, requirement);
    for (const ace of decision.decidedBy) if (!isDenyAce(ace) && (mapGenericRights(ace.mask) & decision.granted) !== 0) through.add(aceToSddl(ace));
    if (decision.missing === 0) continue;
    const deniers = decision.decidedBy.filter((ace) => isDenyAce(ace) && (mapGenericRights(ace.mask) & decision.denied) !== 0);
    missing.push({
      description: requirement.description,
      rights: describeRights(decision.missing),
      deniedBy: deniers.map(aceToSddl),
      ace: aceToSddl(aces[requirement.grantedBy] as Ace),
      dsacls: `/I:${requirement.dsacls.inheritance} /G "${trustee}:${requirement.dsacls.permission}"`,
    });
  }
  return {
    task,
    granted: missing.length === 0,
    missing,
    grantedThrough: [...through],
    wizardAcesPresent: aces.map((ace) => hasAce(sd.dacl, ace)),
  };
}

export interface GrantPlan {
  /** The wizard ACEs to add, by task. */
  toAdd: Array<{ task: DelegationTask; ace: Ace }>;
  /** The wizard ACEs already there, by task. */
  present: Array<{ task: DelegationTask; ace: Ace }>;
  /** The DACL to write: the current one with the new ACEs after the explicit ones (canonical order). */
  dacl: Acl;
}

export function planGrant(sd: SecurityDescriptor, accountSid: string, tasks: readonly DelegationTask[]): GrantPlan {
  const current = sd.dacl ?? { revision: 4, aces: [] };
  const toAdd: GrantPlan['toAdd'] = [];
  const present: GrantPlan['present'] = [];
  for (const task of tasks) {
    for (const ace of taskAces(task, accountSid)) {
      const already = hasAce(current, ace) || toAdd.some((a) => sameAce(a.ace, ace));
      (already ? present : toAdd).push({ task, ace });
    }
  }
  const firstInherited = current.aces.findIndex((ace) => (ace.flags & ACE_FLAG.Inherited) !== 0);
  const at = firstInherited === -1 ? current.aces.length : firstInherited;
  const aces = [...current.aces.slice(0, at), ...toAdd.map((a) => a.ace), ...current.aces.slice(at)];
  return { toAdd, present, dacl: { revision: 4, aces } };
}

/** The DACL without the explicit ACEs equal to one of `remove` (the tests take single ACEs away with it). */
export function withoutAces(dacl: Acl, remove: readonly Ace[]): Acl {
  return { revision: dacl.revision, aces: dacl.aces.filter((ace) => !(isParsedAce(ace) && remove.some((r) => sameAce(ace, r)))) };
}
