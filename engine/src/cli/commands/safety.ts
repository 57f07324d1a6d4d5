// safety-approve (Approve-JCSyncSafetyLimit): an administrator's explicit approval of the
// destructive changes the rolling safety limit holds back (sync/safety-limit.ts). It adds an
// allowance to the ledger in AD (by default just enough for what is held now, or `count`), valid while the
// current hour is in the window, so every agent (and Invoke-JCSync) sees it; and it is journaled
// (who, what, how many) in the agent's journal or the given one. With an installed agent it binds
// as the agent's service account (its protected config); otherwise with the `dc` block given.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import * as z from 'zod';
import { AdLedgerStore } from '../../ad/ledger';
import { parseAdiDN } from '../../ad/rootdn';
import { AdSession } from '../../ad/session';
import { AdWriter } from '../../ad/writer';
import { DEFAULT_ANCHOR_ATTRIBUTE } from '../../ad/directory';
import { agentPaths, dcConfigOf, openAgentSecrets, protectorFor, readAgentConfig } from '../../agent/config';
import { defaultJournalFile } from '../../config/paths';
import { dcSchema } from '../../config/request';
import { badRequest, EngineError, ExitCode } from '../../errors';
import { FileJournal } from '../../sync/journal';
import { approve, parseLedger, SAFETY_KIND_TEXT, SAFETY_KINDS, statusOf } from '../../sync/safety-limit';
import { defineCommand } from '../command';

const safetyApproveParamsSchema = z
  .strictObject({
    /** An installed agent: its config names the DC, the root and the service account. */
    installPath: z.string().min(1).max(1024).optional(),
    /** Without an agent: the DC and the root (ADI form), as Invoke-JCSync takes them. */
    dc: dcSchema.optional(),
    rootUserDN: z.string().min(1).max(4096).optional(),
    journalFile: z.string().min(1).optional(),
    kind: z.enum(SAFETY_KINDS),
    /** How many more changes of that kind to allow in the current window; default: just enough for what is held now. */
    count: z.number().int().min(1).max(1_000_000).optional(),
    safetyWindowHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    whatIf: z.boolean().default(false),
  })
  .refine((p) => (p.installPath !== undefined) !== (p.dc !== undefined && p.rootUserDN !== undefined), {
    message: 'give either installPath (an installed agent) or both dc and rootUserDN',
  });

export const safetyApproveCommand = defineCommand({
  name: 'safety-approve',
  description: 'Approve the destructive changes the rolling safety limit holds back (journaled; every agent sees it).',
  params: safetyApproveParamsSchema,
  async run(params, ctx) {
    let dc = params.dc;
    let rootUserDN = params.rootUserDN ?? '';
    let windowHours = params.safetyWindowHours;
    let anchorAttribute = DEFAULT_ANCHOR_ATTRIBUTE;
    let journalFile = params.journalFile ?? defaultJournalFile();
    if (params.installPath) {
      const paths = agentPaths(resolve(params.installPath));
      const config = readAgentConfig(paths.config);
      const secrets = await openAgentSecrets(config, protectorFor(paths));
      dc = dcConfigOf(config, secrets.bindPassword);
      rootUserDN = config.rootUserDN;
      windowHours = config.sync.safetyWindowHours;
      anchorAttribute = config.sync.anchorAttribute;
      journalFile = params.journalFile ?? paths.journal;
    }
    const root = parseAdiDN(rootUserDN, 'root');
    if (!root.ldapDN) throw badRequest('RootDN.Invalid', `The Root User DN '${rootUserDN}' is not valid: ${root.problems.join(' ')}`, rootUserDN);
    const session = await AdSession.open(dc as NonNullable<typeof dc>);
    try {
      const store = new AdLedgerStore(session, new AdWriter(session, anchorAttribute), root.ldapDN);
      for (let attempt = 1; ; attempt++) {
        const raw = await store.read();
        const ledger = parseLedger(raw);
        const now = new Date();
        const index = String(SAFETY_KINDS.indexOf(params.kind));
        const heldNow = ledger.held[index] ?? 0;
        const { ledger: next, granted } = approve(ledger, params.kind, params.count ?? null, now, windowHours);
        if (granted === 0) {
          throw new EngineError(
            'Sync.NothingHeld',
            `No ${SAFETY_KIND_TEXT[params.kind]} are held back by the safety limit under ${root.ldapDN}; give -Count to allow more in advance.`,
            {
              category: 'InvalidOperation',
              exitCode: ExitCode.BadRequest,
              target: params.kind,
            },
          );
        }
        const { windowCount, limit } = statusOf(next, params.kind, { windowHours, maxCount: 0, maxPercent: 0 }, 0, Math.floor(now.getTime() / 3_600_000));
        const record = {
          Kind: params.kind,
          Approved: granted,
          Shortfall: heldNow,
          InWindow: windowCount,
          ApprovedInWindow: limit,
          WindowHours: windowHours,
          RootUserDN: root.ldapDN,
          By: userInfo().username,
          WhatIf: params.whatIf,
          JournalFile: params.whatIf ? null : journalFile,
        };
        if (params.whatIf) {
          ctx.reporter.record('JumpCloudADI.SafetyApproval', record);
          return { exitCode: ExitCode.Ok, summary: { approved: 0 } };
        }
        if (await store.replace(raw, JSON.stringify(next))) {
          new FileJournal(journalFile, `approve-${process.pid}-${Date.now().toString(36)}`).write({
            kind: 'approveSafetyLimit',
            target: params.kind,
            jcId: null,
            outcome: 'applied',
            detail: `${userInfo().username} approved ${granted} more ${SAFETY_KIND_TEXT[params.kind]} within ${windowHours} h (${windowCount} made in the window)`,
          });
          ctx.reporter.record('JumpCloudADI.SafetyApproval', record);
          return { exitCode: ExitCode.Ok, summary: { approved: granted } };
        }
        if (attempt >= 5)
          throw new EngineError('AD.OperationFailed', 'The safety ledger kept changing; try again.', { exitCode: ExitCode.Unreachable, target: store.dn });
      }
    } finally {
      await session.close();
    }
  },
});
