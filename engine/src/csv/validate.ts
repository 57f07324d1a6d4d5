// Validation of a whole import file before anything is created: every row is checked with a zod
// schema (required values, e-mail form, usernames AD can hold, lengths AD can hold, the
// JumpCloud password policy, typed optional columns, formula-like cells), then duplicates inside
// the file are found. Pure. The password stays in ValidatedRow.password and nowhere else: no
// problem text, warning or user payload carries it.
import * as z from 'zod';
import type { NewSystemUser } from '../jumpcloud/client';
import type { PasswordPolicy } from '../jumpcloud/schemas';
import { accountNameProblem, MAX_CN, MAX_GROUP_SAM, MAX_USER_SAM } from '../ad/names';
import type { ColumnMap, ColumnTarget } from './columns';
import { passwordPolicyProblems } from './policy';
import type { CsvRecord } from './read';
import { isFormulaLike, needsNeutralising, neutralise } from './write';

export interface RowProblem {
  /** Stable id, e.g. Csv.DuplicateUsername. */
  id: string;
  column: string | null;
  message: string;
}

export interface ValidatedRow {
  line: number;
  username: string;
  email: string;
  /** What POST /systemusers receives, without the password. */
  user: NewSystemUser;
  /** The row's password ('' when the cell is empty). Secret: never logged, never in a record. */
  password: string;
  groups: string[];
  problems: RowProblem[];
  warnings: RowProblem[];
}

export interface RowRules {
  policy: PasswordPolicy;
  /** An empty Password cell is a problem (default: allowed; the user then sets one when activating the account). */
  requirePassword: boolean;
}

/** AD schema upper bounds for what the sync writes (givenName and sn: 64; mail: 256). */
const MAX_NAME = 64;
const MAX_EMAIL = 256;
const MAX_PASSWORD = 256;
const MAX_TEXT = 1024;

/** local@domain.tld: no spaces or quotes in the local part, a dotted domain with a top-level name of letters. Unicode allowed. */
const EMAIL = /^(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\]\\]{1,64}(?<!\.)@(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}$/u;
const BOOLEAN_VALUES: Record<string, boolean> = { true: true, $true: true, '1': true, yes: true, false: false, $false: false, '0': false, no: false };

type Issue = { id: string; column: string | null; message: string };

/** The row as canonical column name → trimmed cell (Password untrimmed). */
type RowValues = Record<string, string>;

