// The column format of JumpCloud's own PowerShell module (New-JCImportTemplate /
// Import-JCUsersFromCSV): required FirstName, LastName, Username, Password, Email; the optional
// extended columns; Group1..GroupN; Attribute1_name/Attribute1_value... Header names match
// case-insensitively. Pure.
import { badRequest, EngineError, ExitCode } from '../errors';

/** The required columns, in New-JCImportTemplate's order. */
export const REQUIRED_COLUMNS = ['FirstName', 'LastName', 'Username', 'Password', 'Email'] as const;
type RequiredColumn = (typeof REQUIRED_COLUMNS)[number];

type TextTarget = { kind: 'text'; field: string };
type AddressTarget = { kind: 'address'; type: 'work' | 'home'; field: string };
type PhoneTarget = { kind: 'phone'; type: string };
type BoolTarget = { kind: 'boolean'; field: string };
type IntTarget = { kind: 'integer'; field: string };
export type ColumnTarget = TextTarget | AddressTarget | PhoneTarget | BoolTarget | IntTarget;

const text = (field: string): TextTarget => ({ kind: 'text', field });
const address = (type: 'work' | 'home', field: string): AddressTarget => ({ kind: 'address', type, field });

/** Optional columns the import sends to JumpCloud (as New-JCUser maps them). */
const OPTIONAL_COLUMNS: ReadonlyMap<string, ColumnTarget> = new Map<string, ColumnTarget>([
  ['middlename', text('middlename')],
  ['preferredName', text('displayname')],
  ['displayname', text('displayname')],
  ['jobTitle', text('jobTitle')],
  ['employeeIdentifier', text('employeeIdentifier')],
  ['department', text('department')],
  ['costCenter', text('costCenter')],
  ['company', text('company')],
  ['employeeType', text('employeeType')],
  ['description', text('description')],
  ['location', text('location')],
  ['alternateEmail', text('alternateEmail')],
  ['managedAppleId', text('managedAppleId')],
  ['manager', text('manager')],
  ...(['work', 'home'] as const).flatMap((type): Array<[string, ColumnTarget]> => [
    [`${type}_streetAddress`, address(type, 'streetAddress')],
    [`${type}_poBox`, address(type, 'poBox')],
    [`${type}_city`, address(type, 'locality')],
    [`${type}_locality`, address(type, 'locality')],
    [`${type}_state`, address(type, 'region')],
    [`${type}_region`, address(type, 'region')],
    [`${type}_postalCode`, address(type, 'postalCode')],
    [`${type}_country`, address(type, 'country')],
  ]),
  ...['mobile', 'home', 'work', 'work_mobile', 'work_fax'].map((type): [string, ColumnTarget] => [`${type}_number`, { kind: 'phone', type }]),
  ...[
    'account_locked',
    'allow_public_key',
    'enable_managed_uid',
    'externally_managed',
    'ldap_binding_user',
    'passwordless_sudo',
    'sudo',
    'password_never_expires',
  ].map((field): [string, ColumnTarget] => [field, { kind: 'boolean', field }]),
  ...['unix_uid', 'unix_guid'].map((field): [string, ColumnTarget] => [field, { kind: 'integer', field }]),
]);

/** Columns of JumpCloud's format this import does not act on (systems, LDAP servers, MFA): read, reported, ignored. */
const IGNORED_COLUMNS = new Set(
  ['SystemID', 'Administrator', 'ldapserver_id', 'enable_user_portal_multifactor', 'EnrollmentDays', 'external_dn', 'external_source_type'].map((c) =>
    c.toLowerCase(),
  ),
);

/** The optional columns the AD export writes, in this order (those with at least one value). */
export const EXPORT_OPTIONAL_COLUMNS = [
  'middlename',
  'preferredName',
  'jobTitle',
  'employeeIdentifier',
  'department',
  'company',
  'employeeType',
  'description',
  'location',
  'work_streetAddress',
  'work_poBox',
  'work_city',
  'work_state',
  'work_postalCode',
  'work_country',
  'work_number',
  'mobile_number',
  'home_number',
  'work_fax_number',
] as const;
export type ExportOptionalColumn = (typeof EXPORT_OPTIONAL_COLUMNS)[number];

