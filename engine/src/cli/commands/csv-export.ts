// csv-export: read users from AD (under a root container, or matching a filter) and write them as
// a CSV file in the import format: UTF-8 with BOM, CRLF, formula-like cells neutralised, Password
// empty (AD never reveals passwords). Read-only on AD; the file is written whole or not at all.
import { linkSync, renameSync, unlinkSync } from 'node:fs';
import * as z from 'zod';
import { parseAdiDN } from '../../ad/rootdn';
import { AdSession } from '../../ad/session';
import { dcSchema } from '../../config/request';
import { buildExportTable, buildUserFilter, readUsersForExport, resolveGroupNames, type SkipReason } from '../../csv/export';
import { formatCsvLine, UTF8_BOM } from '../../csv/write';
import { defineCommand } from '../command';
import { badRequest, EngineError, ExitCode } from '../../errors';
import { atomicTempName, writeExclusiveSync } from '../../util/files';

const ACTIVITY = 'Exporting AD users to CSV';
const NAMES_IN_LOG = 50;

const csvExportParamsSchema = z
  .strictObject({
    dc: dcSchema,
    /** Root User DN in ADI form (CN=Users;DC=example;DC=com): users anywhere below it. */
    rootUserDN: z.string().min(1).max(4096).optional(),
    /** A raw LDAP filter, used as given (ANDed with objectClass=user). */
    ldapFilter: z.string().min(1).max(8192).optional(),
    /** attribute → exact value, escaped by the engine. */
    attributeFilter: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an LDAP attribute name'), z.string().max(1024)).optional(),
    /** Absolute path of the CSV file to write. */
    path: z.string().min(1).max(4096),
    includeGroups: z.boolean().default(false),
    includeProtected: z.boolean().default(false),
    excludeDisabled: z.boolean().default(false),
    /** Refuse to replace an existing file. */
    noClobber: z.boolean().default(false),
  })
  .refine((p) => p.rootUserDN !== undefined || p.ldapFilter !== undefined || (p.attributeFilter !== undefined && Object.keys(p.attributeFilter).length > 0), {
    message: 'name the users to export: rootUserDN, ldapFilter or attributeFilter',
    path: ['rootUserDN'],
  });

const SKIP_TEXT: Record<SkipReason, string> = {
  computer: 'computer accounts (never exported)',
  protected: 'protected accounts (adminCount=1; -IncludeProtected exports them)',
  builtIn: 'built-in accounts (isCriticalSystemObject; -IncludeProtected exports them)',
  disabled: 'disabled accounts (-ExcludeDisabled)',
  formulaIdentifier: 'accounts whose username or e-mail starts with = + - @ (spreadsheets would run it as a formula; rename them in AD or add them by hand)',
};

/** Writes the whole text to a temporary file beside the target, then moves it into place. */
function writeAtomically(path: string, text: string, noClobber: boolean): void {
  const tmp = atomicTempName(path);
  try {
    writeExclusiveSync(tmp, text, 0o666);
    if (noClobber) {
      // link() fails when the target exists: no window in which another file could be replaced.
      linkSync(tmp, path);
      unlinkSync(tmp);
    } else {
      renameSync(tmp, path);
    }
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already moved or never written.
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && noClobber) {
      throw new EngineError('Csv.OutputExists', `The file '${path}' exists and replacing it was not allowed (-NoClobber).`, {
        category: 'ResourceExists',
        exitCode: ExitCode.BadRequest,
        target: path,
      });
    }
    throw new EngineError('Csv.WriteFailed', `Cannot write '${path}' (${code ?? (err as Error).message}).`, {
      category: 'WriteError',
      exitCode: ExitCode.BadRequest,
      target: path,
    });
  }
}