/** zod schema of one row: the core fields are strings; every rule reports an issue with a stable id. */
function rowSchema(rules: RowRules, optional: ColumnMap['optional']) {
  return z
    .object({ FirstName: z.string(), LastName: z.string(), Username: z.string(), Email: z.string(), Password: z.string() })
    .loose()
    .superRefine((row, ctx) => {
      const add = (id: string, column: string | null, message: string) =>
        ctx.addIssue({ code: 'custom', path: column ? [column] : [], message, params: { id } });
      const required: Array<[keyof typeof row & string, string]> = [
        ['FirstName', 'Csv.MissingFirstName'],
        ['LastName', 'Csv.MissingLastName'],
        ['Username', 'Csv.MissingUsername'],
        ['Email', 'Csv.MissingEmail'],
      ];
      for (const [column, id] of required) {
        if (row[column] === '') add(id, column, `${column} is empty; AD sync needs it`);
      }
      for (const column of ['FirstName', 'LastName'] as const) {
        if ([...row[column]].length > MAX_NAME)
          add('Csv.ValueTooLong', column, `${column} has ${[...row[column]].length} characters; AD holds at most ${MAX_NAME}`);
      }
      if (row.Username !== '') {
        if (isFormulaLike(row.Username))
          add(
            'Csv.FormulaInIdentifier',
            'Username',
            `the username starts with '${row.Username[0] === '\t' ? 'TAB' : row.Username[0]}', which spreadsheets run as a formula; an identifier cannot be neutralised without changing it`,
          );
        else {
          const problem =
            accountNameProblem(row.Username, MAX_USER_SAM, 'username') ??
            (/\s/.test(row.Username) ? `the username '${row.Username}' contains a space, which JumpCloud does not allow` : null);
          if (problem) add('Csv.InvalidUsername', 'Username', `${problem}; AD could not hold it later`);
        }
      }
      if (row.Email !== '') {
        if (isFormulaLike(row.Email)) add('Csv.FormulaInIdentifier', 'Email', 'the e-mail starts with a character spreadsheets run as a formula');
        else if ([...row.Email].length > MAX_EMAIL)
          add('Csv.ValueTooLong', 'Email', `the e-mail has ${[...row.Email].length} characters; AD holds at most ${MAX_EMAIL}`);
        else if (!z.email({ pattern: EMAIL }).safeParse(row.Email).success)
          add('Csv.InvalidEmail', 'Email', `'${row.Email}' is not an e-mail address (name@domain.tld)`);
      }
      if (row.Password === '') {
        if (rules.requirePassword) add('Csv.MissingPassword', 'Password', 'Password is empty and a password is required for every row');
      } else if ([...row.Password].length > MAX_PASSWORD) {
        add('Csv.ValueTooLong', 'Password', `the password is longer than ${MAX_PASSWORD} characters, more than AD accepts`);
      } else {
        const problems = passwordPolicyProblems(row.Password, rules.policy, row.Username);
        if (problems.length > 0)
          add('Csv.PasswordPolicy', 'Password', `the password does not meet the JumpCloud organization's password policy: ${problems.join('; ')}`);
      }
      for (const { name, target } of optional) {
        const value = typeof row[name] === 'string' ? row[name] : '';
        if (value === '') continue;
        if (target.kind === 'boolean' && !(value.toLowerCase() in BOOLEAN_VALUES))
          add('Csv.InvalidValue', name, `${name} must be true or false, not '${value}'`);
        if (target.kind === 'integer' && !/^\d{1,10}$/.test(value)) add('Csv.InvalidValue', name, `${name} must be a whole number, not '${value}'`);
        if ([...value].length > MAX_TEXT) add('Csv.ValueTooLong', name, `${name} has ${[...value].length} characters; at most ${MAX_TEXT} are accepted`);
      }
    });
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    id: String((i as { params?: { id?: unknown } }).params?.id ?? 'Csv.InvalidValue'),
    column: i.path.length > 0 ? String(i.path[0]) : null,
    message: i.message,
  }));
}

function setPath(target: Record<string, unknown>, t: ColumnTarget, value: string): void {
  switch (t.kind) {
    case 'text':
      target[t.field] = value;
      break;
    case 'boolean':
      target[t.field] = BOOLEAN_VALUES[value.toLowerCase()];
      break;
    case 'integer':
      target[t.field] = Number(value);
      break;
    case 'address': {
      const addresses = (target.addresses ??= []) as Array<Record<string, string>>;
      let entry = addresses.find((a) => a.type === t.type);
      if (!entry) addresses.push((entry = { type: t.type }));
      entry[t.field] = value;
      break;
    }
    case 'phone':
      ((target.phoneNumbers ??= []) as Array<Record<string, string>>).push({ type: t.type, number: value });
      break;
  }
}

