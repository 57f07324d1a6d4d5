// sync / sync-plan: gather (JumpCloud, AD) → plan (pure) → apply (AD writes) → report.
// sync-plan and `sync` with whatIf stop after the plan; only a real sync writes.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { DEFAULT_ANCHOR_ATTRIBUTE } from '../../ad/directory';
import { matchDomain, parseAdiDN } from '../../ad/rootdn';
import { AdSession } from '../../ad/session';
import { AdWriter, randomPassword } from '../../ad/writer';
import { ANCHOR_KEY_PROBLEM, parseAnchorKey } from '../../ad/anchorproof';
import { keyFitsNoProof, keyMismatchError, resolveAnchorKey } from '../../ad/anchorkey';
import { unprovenAnchorsMessage } from '../../sync/trust';
import { ensureEngineFolder } from '../../config/folder';
import { defaultJournalFile, defaultStateDir } from '../../config/paths';
import { dcSchema } from '../../config/request';
import { jumpcloudConnectionSchema } from '../../jumpcloud/connection';
import type { JumpCloudClient } from '../../jumpcloud/client';
import type { ActiveDirectory } from '../../jumpcloud/schemas';
import { openJumpCloud } from '../../jumpcloud/open';
import { apply, type OperationFailure } from '../../sync/apply';
import { findDomain, readBothSides } from '../../sync/gather';
import { FileJournal } from '../../sync/journal';
import type { Plan, PlanOp } from '../../sync/model';
import { plan as makePlan } from '../../sync/planner';
import { screenPrivileged } from '../../sync/privilege-gate';
import { PrivilegeChecker } from '../../ad/privilege';
import { AdLedgerStore } from '../../ad/ledger';
import { heldMessage, SafetyLimit } from '../../sync/safety-limit';
import type { CommandContext } from '../command';
import { defineCommand } from '../command';
import { badRequest, EngineError, ExitCode } from '../../errors';

const syncParamsSchema = z.strictObject({
  jumpcloud: jumpcloudConnectionSchema,
  dc: dcSchema,
  /** The ADI domain: its JumpCloud id or its ADI name (DC=example;DC=com). */
  domain: z.string().min(1).max(1024),
  rootUserDN: z.string().min(1).max(4096),
  anchorAttribute: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name')
    .default(DEFAULT_ANCHOR_ATTRIBUTE),
  adoptExisting: z.boolean().default(false),
  /** The anchor key (base64, 32 bytes): anchors count only with a valid proof, new ones get one. Secret: stdin only. */
  anchorKey: z
    .string()
    .max(128)
    .refine((k) => parseAnchorKey(k) !== null, ANCHOR_KEY_PROBLEM)
    .optional(),
  force: z.boolean().default(false),
  maxDisableCount: z.number().int().min(0).default(500),
  maxDisablePercent: z.number().min(0).max(100).default(25),
  /** The rolling safety limit's window (sync/safety-limit.ts). */
  safetyWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** Plan (and apply) only this JumpCloud user, by id or username. */
  user: z.string().min(1).max(256).optional(),
  whatIf: z.boolean().default(false),
  journalFile: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(16).default(4),
  /** More privileged groups (DN, sAMAccountName or SID) besides the well-known ones: their members, transitively, are never changed. */
  privilegedGroups: z.array(z.string().min(1).max(1024)).max(200).default([]),
});
type SyncParams = z.infer<typeof syncParamsSchema>;

const ACTIVITY = 'JumpCloud → AD sync';

