// delegation-test / delegation-grant: the five tasks the product guide delegates to the sync
// service account on the root container. The test reads the container's DACL and the account's
// groups and evaluates effective rights; the grant adds exactly the ADUC wizard's ACEs that are
// not there yet (idempotent), or with whatIf lists them.
import * as z from 'zod';
import { AdSession } from '../../ad/session';
import { readSecurityDescriptor, SD_FLAG } from '../../ad/security';
import { AdWriter } from '../../ad/writer';
import { anchorKeyDn, grantAnchorKey } from '../../ad/anchorkey';
import { DEFAULT_ANCHOR_ATTRIBUTE } from '../../ad/directory';
import { dcSchema } from '../../config/request';
import { hasAce, planGrant } from '../../delegation/assess';
import { assessAccount, assessDelegation, loadDelegationContext, ruleRecord, taskRecord } from '../../delegation/inspect';
import { encodeSecurityDescriptor } from '../../ad/sd';
import { aceToSddl } from '../../delegation/sddl';
import { DELEGATION_TASKS, TASK_IDS } from '../../delegation/tasks';
import { defineCommand } from '../command';
import { EngineError, ExitCode } from '../../errors';

const delegationParams = {
  dc: dcSchema,
  rootUserDN: z.string().min(1).max(4096),
  serviceAccount: z.string().min(1).max(1024).default('jcsync'),
  /** Only these tasks (default: all five). */
  tasks: z.array(z.enum(TASK_IDS)).min(1).optional(),
};

function selectedTasks(ids: readonly string[] | undefined) {
  return ids ? DELEGATION_TASKS.filter((t) => ids.includes(t.id)) : DELEGATION_TASKS;
}

export const delegationTestCommand = defineCommand({
  name: 'delegation-test',
  description: 'Check the delegated rights and the account rules of the sync service account on the root container.',
  params: z.strictObject(delegationParams),
  async run(params, { reporter }) {
    const activity = 'Checking delegation';
    reporter.progress({ activity, status: `Connecting to ${params.dc.host}`, percent: 5 });
    const session = await AdSession.open(params.dc);
    try {
      reporter.progress({ activity, status: 'Reading the root container and the service account', percent: 30 });
      const ctx = await loadDelegationContext(session, params.rootUserDN, params.serviceAccount);
      if (ctx.groupSource === 'memberOf')
        reporter.log(
          'warning',
          `${session.dc.bindDN} may not read tokenGroups of ${ctx.account.dn}; group memberships were read from memberOf (nested) instead.`,
        );
      reporter.progress({ activity, status: 'Evaluating effective rights', percent: 70 });
      const assessments = assessDelegation(ctx, selectedTasks(params.tasks));
      for (const assessment of assessments) reporter.record('JumpCloudADI.DelegationCheck', taskRecord(ctx, assessment));
      const rules = await assessAccount(session, ctx);
      for (const rule of rules) reporter.record('JumpCloudADI.DelegationCheck', ruleRecord(ctx, rule));
      reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
      const missing = assessments.filter((a) => !a.granted).map((a) => a.task.id);
      const failedRules = rules.filter((r) => r.status === 'Fail').map((r) => r.id);
      return {
        exitCode: ExitCode.Ok,
        summary: { allGranted: missing.length === 0, missingTasks: missing, failedAccountRules: failedRules, accountSid: ctx.account.sid },
      };
    } finally {
      await session.close();
    }
  },
});

export const delegationGrantCommand = defineCommand({
  name: 'delegation-grant',
  description: 'Add the Delegate Control wizard ACEs for the sync service account to the root container (idempotent; whatIf lists them).',
  params: z.strictObject({ ...delegationParams, whatIf: z.boolean().default(false) }),
  async run(params, { reporter }) {
    const activity = 'Granting delegation';
    reporter.progress({ activity, status: `Connecting to ${params.dc.host}`, percent: 5 });
    const session = await AdSession.open(params.dc);
    try {
      reporter.progress({ activity, status: 'Reading the root container and the service account', percent: 25 });
      const ctx = await loadDelegationContext(session, params.rootUserDN, params.serviceAccount);
      const tasks = selectedTasks(params.tasks);
      const plan = planGrant(ctx.descriptor, ctx.account.sid, tasks);
      const record = (task: (typeof tasks)[number], sddl: string, action: string) =>
        reporter.record('JumpCloudADI.DelegationChange', {
          Task: task.id,
          Title: task.title,
          Ace: sddl,
          Action: action,
          ServiceAccount: ctx.account.samAccountName,
          RootUserDN: ctx.rootUserDN,
        });

      if (!params.whatIf) {
        // The anchor key kept in AD (ad/anchorkey.ts): the service account may read it, no other account may.
        const key = await grantAnchorKey(session, new AdWriter(session, DEFAULT_ANCHOR_ATTRIBUTE), ctx.rootDn, ctx.account.sid);
        if (key === 'granted')
          reporter.log('info', `${ctx.trustee} may now read the anchor key ${anchorKeyDn(ctx.rootDn)} (and no other account but the administrators).`);
      }
      if (params.whatIf || plan.toAdd.length === 0) {
        for (const item of plan.present) record(item.task, aceToSddl(item.ace), 'AlreadyPresent');
        for (const item of plan.toAdd) record(item.task, aceToSddl(item.ace), 'WouldAdd');
        reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
        return { exitCode: ExitCode.Ok, summary: { whatIf: params.whatIf, added: 0, wouldAdd: plan.toAdd.length, alreadyPresent: plan.present.length } };
      }

      reporter.progress({ activity, status: `Adding ${plan.toAdd.length} ACE(s) to ${ctx.rootDn}`, percent: 60 });
      const descriptor = encodeSecurityDescriptor({
        ...ctx.descriptor,
        owner: null,
        group: null,
        sacl: null,
        saclIsNull: false,
        dacl: plan.dacl,
        daclIsNull: false,
      });
      await new AdWriter(session, DEFAULT_ANCHOR_ATTRIBUTE).setSecurityDescriptor(ctx.rootDn, descriptor, SD_FLAG.Dacl);
      reporter.log('info', `Added ${plan.toAdd.length} ACE(s) for ${ctx.trustee} to ${ctx.rootDn}.`);

      reporter.progress({ activity, status: 'Verifying', percent: 85 });
      const after = await readSecurityDescriptor(session, ctx.rootDn);
      const notApplied = plan.toAdd.filter((item) => !hasAce(after.dacl, item.ace));
      if (notApplied.length > 0) {
        throw new EngineError(
          'Delegation.NotApplied',
          `The DC accepted the new permissions of ${ctx.rootDn} but does not show ${notApplied.map((i) => aceToSddl(i.ace)).join(' ')}.`,
          {
            category: 'WriteError',
            exitCode: ExitCode.PartialFailure,
            target: ctx.rootDn,
          },
        );
      }
      for (const item of plan.present) record(item.task, aceToSddl(item.ace), 'AlreadyPresent');
      for (const item of plan.toAdd) record(item.task, aceToSddl(item.ace), 'Added');
      reporter.progress({ activity, status: 'Done', percent: 100, completed: true });
      return { exitCode: ExitCode.Ok, summary: { whatIf: false, added: plan.toAdd.length, wouldAdd: 0, alreadyPresent: plan.present.length } };
    } finally {
      await session.close();
    }
  },
});
