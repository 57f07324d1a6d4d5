// csv-import: read and validate the whole CSV file (the engine reads it; only its path travels in
// the request), then create the users in JumpCloud (or, with whatIf, say what would be created).
// Nothing is created when a row is invalid, unless skipInvalidRows. Passwords from the file go to
// POST /systemusers and nowhere else.
import * as z from 'zod';
import { resolveColumns, type ColumnMap } from '../../csv/columns';
import { invalidResult, loadExistingUsers, planImport, runImport, type RowResult } from '../../csv/import';
import { describePolicy } from '../../csv/policy';
import { DEFAULT_LIMITS, delimiterName, readCsvFile } from '../../csv/read';
import { validateRows } from '../../csv/validate';
import { jumpcloudConnectionSchema } from '../../jumpcloud/connection';
import { openJumpCloud } from '../../jumpcloud/open';
import type { JumpCloudClient } from '../../jumpcloud/client';
import { findDomain } from '../../sync/gather';
import { defineCommand } from '../command';
import { EngineError, ExitCode } from '../../errors';

const ACTIVITY = 'Importing users into JumpCloud';
const MAX_WARNING_LINES = 20;

const csvImportParamsSchema = z.strictObject({
  jumpcloud: jumpcloudConnectionSchema,
  /** Absolute path of the CSV file; the engine reads it. */
  path: z.string().min(1).max(4096),
  encoding: z.enum(['auto', 'utf8', 'utf16le', 'utf16be', 'windows1252']).default('auto'),
  delimiter: z.enum(['auto', 'comma', 'semicolon', 'tab']).default('auto'),
  whatIf: z.boolean().default(false),
  skipInvalidRows: z.boolean().default(false),
  requirePassword: z.boolean().default(false),
  bindToDomain: z.boolean().default(false),
  /** The ADI domain to bind to (id or DC=example;DC=com); may be left out when the org has exactly one. */
  domain: z.string().min(1).max(1024).optional(),
  concurrency: z.number().int().min(1).max(32).default(8),
  maxFileBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(DEFAULT_LIMITS.maxFileBytes),
  maxRows: z.number().int().min(1).max(1_000_000).default(DEFAULT_LIMITS.maxRows),
});

async function domainToBind(client: JumpCloudClient, domain: string | undefined): Promise<{ id: string; domain: string }> {
  if (domain !== undefined) return findDomain(client, domain);
  const all = [];
  for await (const ad of client.listActiveDirectories()) all.push(ad);
  if (all.length === 1) return all[0] as { id: string; domain: string };
  throw new EngineError(
    'Csv.DomainRequired',
    all.length === 0
      ? 'Binding to the ADI domain was asked for, but this JumpCloud organization has no ADI domain.'
      : `Binding to the ADI domain was asked for, and this organization has ${all.length} (${all.map((d) => d.domain).join(', ')}): name one (-Domain).`,
    { category: 'InvalidArgument', exitCode: ExitCode.BadRequest },
  );
}

function describeColumns(columns: ColumnMap): string {
  const parts = [`${columns.optional.length} optional`, `${columns.groups.length} group`, `${columns.attributes.length} custom-attribute`];
  return parts.join(', ');
}

