// AD → CSV: users under a root container (or matching a filter) read page by page, mapped to the
// import format's columns. Computer accounts are always skipped; protected (adminCount=1) and
// built-in (isCriticalSystemObject) accounts unless asked for; every skip is counted and named.
// AD never reveals passwords: the Password column is written empty.
import type { Entry } from 'ldapts';
import { FilterParser } from 'ldapts';
import { badRequest } from '../errors';
import { escapeFilterValue } from '../ad/escape';
import { type AdSession } from '../ad/session';
import { allStrings, attributeValue, textAttribute } from '../ad/entry';
import { EXPORT_OPTIONAL_COLUMNS, REQUIRED_COLUMNS, type ExportOptionalColumn } from './columns';
import { isFormulaLike, needsNeutralising, neutralise } from './write';
import { isDisabled, uacOf } from '../ad/uac';

const PAGE_SIZE = 500;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** AD attribute behind each optional export column. */
const AD_ATTRIBUTE_OF: Record<ExportOptionalColumn, string> = {
  middlename: 'middleName',
  preferredName: 'displayName',
  jobTitle: 'title',
  employeeIdentifier: 'employeeID',
  department: 'department',
  company: 'company',
  employeeType: 'employeeType',
  description: 'description',
  location: 'physicalDeliveryOfficeName',
  work_streetAddress: 'streetAddress',
  work_poBox: 'postOfficeBox',
  work_city: 'l',
  work_state: 'st',
  work_postalCode: 'postalCode',
  work_country: 'c',
  work_number: 'telephoneNumber',
  mobile_number: 'mobile',
  home_number: 'homePhone',
  work_fax_number: 'facsimileTelephoneNumber',
};

export interface ExportFilter {
  /** A raw LDAP filter, ANDed with (objectClass=user); checked for syntax, used as given. */
  ldapFilter?: string;
  /** attribute → exact value; values are escaped (RFC 4515), so * ( ) \ match literally. */
  attributeFilter?: Record<string, string>;
}

/** Checks a raw filter: balanced parentheses (values must escape theirs as \28 \29) and parseable. */
export function checkRawFilter(filter: string): string {
  const trimmed = filter.trim();
  const wrapped = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
  let depth = 0;
  for (let i = 0; i < wrapped.length; i++) {
    const ch = wrapped[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) break;
    }
    if (depth === 0 && i < wrapped.length - 1) {
      depth = -1;
      break;
    }
  }
  if (depth !== 0)
    throw badRequest(
      'Csv.InvalidFilter',
      `The LDAP filter '${filter}' is not well formed: its parentheses do not balance (write a literal parenthesis in a value as \\28 or \\29).`,
      filter,
    );
  try {
    FilterParser.parseString(wrapped);
  } catch (err) {
    throw badRequest('Csv.InvalidFilter', `The LDAP filter '${filter}' is not valid: ${(err as Error).message}.`, filter);
  }
  return wrapped;
}

/** The search filter: every user object (computers are subclasses of user and are counted, then skipped) AND the caller's terms. */
export function buildUserFilter(filter: ExportFilter): string {
  const terms = ['(objectClass=user)'];
  if (filter.ldapFilter !== undefined) terms.push(checkRawFilter(filter.ldapFilter));
  for (const [attribute, value] of Object.entries(filter.attributeFilter ?? {})) {
    if (!ATTRIBUTE_NAME.test(attribute)) throw badRequest('Csv.InvalidFilter', `'${attribute}' is not an LDAP attribute name.`, attribute);
    terms.push(`(${attribute}=${escapeFilterValue(value)})`);
  }
  return terms.length === 1 ? (terms[0] as string) : `(&${terms.join('')})`;
}

export type SkipReason = 'computer' | 'protected' | 'builtIn' | 'disabled' | 'formulaIdentifier';

export interface ExportedUser {
  dn: string;
  values: Record<string, string>;
  groupDns: string[];
  disabled: boolean;
}

export interface ExportRead {
  users: ExportedUser[];
  skipped: Record<SkipReason, string[]>;
}

export interface ExportReadOptions {
  baseDN: string;
  filter: string;
  includeGroups: boolean;
  includeProtected: boolean;
  excludeDisabled: boolean;
}