/** Where each known header sits in a file. */
export interface ColumnMap {
  /** Index of each required column. */
  required: Record<RequiredColumn, number>;
  /** Canonical optional column name → index. */
  optional: Array<{ name: string; index: number; target: ColumnTarget }>;
  /** GroupN columns, by N. */
  groups: Array<{ name: string; index: number }>;
  /** AttributeN_name / AttributeN_value pairs, by N (either index may be missing). */
  attributes: Array<{ n: number; nameIndex: number | null; valueIndex: number | null }>;
  /** Headers this format does not know, and known ones this import ignores. */
  unknown: string[];
  ignored: string[];
  /** Columns with an empty header. */
  unnamed: number[];
  width: number;
}

const lowerOptional = new Map([...OPTIONAL_COLUMNS.entries()].map(([name, target]) => [name.toLowerCase(), { name, target }]));
const GROUP = /^group(\d{1,4})$/i;
const ATTRIBUTE = /^attribute(\d{1,4})_(name|value)$/i;

/** Maps a header row to the format, or throws Csv.MissingColumn / Csv.DuplicateColumn naming the columns. */
export function resolveColumns(header: string[]): ColumnMap {
  const seen = new Map<string, number>();
  const required: Partial<Record<RequiredColumn, number>> = {};
  const map: ColumnMap = {
    required: required as Record<RequiredColumn, number>,
    optional: [],
    groups: [],
    attributes: [],
    unknown: [],
    ignored: [],
    unnamed: [],
    width: header.length,
  };
  const attributes = new Map<number, { n: number; nameIndex: number | null; valueIndex: number | null }>();

  header.forEach((raw, index) => {
    const name = raw.trim();
    if (name === '') {
      map.unnamed.push(index);
      return;
    }
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw badRequest(
        'Csv.DuplicateColumn',
        `The header names the column '${name}' twice (columns ${earlier + 1} and ${index + 1}); each column may appear once.`,
        name,
      );
    }
    seen.set(key, index);
    const req = REQUIRED_COLUMNS.find((c) => c.toLowerCase() === key);
    if (req) {
      required[req] = index;
      return;
    }
    const optional = lowerOptional.get(key);
    if (optional) {
      map.optional.push({ name: optional.name, index, target: optional.target });
      return;
    }
    const group = GROUP.exec(name);
    if (group) {
      map.groups.push({ name: `Group${Number(group[1])}`, index });
      return;
    }
    const attribute = ATTRIBUTE.exec(name);
    if (attribute) {
      const n = Number(attribute[1]);
      const pair = attributes.get(n) ?? { n, nameIndex: null, valueIndex: null };
      if ((attribute[2] as string).toLowerCase() === 'name') pair.nameIndex = index;
      else pair.valueIndex = index;
      attributes.set(n, pair);
      return;
    }
    if (IGNORED_COLUMNS.has(key)) map.ignored.push(name);
    else map.unknown.push(name);
  });

  const missing = REQUIRED_COLUMNS.filter((c) => required[c] === undefined);
  if (missing.length > 0) {
    const found = header.map((h) => h.trim()).filter(Boolean);
    throw new EngineError(
      'Csv.MissingColumn',
      `The file has no ${missing.map((c) => `'${c}'`).join(', ')} column${missing.length > 1 ? 's' : ''}. The header must name ${REQUIRED_COLUMNS.join(', ')} (any case, any order); it names: ${found.length > 0 ? found.slice(0, 20).join(', ') + (found.length > 20 ? ', ...' : '') : '(nothing)'}.`,
      { category: 'InvalidData', exitCode: ExitCode.BadRequest, target: missing.join(','), details: { missing } },
    );
  }
  map.groups.sort((a, b) => Number(a.name.slice(5)) - Number(b.name.slice(5)));
  map.attributes = [...attributes.values()].sort((a, b) => a.n - b.n);
  return map;
}

/** The known column names, lower case: the delimiter guess prefers the candidate that finds most of them. */
export function isKnownColumn(name: string): boolean {
  const key = name.trim().replace(/^"|"$/g, '').toLowerCase();
  return REQUIRED_COLUMNS.some((c) => c.toLowerCase() === key) || lowerOptional.has(key) || GROUP.test(key) || ATTRIBUTE.test(key) || IGNORED_COLUMNS.has(key);
}