function planRecord(op: PlanOp): Record<string, unknown> {
  const base = { Operation: op.kind, Reason: op.reason };
  switch (op.kind) {
    case 'addMember':
    case 'removeMember':
      return { ...base, Target: op.member, Group: op.group, DN: op.memberDn, GroupDN: op.groupDn, JumpCloudId: null, Changes: [] };
    case 'skip':
      return { ...base, Target: op.name, ObjectType: op.objectType, Code: op.code, DN: op.dn, JumpCloudId: op.jcId, Changes: [] };
    case 'createUser':
      return {
        ...base,
        Target: op.attributes.sAMAccountName,
        DN: op.dn,
        JumpCloudId: op.jcId,
        Enabled: op.enabled,
        Changes: Object.entries(op.attributes).map(([a, v]) => ({ Attribute: a, Before: '', After: v })),
      };
    case 'createGroup':
      return { ...base, Target: op.name, DN: op.dn, JumpCloudId: op.jcId, Changes: [{ Attribute: 'description', Before: '', After: op.description }] };
    case 'updateUser':
    case 'updateGroup':
      return {
        ...base,
        Target: op.name,
        DN: op.dn,
        JumpCloudId: op.jcId,
        Adopt: op.adopt,
        Changes: op.changes.map((c) => ({ Attribute: c.attribute, Before: c.before, After: c.after })),
      };
    case 'vacateUserName':
    case 'vacateGroupName':
      return {
        ...base,
        Target: op.name,
        DN: op.dn,
        NewDN: op.newDn,
        JumpCloudId: op.jcId,
        Changes: [{ Attribute: 'sAMAccountName', Before: op.name, After: op.tempName }],
      };
    case 'renameUser':
    case 'renameGroup': {
      // The logon names change with the rename (one step, see sync/apply.ts): the plan shows them there.
      const names = op.kind === 'renameUser' ? op.logonNames : undefined;
      const account = op.kind === 'renameGroup' ? op.accountName : undefined;
      const changes = names
        ? (['sAMAccountName', 'userPrincipalName'] as const)
            .filter((a) => names.before[a] !== names.after[a])
            .map((a) => ({ Attribute: a, Before: names.before[a], After: names.after[a] }))
        : account && account.before !== account.after
          ? [{ Attribute: 'sAMAccountName', Before: account.before, After: account.after }]
          : [];
      return { ...base, Target: op.name, DN: op.dn, NewDN: op.newDn, JumpCloudId: op.jcId, Changes: changes };
    }
    default:
      return { ...base, Target: op.name, DN: op.dn, JumpCloudId: op.jcId, Changes: [] };
  }
}

/** A membership failure names the member and the group, not only the group the LDAP write went to. */
function describedFailure(failure: OperationFailure): EngineError {
  const err = failure.error;
  if (failure.kind !== 'addMember' && failure.kind !== 'removeMember') return err;
  return new EngineError(err.id, `${failure.kind === 'addMember' ? 'Adding' : 'Removing'} ${failure.target}: ${err.message}`, {
    category: err.category,
    exitCode: err.exitCode,
    target: failure.target,
    details: err.details,
    cause: err,
  });
}

/** The sync's progress bar: `status` at `percent`. */
const progressOf =
  ({ reporter }: CommandContext) =>
  (status: string, percent: number) =>
    reporter.progress({ activity: ACTIVITY, status, percent });

async function preparePlan(params: SyncParams, ctx: CommandContext, createKey: boolean) {
  const root = parseAdiDN(params.rootUserDN, 'root');
  if (!root.isValid || !root.ldapDN)
    throw badRequest('RootDN.Invalid', `The Root User DN '${params.rootUserDN}' is not valid: ${root.problems.join(' ')}`, params.rootUserDN);
  const progress = progressOf(ctx);

  // The DC's bind starts first and runs while the JumpCloud client is made (its TLS context takes
  // tens of milliseconds with a CA file) and JumpCloud is asked for the domain: neither waits for the
  // other's round trips. Nothing in AD is read or written until the domain is found and the root checked.
  const opening = AdSession.open(params.dc);
  opening.catch(() => undefined); // awaited below, or closed when a JumpCloud step fails first
  let client: JumpCloudClient | undefined;
  let domain: ActiveDirectory;
  try {
    client = await openJumpCloud(params.jumpcloud, ctx);
    progress('Finding the ADI domain in JumpCloud', 2);
    domain = await findDomain(client, params.domain);
    const domainParse = parseAdiDN(domain.domain, 'domain');
    if (domainParse.isValid) {
      const match = matchDomain(root, domainParse);
      if (!match.underDomain) throw badRequest('RootDN.NotUnderDomain', match.problem ?? 'The Root User DN is not under the ADI domain.', params.rootUserDN);
    }
  } catch (err) {
    client?.close();
    closeOnceOpen(opening);
    throw err;
  }
  try {
    return await planWithSession(await opening, client, domain, root.ldapDN, params, ctx, createKey);
  } finally {
    client.close();
  }
}

