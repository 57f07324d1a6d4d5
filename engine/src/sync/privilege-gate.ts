// Holds back every write of a plan that would touch a privileged object (ad/privilege.ts): a
// managed user who is, transitively, a member of a privileged group gets no attribute, state,
// rename or password change and keeps its group memberships; a managed group that is,
// transitively, a member of a privileged group gets no change at all, members included. Each is
// reported once as a Protected skip naming the membership path. Runs between plan and apply, for
// Invoke-JCSync, Get-JCSyncPlan and the agent alike; new objects (creates) need no check.
import { describePath, type PrivilegeFinding } from '../ad/privilege';
import type { Plan, PlanOp } from './model';

/** Reads effective privilege of one existing object (PrivilegeChecker in production). */
export interface PrivilegeLookup {
  check(dn: string): Promise<PrivilegeFinding | null>;
}

type ObjectOp = Extract<PlanOp, { jcId: string; dn: string }>;

const USER_KINDS = new Set(['vacateUserName', 'renameUser', 'updateUser', 'enableUser', 'disableUser']);
const GROUP_KINDS = new Set(['rebindGroup', 'vacateGroupName', 'renameGroup', 'updateGroup', 'unbindGroup']);

export async function screenPrivileged(plan: Plan, lookup: PrivilegeLookup): Promise<Plan> {
  if (plan.refusal) return plan;
  // Each existing object once, by its DN before the plan (ops are in APPLY_ORDER: the first op
  // of an object names it where it is now; later ones may name its new DN).
  const current = new Map<string, { type: 'user' | 'group'; dn: string; name: string }>();
  /** Any DN a plan op uses for an object (lower case) → its JumpCloud id. */
  const dnToId = new Map<string, string>();
  for (const op of plan.operations) {
    if (!USER_KINDS.has(op.kind) && !GROUP_KINDS.has(op.kind)) continue;
    const o = op as ObjectOp;
    if (!current.has(o.jcId)) current.set(o.jcId, { type: USER_KINDS.has(op.kind) ? 'user' : 'group', dn: o.dn, name: 'name' in o ? o.name : o.dn });
    dnToId.set(o.dn.toLowerCase(), o.jcId);
    if ('newDn' in o) dnToId.set(o.newDn.toLowerCase(), o.jcId);
  }
  // Groups that only change members are checked too; they are named by their DN.
  for (const op of plan.operations) {
    if (op.kind !== 'addMember' && op.kind !== 'removeMember') continue;
    const key = op.groupDn.toLowerCase();
    if (!dnToId.has(key)) {
      const id = `dn:${key}`;
      dnToId.set(key, id);
      current.set(id, { type: 'group', dn: op.groupDn, name: op.group });
    }
    if (op.kind === 'removeMember' && !dnToId.has(op.memberDn.toLowerCase())) {
      // A member the plan removes and does not otherwise touch: still never write around a privileged account.
      const id = `dn:${op.memberDn.toLowerCase()}`;
      dnToId.set(op.memberDn.toLowerCase(), id);
      current.set(id, { type: 'user', dn: op.memberDn, name: op.member });
    }
  }
  // A group created by this plan does not exist yet: nothing to check.
  const created = new Set(
    plan.operations.filter((op) => op.kind === 'createGroup' || op.kind === 'createUser').map((op) => (op as { dn: string }).dn.toLowerCase()),
  );

  const held = new Map<string, PrivilegeFinding>();
  for (const [id, object] of current) {
    if (created.has(object.dn.toLowerCase())) continue;
    const finding = await lookup.check(object.dn);
    if (finding) held.set(id, finding);
  }
  if (held.size === 0) return plan;

  const isHeld = (dn: string) => held.has(dnToId.get(dn.toLowerCase()) ?? '');
  const operations: PlanOp[] = [];
  for (const op of plan.operations) {
    if (op.kind === 'addMember' || op.kind === 'removeMember') {
      if (isHeld(op.groupDn) || isHeld(op.memberDn)) continue;
    } else if (USER_KINDS.has(op.kind) || GROUP_KINDS.has(op.kind)) {
      if (held.has((op as ObjectOp).jcId)) continue;
    }
    operations.push(op);
  }
  for (const [id, finding] of held) {
    const object = current.get(id) as { type: 'user' | 'group'; dn: string; name: string };
    const what = object.type === 'user' ? 'the account' : 'the group';
    operations.push({
      kind: 'skip',
      objectType: object.type,
      jcId: id.startsWith('dn:') ? null : id,
      name: object.name,
      dn: object.dn,
      code: 'Protected',
      reason: `${what} is privileged (${describePath(finding)}); privileged objects are never changed from JumpCloud`,
    });
  }
  const counts: Plan['counts'] = {};
  for (const op of operations) counts[op.kind] = (counts[op.kind] ?? 0) + 1;
  return { ...plan, operations, counts };
}