/** One user entry → its skip reason, or its column values (pure). */
export function classifyEntry(
  entry: Entry,
  options: Pick<ExportReadOptions, 'includeProtected' | 'excludeDisabled'>,
): { skip: SkipReason } | { user: ExportedUser } {
  const classes = allStrings(attributeValue(entry, 'objectClass')).map((c) => c.toLowerCase());
  if (classes.includes('computer')) return { skip: 'computer' };
  if (!options.includeProtected && textAttribute(entry, 'adminCount') === '1') return { skip: 'protected' };
  if (!options.includeProtected && textAttribute(entry, 'isCriticalSystemObject').toUpperCase() === 'TRUE') return { skip: 'builtIn' };
  const disabled = isDisabled(uacOf(entry));
  if (disabled && options.excludeDisabled) return { skip: 'disabled' };
  const values: Record<string, string> = {
    FirstName: textAttribute(entry, 'givenName'),
    LastName: textAttribute(entry, 'sn'),
    Username: textAttribute(entry, 'sAMAccountName'),
    Password: '',
    Email: textAttribute(entry, 'mail'),
  };
  // An identifier that starts like a formula cannot be written safely, nor neutralised without changing it.
  if (isFormulaLike(values.Username as string) || isFormulaLike(values.Email as string)) return { skip: 'formulaIdentifier' };
  for (const column of EXPORT_OPTIONAL_COLUMNS) values[column] = textAttribute(entry, AD_ATTRIBUTE_OF[column]);
  return { user: { dn: entry.dn, values, groupDns: allStrings(attributeValue(entry, 'memberOf')), disabled } };
}

const EXPORT_READ_ATTRIBUTES = [
  'objectClass',
  'sAMAccountName',
  'givenName',
  'sn',
  'mail',
  'userAccountControl',
  'adminCount',
  'isCriticalSystemObject',
  ...Object.values(AD_ATTRIBUTE_OF),
];

export async function readUsersForExport(session: AdSession, options: ExportReadOptions, onPage?: (seen: number) => void): Promise<ExportRead> {
  const read: ExportRead = { users: [], skipped: { computer: [], protected: [], builtIn: [], disabled: [], formulaIdentifier: [] } };
  const attributes = options.includeGroups ? [...EXPORT_READ_ATTRIBUTES, 'memberOf'] : EXPORT_READ_ATTRIBUTES;
  let seen = 0;
  for await (const page of session.searchPaged(options.baseDN, { scope: 'sub', filter: options.filter, attributes }, PAGE_SIZE)) {
    for (const entry of page) {
      const result = classifyEntry(entry, options);
      if ('skip' in result) read.skipped[result.skip].push(textAttribute(entry, 'sAMAccountName') || entry.dn);
      else read.users.push(result.user);
    }
    seen += page.length;
    onPage?.(seen);
  }
  read.users.sort((a, b) => (a.values.Username as string).localeCompare(b.values.Username as string));
  return read;
}

/** Group DN → its name (sAMAccountName), or null for groups the export leaves out (Builtin, protected, gone). */
export async function resolveGroupNames(session: AdSession, dns: string[], domainDN: string, concurrency = 4): Promise<Map<string, string | null>> {
  const names = new Map<string, string | null>();
  const builtin = `cn=builtin,${domainDN}`.toLowerCase();
  const todo = [...new Set(dns)];
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const dn = todo[next++] as string;
      if (dn.toLowerCase().endsWith(builtin)) {
        names.set(dn, null);
        continue;
      }
      const entry = await session.readObject(dn, ['sAMAccountName', 'adminCount']);
      const name = textAttribute(entry, 'sAMAccountName');
      names.set(dn, entry && name !== '' && textAttribute(entry, 'adminCount') !== '1' ? name : null);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, todo.length)) }, lane));
  return names;
}

export interface ExportTable {
  columns: string[];
  rows: string[][];
  groupColumns: number;
  neutralised: number;
}

/** The CSV table: required columns, optional ones that hold a value, Group1..N; formula-like cells neutralised (pure). */
export function buildExportTable(users: ExportedUser[], groupNames: Map<string, string | null> | null): ExportTable {
  const optional = EXPORT_OPTIONAL_COLUMNS.filter((c) => users.some((u) => (u.values[c] ?? '') !== ''));
  const groupsOf = (u: ExportedUser) =>
    groupNames
      ? [...new Set(u.groupDns.map((dn) => groupNames.get(dn) ?? null).filter((n): n is string => n !== null))].sort((a, b) => a.localeCompare(b))
      : [];
  const groupColumns = Math.max(0, ...users.map((u) => groupsOf(u).length));
  const columns = [...REQUIRED_COLUMNS, ...optional, ...Array.from({ length: groupColumns }, (_, i) => `Group${i + 1}`)];
  let neutralised = 0;
  const cell = (value: string, column: string) => {
    if (!needsNeutralising(value, column)) return value;
    neutralised++;
    return neutralise(value);
  };
  const rows = users.map((u) => {
    const groups = groupsOf(u);
    return [
      ...REQUIRED_COLUMNS.map((c) => (c === 'Username' || c === 'Email' || c === 'Password' ? (u.values[c] ?? '') : cell(u.values[c] ?? '', c))),
      ...optional.map((c) => cell(u.values[c] ?? '', c)),
      ...Array.from({ length: groupColumns }, (_, i) => cell(groups[i] ?? '', `Group${i + 1}`)),
    ];
  });
  return { columns, rows, groupColumns, neutralised };
}