/** Everything after the bind: the anchor key, both reads, the plan and its privilege screen. The session is closed on any failure, returned open otherwise. */
async function planWithSession(
  session: AdSession,
  client: JumpCloudClient,
  domain: ActiveDirectory,
  rootDN: string,
  params: SyncParams,
  ctx: CommandContext,
  createKey: boolean,
) {
  const { reporter } = ctx;
  const progress = progressOf(ctx);
  try {
    // Without -AnchorKey, the key kept in AD (ad/anchorkey.ts); a real sync makes it when there is none yet.
    const anchorKey = await resolveAnchorKey(session, createKey ? new AdWriter(session, params.anchorAttribute) : null, {
      rootDN,
      anchorAttribute: params.anchorAttribute,
      explicit: anchorKeyOf(params),
      create: createKey,
      reseal: params.adoptExisting,
    });
    if (anchorKey.source === 'created')
      reporter.log('info', `Created the anchor key ${anchorKey.dn} (readable only by ${params.dc.bindDN} and the administrators).`);
    if (anchorKey.source === 'pending')
      reporter.log(
        'info',
        `No anchor key under the root yet: the first Invoke-JCSync creates ${anchorKey.dn}; this plan shows the anchors as they will count then.`,
      );
    const { desired, actual } = await readBothSides(
      client,
      domain.id,
      session,
      { rootDN, anchorAttribute: params.anchorAttribute, anchorKey: anchorKey.key },
      progress,
      () => progress('Reading AD', 60),
    );
    if (anchorKey.source === 'directory' && keyFitsNoProof([...actual.users, ...actual.groups])) throw keyMismatchError(anchorKey.dn, anchorKey.source);
    const unproven = params.adoptExisting ? null : unprovenAnchorsMessage(actual);
    if (unproven) reporter.log('warning', unproven.message);
    progress('Planning', 80);
    const planned = makePlan(desired, actual, {
      adoptUnanchored: params.adoptExisting,
      force: params.force,
      maxDisableCount: params.maxDisableCount,
      maxDisablePercent: params.maxDisablePercent,
      onlyUser: params.user,
    });
    progress('Checking effective privilege', 85);
    const plan = await screenPrivileged(planned, new PrivilegeChecker(session, params.privilegedGroups));
    if (params.user && !desired.users.some((u) => u.jcId === params.user || u.username.toLowerCase() === params.user?.toLowerCase())) {
      throw new EngineError(
        'Sync.UserNotInScope',
        `The JumpCloud user '${params.user}' is not bound to the ADI domain ${domain.domain} (directly or through a bound group).`,
        {
          category: 'ObjectNotFound',
          exitCode: ExitCode.BadRequest,
          target: params.user,
        },
      );
    }
    return { plan, session, domain, rootDN, anchorKey: anchorKey.key, desiredUsers: desired.users.length, desiredGroups: desired.groups.length };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/**
 * Closes a session being opened once its bind is done, without waiting for it: a JumpCloud error
 * is reported at once, not after an unreachable DC's connect timeout. A failed bind has nothing to close.
 */
function closeOnceOpen(opening: Promise<AdSession>): void {
  void opening.then(
    (session) => session.close(),
    () => undefined,
  );
}

function anchorKeyOf(params: SyncParams): Buffer | null {
  return params.anchorKey === undefined ? null : parseAnchorKey(params.anchorKey);
}

function summaryOf(plan: Plan): Record<string, number> {
  return Object.fromEntries(Object.entries(plan.counts).map(([k, v]) => [k, v ?? 0]));
}

export const syncPlanCommand = defineCommand({
  name: 'sync-plan',
  description: 'Plan the sync of one ADI domain into AD without writing anything.',
  params: syncParamsSchema,
  async run(params, ctx) {
    const { plan, session } = await preparePlan(params, ctx, false);
    await session.close();
    for (const op of plan.operations) ctx.reporter.record('JumpCloudADI.SyncPlanOperation', planRecord(op));
    if (plan.refusal) ctx.reporter.log('warning', plan.refusal);
    ctx.reporter.progress({ activity: ACTIVITY, status: 'Planned', percent: 100, completed: true });
    return { exitCode: ExitCode.Ok, summary: { planned: plan.operations.length, counts: summaryOf(plan), refusal: plan.refusal } };
  },
});

export const syncCommand = defineCommand({
  name: 'sync',
  description: 'Make AD match JumpCloud for one ADI domain (or, with whatIf, show the plan).',
  params: syncParamsSchema,
  async run(params, ctx) {
    if (params.whatIf) return syncPlanCommand.run(params, ctx);
    const started = Date.now();
    const { plan, session, domain, rootDN, anchorKey } = await preparePlan(params, ctx, true);
    try {
      if (plan.refusal) {
        throw new EngineError('Sync.ThresholdExceeded', plan.refusal, {
          category: 'LimitsExceeded',
          exitCode: ExitCode.Refused,
          target: rootDN,
          details: { counts: summaryOf(plan) },
        });
      }
      if (params.journalFile === undefined) ensureEngineFolder(defaultStateDir(), "engine's state folder");
      const journalFile = params.journalFile ?? defaultJournalFile();
      const journal = new FileJournal(journalFile, randomBytes(6).toString('hex'));
      const writer = new AdWriter(session, params.anchorAttribute, anchorKey);
      const policy = { windowHours: params.safetyWindowHours, maxCount: params.maxDisableCount, maxPercent: params.maxDisablePercent };
      const outcome = await apply(plan, {
        // -Force admits every kind for this run; what it does is still counted.
        safety: new SafetyLimit(new AdLedgerStore(session, writer, rootDN), policy, () => new Date(), params.force),
        writer,
        journal,
        initialPassword: () => randomPassword(),
        concurrency: params.concurrency,
        // A lost DC connection stops the run: nothing new starts (the rest waits for a rerun).
        signal: AbortSignal.any([ctx.signal, session.lost]),
        progress: (p) => ctx.reporter.progress({ ...p, activity: ACTIVITY }),
      });
      for (const failure of outcome.failures) ctx.reporter.error(describedFailure(failure), false);
      for (const held of outcome.held) {
        const message = heldMessage(held, params.safetyWindowHours);
        journal.write({ kind: 'safetyLimit', target: held.kind, jcId: null, outcome: 'reported', detail: message });
        ctx.reporter.error(
          new EngineError('Sync.SafetyLimit', message, {
            category: 'LimitsExceeded',
            exitCode: ExitCode.PartialFailure,
            target: rootDN,
            details: { kind: held.kind, held: held.planned, inWindow: held.windowCount, limit: held.limit },
          }),
          false,
        );
      }
      for (const op of plan.operations) if (op.kind === 'skip') ctx.reporter.log('warning', `Skipped ${op.objectType} ${op.name}: ${op.reason}`);
      ctx.reporter.progress({ activity: ACTIVITY, status: 'Done', percent: 100, completed: true });
      const result = {
        Domain: domain.domain,
        RootUserDN: rootDN,
        Planned: plan.operations.length,
        Applied: outcome.applied,
        Failed: outcome.failed,
        Reported: outcome.reported,
        Interrupted: outcome.interrupted,
        Held: outcome.held.map((k) => ({ Kind: k.kind, Held: k.planned, InWindow: k.windowCount, Limit: k.limit })),
        ByOperation: Object.fromEntries(Object.entries(outcome.byKind).map(([k, v]) => [k, `${v?.applied ?? 0} applied, ${v?.failed ?? 0} failed`])),
        DurationSeconds: Math.round((Date.now() - started) / 100) / 10,
        JournalFile: journalFile,
        Run: journal.run,
      };
      ctx.reporter.record('JumpCloudADI.SyncResult', result);
      const exitCode = outcome.failed > 0 || outcome.interrupted || outcome.held.length > 0 ? ExitCode.PartialFailure : ExitCode.Ok;
      return { exitCode, summary: { applied: outcome.applied, failed: outcome.failed, interrupted: outcome.interrupted } };
    } finally {
      await session.close();
    }
  },
});