export const csvExportCommand = defineCommand({
  name: 'csv-export',
  description: 'Export AD users to a CSV file in the JumpCloud import format.',
  params: csvExportParamsSchema,
  async run(params, { reporter }) {
    const started = Date.now();
    const root = params.rootUserDN === undefined ? null : parseAdiDN(params.rootUserDN, 'root');
    if (root && (!root.isValid || !root.ldapDN))
      throw badRequest('RootDN.Invalid', `The Root User DN '${params.rootUserDN}' is not valid: ${root.problems.join(' ')}`, params.rootUserDN ?? null);
    const filter = buildUserFilter({ ldapFilter: params.ldapFilter, attributeFilter: params.attributeFilter });

    reporter.progress({ activity: ACTIVITY, status: `Connecting to ${params.dc.host}`, percent: 2 });
    const session = await AdSession.open(params.dc);
    try {
      const dse = await session.rootDse();
      const baseDN = root?.ldapDN ?? dse.defaultNamingContext;
      if (root?.ldapDN && (await session.readObject(root.ldapDN, ['distinguishedName'])) === null) {
        throw new EngineError('RootDN.NotFound', `The root container ${root.ldapDN} does not exist, or ${params.dc.bindDN} cannot see it.`, {
          category: 'ObjectNotFound',
          exitCode: ExitCode.BadRequest,
          target: root.ldapDN,
        });
      }
      reporter.log('verbose', `Reading users under ${baseDN} with the filter ${filter}.`);
      const read = await readUsersForExport(
        session,
        { baseDN, filter, includeGroups: params.includeGroups, includeProtected: params.includeProtected, excludeDisabled: params.excludeDisabled },
        (seen) => reporter.progress({ activity: ACTIVITY, status: `Read ${seen} accounts`, percent: 10 }),
      );
      let groupNames = null;
      if (params.includeGroups) {
        reporter.progress({ activity: ACTIVITY, status: 'Reading group names', percent: 60 });
        groupNames = await resolveGroupNames(
          session,
          read.users.flatMap((u) => u.groupDns),
          dse.defaultNamingContext,
        );
        const left = [...groupNames.entries()].filter(([, name]) => name === null).map(([dn]) => dn);
        if (left.length > 0) reporter.log('verbose', `Groups left out of the group columns (built-in or protected): ${left.join('; ')}.`);
      }
      const table = buildExportTable(read.users, groupNames);

      for (const reason of Object.keys(read.skipped) as SkipReason[]) {
        const names = read.skipped[reason];
        if (names.length === 0) continue;
        reporter.log(reason === 'formulaIdentifier' ? 'warning' : 'info', `Skipped ${names.length} ${SKIP_TEXT[reason]}.`);
        reporter.log(
          'verbose',
          `Skipped ${reason}: ${names.slice(0, NAMES_IN_LOG).join(', ')}${names.length > NAMES_IN_LOG ? `, ... (${names.length - NAMES_IN_LOG} more)` : ''}.`,
        );
      }
      const withoutEmail = read.users.filter((u) => (u.values.Email ?? '') === '').map((u) => u.values.Username as string);
      const withoutName = read.users
        .filter((u) => (u.values.FirstName ?? '') === '' || (u.values.LastName ?? '') === '')
        .map((u) => u.values.Username as string);
      if (withoutEmail.length > 0)
        reporter.log(
          'warning',
          `${withoutEmail.length} users have no e-mail address in AD (${withoutEmail.slice(0, 10).join(', ')}${withoutEmail.length > 10 ? ', ...' : ''}): the import refuses those rows until one is filled in.`,
        );
      if (withoutName.length > 0)
        reporter.log(
          'warning',
          `${withoutName.length} users lack a first or last name in AD (${withoutName.slice(0, 10).join(', ')}${withoutName.length > 10 ? ', ...' : ''}): the import refuses those rows until both are filled in.`,
        );
      if (table.neutralised > 0)
        reporter.log(
          'warning',
          `${table.neutralised} cells started with = + - @ and were written with a leading apostrophe so spreadsheets show them as text.`,
        );
      reporter.log(
        'warning',
        'The Password column is empty: AD never reveals passwords. Fill it in before importing, or leave it empty: those users then set a password when they activate their JumpCloud account.',
      );

      reporter.progress({ activity: ACTIVITY, status: `Writing ${params.path}`, percent: 90 });
      const text = UTF8_BOM + formatCsvLine(table.columns) + table.rows.map((r) => formatCsvLine(r)).join('');
      writeAtomically(params.path, text, params.noClobber);
      reporter.progress({ activity: ACTIVITY, status: 'Done', percent: 100, completed: true });

      const result = {
        Path: params.path,
        Users: table.rows.length,
        Columns: table.columns,
        GroupColumns: table.groupColumns,
        Disabled: read.users.filter((u) => u.disabled).length,
        SkippedComputers: read.skipped.computer.length,
        SkippedProtected: read.skipped.protected.length + read.skipped.builtIn.length,
        SkippedDisabled: read.skipped.disabled.length,
        SkippedFormulaNames: read.skipped.formulaIdentifier.length,
        WithoutEmail: withoutEmail.length,
        NeutralisedCells: table.neutralised,
        Encoding: 'UTF-8 with BOM',
        PasswordColumn: 'empty: AD does not reveal passwords',
        SearchBase: baseDN,
        Filter: filter,
        DurationSeconds: Math.round((Date.now() - started) / 100) / 10,
      };
      reporter.record('JumpCloudADI.CsvExportResult', result);
      return { exitCode: ExitCode.Ok, summary: { users: table.rows.length, skipped: Object.values(read.skipped).reduce((n, l) => n + l.length, 0) } };
    } finally {
      await session.close();
    }
  },
});