export const csvImportCommand = defineCommand({
  name: 'csv-import',
  description: 'Validate a CSV file of users, then create them in JumpCloud (or, with whatIf, show what would be created).',
  params: csvImportParamsSchema,
  async run(params, ctx) {
    const { reporter } = ctx;
    const started = Date.now();
    const progress = (status: string, percent: number) => reporter.progress({ activity: ACTIVITY, status, percent });

    progress(`Reading ${params.path}`, 1);
    let columns: ColumnMap | null = null;
    const limits = { ...DEFAULT_LIMITS, maxFileBytes: params.maxFileBytes, maxRows: params.maxRows };
    const file = await readCsvFile(params.path, params.encoding, params.delimiter, limits, (header) => {
      columns = resolveColumns(header);
    });
    const map = columns as unknown as ColumnMap;
    reporter.log(
      'verbose',
      `Read ${file.records.length} rows from ${params.path} (${file.encoding}, ${delimiterName(file.delimiter)}-separated; ${describeColumns(map)} columns${file.blankLines > 0 ? `; ${file.blankLines} blank lines ignored` : ''}).`,
    );
    if (file.records.length === 0) reporter.log('warning', `${params.path} has a header but no rows: nothing to import.`);
    if (map.unknown.length > 0) reporter.log('warning', `Columns this format does not know are ignored: ${map.unknown.join(', ')}.`);
    if (map.ignored.length > 0) reporter.log('warning', `Columns of JumpCloud's format this import does not act on are ignored: ${map.ignored.join(', ')}.`);

    const client = await openJumpCloud(params.jumpcloud, ctx, { maxSockets: params.concurrency });
    try {
      progress('Reading the password policy and the existing users', 3);
      const policy = await client.getPasswordPolicy(params.jumpcloud.orgId);
      reporter.log('verbose', `JumpCloud password policy: ${describePolicy(policy)}.`);
      const existing = await loadExistingUsers(client);
      const domain = params.bindToDomain ? await domainToBind(client, params.domain) : null;
      if (domain) reporter.log('verbose', `Imported users will be bound to the ADI domain ${domain.domain} (${domain.id}).`);

      progress('Validating', 6);
      const rows = validateRows(file.records, map, { policy, requirePassword: params.requirePassword });
      const plans = planImport(rows, existing);
      const invalid = plans.filter((p) => p.action === 'invalid');
      const warnings = rows.flatMap((r) => r.warnings.map((w) => `line ${r.line}: ${w.message}`));
      for (const w of warnings.slice(0, MAX_WARNING_LINES)) reporter.log('warning', w);
      if (warnings.length > MAX_WARNING_LINES)
        reporter.log('warning', `... and ${warnings.length - MAX_WARNING_LINES} more warnings (each row's Warnings lists its own).`);

      const record = (result: RowResult) => reporter.record('JumpCloudADI.CsvImportResult', { ...result });
      if (invalid.length > 0 && !params.skipInvalidRows && !params.whatIf) {
        for (const plan of invalid) record(invalidResult(plan));
        const lines = invalid.map((p) => p.row.line);
        throw new EngineError(
          'Csv.ValidationFailed',
          `${invalid.length} of ${rows.length} rows are invalid (line${lines.length > 1 ? 's' : ''} ${lines.slice(0, 15).join(', ')}${lines.length > 15 ? ', ...' : ''}); nothing was created. Fix them, or import only the valid rows (-SkipInvalidRows).`,
          { category: 'InvalidData', exitCode: ExitCode.BadRequest, target: params.path, details: { invalidRows: invalid.length, rows: rows.length } },
        );
      }
      if (invalid.length > 0 && params.whatIf) {
        reporter.log(
          'warning',
          `${invalid.length} of ${rows.length} rows are invalid: a real run would create nothing unless told to skip them (-SkipInvalidRows).`,
        );
      }

      const total = plans.length;
      let lastProgress = 0;
      const outcome = await runImport(client, plans, {
        whatIf: params.whatIf,
        concurrency: params.concurrency,
        domainId: domain?.id ?? null,
        signal: ctx.signal,
        onResult: record,
        onLog: (level, message) => reporter.log(level, message),
        onProgress: (done) => {
          const now = Date.now();
          if (done !== total && now - lastProgress < 250) return;
          lastProgress = now;
          progress(`${params.whatIf ? 'Checked' : 'Imported'} ${done} of ${total} rows`, 8 + Math.floor((done / Math.max(1, total)) * 91));
        },
      });
      reporter.progress({ activity: ACTIVITY, status: 'Done', percent: 100, completed: true });

      const seconds = (Date.now() - started) / 1000;
      const summary = {
        Path: params.path,
        WhatIf: params.whatIf,
        Rows: rows.length,
        Created: outcome.counts.Created,
        Exists: outcome.counts.Exists,
        WouldCreate: outcome.counts.WouldCreate,
        Invalid: outcome.counts.Invalid,
        Failed: outcome.counts.Failed,
        Skipped: outcome.counts.Skipped,
        GroupsCreated: outcome.groupsCreated,
        GroupsToCreate: outcome.groupsToCreate,
        MembershipsAdded: outcome.membershipsAdded,
        BoundToDomain: outcome.bound,
        Domain: domain?.domain ?? null,
        Encoding: file.encoding,
        Delimiter: delimiterName(file.delimiter),
        DurationSeconds: Math.round(seconds * 10) / 10,
        RowsPerSecond: Math.round(rows.length / Math.max(seconds, 0.001)),
      };
      reporter.record('JumpCloudADI.CsvImportSummary', summary);
      if (outcome.stoppedBy) throw outcome.stoppedBy;
      const failed = outcome.counts.Failed + outcome.counts.Invalid * (params.whatIf ? 0 : 1);
      if (failed > 0) {
        reporter.error(
          new EngineError(
            'Csv.RowsFailed',
            `${failed} of ${rows.length} rows were not imported (Status Failed or Invalid; each result says why). Rerunning the import is safe: existing users are not created twice.`,
            {
              category: 'InvalidData',
              exitCode: ExitCode.PartialFailure,
              target: params.path,
            },
          ),
          false,
        );
      }
      return {
        exitCode: failed > 0 ? ExitCode.PartialFailure : ExitCode.Ok,
        summary: {
          rows: rows.length,
          created: outcome.counts.Created,
          exists: outcome.counts.Exists,
          invalid: outcome.counts.Invalid,
          failed: outcome.counts.Failed,
        },
      };
    } finally {
      client.close();
    }
  },
});