/** Validates every record; duplicates are found across the whole file. */
export function validateRows(records: CsvRecord[], columns: ColumnMap, rules: RowRules): ValidatedRow[] {
  const schema = rowSchema(rules, columns.optional);
  const rows: ValidatedRow[] = records.map((record) => {
    const cell = (index: number) => record.cells[index] ?? '';
    const problems: Issue[] = [];
    const warnings: Issue[] = [];
    if (record.cells.length !== columns.width) {
      const extra = record.cells.slice(columns.width).some((c) => c.trim() !== '');
      if (record.cells.length < columns.width || extra) {
        problems.push({
          id: 'Csv.ColumnCount',
          column: null,
          message: `the row has ${record.cells.length} fields but the header has ${columns.width}: a delimiter is missing or there is one too many (quote every field that contains the delimiter)`,
        });
      }
    }
    /** A text cell, trimmed, neutralised when formula-like (with a warning). */
    const textCell = (name: string, index: number): string => {
      const value = cell(index).trim();
      if (!needsNeutralising(value, name)) return value;
      warnings.push({
        id: 'Csv.FormulaNeutralised',
        column: name,
        message: `${name} starts with '${value[0]}', which spreadsheets run as a formula; it is stored with a leading apostrophe so it stays text`,
      });
      return neutralise(value);
    };
    const values: RowValues = {
      FirstName: textCell('FirstName', columns.required.FirstName),
      LastName: textCell('LastName', columns.required.LastName),
      Username: cell(columns.required.Username).trim(),
      Email: cell(columns.required.Email).trim(),
      Password: cell(columns.required.Password),
    };
    for (const { name, index, target } of columns.optional)
      values[name] = target.kind === 'text' || target.kind === 'address' ? textCell(name, index) : cell(index).trim();
    const parsed = schema.safeParse(values);
    if (!parsed.success) problems.push(...issuesOf(parsed.error));

    const groups: string[] = [];
    for (const { name, index } of columns.groups) {
      const group = textCell(name, index);
      if (group === '') continue;
      const problem = accountNameProblem(group, Math.min(MAX_GROUP_SAM, MAX_CN), 'group name');
      if (problem) problems.push({ id: 'Csv.InvalidGroupName', column: name, message: `${problem}; AD could not hold the group later` });
      else if (!groups.some((g) => g.toLowerCase() === group.toLowerCase())) groups.push(group);
    }

    const user: NewSystemUser = { username: values.Username as string, email: values.Email as string, firstname: values.FirstName, lastname: values.LastName };
    for (const { name, target } of columns.optional) if (values[name]) setPath(user, target, values[name] as string);
    const attributes: Array<{ name: string; value: string }> = [];
    for (const pair of columns.attributes) {
      const name = pair.nameIndex === null ? '' : textCell(`Attribute${pair.n}_name`, pair.nameIndex);
      const value = pair.valueIndex === null ? '' : textCell(`Attribute${pair.n}_value`, pair.valueIndex);
      if (name === '' && value === '') continue;
      if (name === '' || value === '') {
        problems.push({
          id: 'Csv.AttributeIncomplete',
          column: `Attribute${pair.n}_${name === '' ? 'name' : 'value'}`,
          message: `Attribute${pair.n} has a ${name === '' ? 'value but no name' : 'name but no value'}; custom attributes need both`,
        });
      } else attributes.push({ name, value });
    }
    if (attributes.length > 0) user.attributes = attributes;

    return { line: record.line, username: user.username, email: user.email, user, password: values.Password as string, groups, problems, warnings };
  });

  markDuplicates(rows, (r) => r.username, 'Csv.DuplicateUsername', 'username', 'Username');
  markDuplicates(rows, (r) => r.email, 'Csv.DuplicateEmail', 'e-mail', 'Email');
  return rows;
}

/** Case-insensitive duplicates: every row involved names the others' lines. */
function markDuplicates(rows: ValidatedRow[], key: (r: ValidatedRow) => string, id: string, what: string, column: string): void {
  const byKey = new Map<string, ValidatedRow[]>();
  for (const row of rows) {
    const k = key(row).toLowerCase();
    if (k === '') continue;
    const list = byKey.get(k);
    if (list) list.push(row);
    else byKey.set(k, [row]);
  }
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    for (const row of list) {
      const others = list.filter((o) => o !== row).map((o) => o.line);
      row.problems.push({
        id,
        column,
        message: `the ${what} '${key(row)}' also appears on line${others.length > 1 ? 's' : ''} ${others.join(', ')} (${what}s must be unique, ignoring case)`,
      });
    }
  }
}
