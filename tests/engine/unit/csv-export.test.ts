// The AD → CSV side, pure parts: the search filter (escaped values, checked raw filters), which
// accounts are skipped and why, the table (columns, groups, neutralised cells), and the writer,
// whose output the reader reads back unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry } from 'ldapts';
import type { EngineError } from '../../../engine/src/errors';
import { escapeFilterValue } from '../../../engine/src/ad/escape';
import { buildExportTable, buildUserFilter, checkRawFilter, classifyEntry, type ExportedUser } from '../../../engine/src/csv/export';
import { parseCsvText } from '../../../engine/src/csv/read';
import { formatCsvField, formatCsvLine, needsNeutralising } from '../../../engine/src/csv/write';

const entry = (dn: string, values: Record<string, string | string[]>): Entry => ({ dn, ...values }) as unknown as Entry;
const options = { includeProtected: false, excludeDisabled: false };

describe('export filter', () => {
  it('escapes attribute values (RFC 4515), so wildcards and parentheses match literally', () => {
    assert.equal(buildUserFilter({ attributeFilter: { department: 'R&D (EU) *' } }), '(&(objectClass=user)(department=R&D \\28EU\\29 \\2a))');
    assert.equal(buildUserFilter({ attributeFilter: { company: 'Zoë (EU)' } }), `(&(objectClass=user)(company=${escapeFilterValue('Zoë (EU)')}))`);
    assert.equal(buildUserFilter({}), '(objectClass=user)');
  });

  it('uses a raw filter as given once it parses, wrapping a bare term', () => {
    assert.equal(buildUserFilter({ ldapFilter: '(|(department=Sales*)(title=*manager*))' }), '(&(objectClass=user)(|(department=Sales*)(title=*manager*)))');
    assert.equal(checkRawFilter('department=Sales'), '(department=Sales)');
    assert.equal(checkRawFilter('(cn=a\\28b\\29)'), '(cn=a\\28b\\29)');
  });

  for (const bad of ['(&(a=b)', '(a=b))', '(a=b)(c=d)', '((a=b)', '(=x)']) {
    it(`refuses the malformed raw filter ${bad}`, () => {
      assert.throws(
        () => checkRawFilter(bad),
        (e: EngineError) => e.id === 'Csv.InvalidFilter' && e.exitCode === 2,
      );
    });
  }

  it('refuses an attribute name that is not one', () => {
    assert.throws(
      () => buildUserFilter({ attributeFilter: { 'cn)(x': 'y' } }),
      (e: EngineError) => e.id === 'Csv.InvalidFilter',
    );
  });
});

describe('export accounts', () => {
  const user = (extra: Record<string, string | string[]> = {}) =>
    entry('CN=ann,OU=x,DC=example,DC=com', {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: 'ann',
      givenName: 'Ann',
      sn: 'Lee',
      mail: 'ann@example.com',
      userAccountControl: '512',
      ...extra,
    });

  it('skips computers always, protected and built-in accounts unless asked, disabled ones when asked', () => {
    assert.deepEqual(classifyEntry(user({ objectClass: ['top', 'person', 'user', 'computer'] }), { includeProtected: true, excludeDisabled: false }), {
      skip: 'computer',
    });
    assert.deepEqual(classifyEntry(user({ adminCount: '1' }), options), { skip: 'protected' });
    assert.deepEqual(classifyEntry(user({ isCriticalSystemObject: 'TRUE' }), options), { skip: 'builtIn' });
    assert.ok('user' in classifyEntry(user({ adminCount: '1' }), { includeProtected: true, excludeDisabled: false }));
    assert.deepEqual(classifyEntry(user({ userAccountControl: '514' }), { includeProtected: false, excludeDisabled: true }), { skip: 'disabled' });
    const disabled = classifyEntry(user({ userAccountControl: '514' }), options);
    assert.ok('user' in disabled && disabled.user.disabled);
    assert.deepEqual(classifyEntry(user({ sAMAccountName: '-cmd' }), options), { skip: 'formulaIdentifier' });
  });

  it('maps AD attributes to the columns, Password always empty', () => {
    const result = classifyEntry(
      user({ title: 'Engineer', l: 'Bern', telephoneNumber: '+41 31 000 00 00', memberOf: ['CN=Sales,DC=example,DC=com'] }),
      options,
    );
    assert.ok('user' in result);
    assert.equal(result.user.values.Password, '');
    assert.equal(result.user.values.jobTitle, 'Engineer');
    assert.equal(result.user.values.work_city, 'Bern');
    assert.equal(result.user.values.work_number, '+41 31 000 00 00');
    assert.deepEqual(result.user.groupDns, ['CN=Sales,DC=example,DC=com']);
  });

  it('builds the table: required columns, optional ones with a value, Group1..N, formula cells neutralised', () => {
    const u = (name: string, values: Record<string, string>, groupDns: string[] = []): ExportedUser => ({
      dn: `CN=${name}`,
      values: { FirstName: 'F', LastName: 'L', Username: name, Password: '', Email: `${name}@example.com`, ...values },
      groupDns,
      disabled: false,
    });
    const groups = new Map<string, string | null>([
      ['CN=Sales', 'Sales'],
      ['CN=HR', 'HR'],
      ['CN=Print Operators', null],
    ]);
    const table = buildExportTable(
      [
        u('ann', { department: '=cmd|x', work_number: '+1 555 0100' }, ['CN=Sales', 'CN=HR', 'CN=Print Operators']),
        u('bob', { FirstName: '@Bob' }, ['CN=Sales']),
      ],
      groups,
    );
    assert.deepEqual(table.columns, ['FirstName', 'LastName', 'Username', 'Password', 'Email', 'department', 'work_number', 'Group1', 'Group2']);
    assert.deepEqual(table.rows[0], ['F', 'L', 'ann', '', 'ann@example.com', "'=cmd|x", '+1 555 0100', 'HR', 'Sales']);
    assert.deepEqual(table.rows[1], ["'@Bob", 'L', 'bob', '', 'bob@example.com', '', '', 'Sales', '']);
    assert.equal(table.neutralised, 2);
    assert.equal(buildExportTable([u('cy', {}, ['CN=Sales'])], null).groupColumns, 0, 'no group columns unless asked');
  });
});

describe('csv writer', () => {
  it('quotes only what needs quoting and doubles inner quotes', () => {
    assert.equal(formatCsvField('plain'), 'plain');
    assert.equal(formatCsvField('Lee, Jr'), '"Lee, Jr"');
    assert.equal(formatCsvField('say "hi"'), '"say ""hi"""');
    assert.equal(formatCsvField('two\nlines'), '"two\nlines"');
    assert.equal(formatCsvField(' padded '), '" padded "');
    assert.equal(formatCsvLine(['a', '', 'b;c'], ';'), 'a;;"b;c"\r\n');
  });

  it('neutralises = + - @ TAB CR, but not a phone number in a *_number column', () => {
    for (const v of ['=1', '+1', '-1', '@x', '\tx', '\rx']) assert.ok(needsNeutralising(v, 'department'), JSON.stringify(v));
    assert.ok(!needsNeutralising('+41 31 000 00 00', 'mobile_number'));
    assert.ok(needsNeutralising('+cmd|x', 'mobile_number'));
    assert.ok(!needsNeutralising('Ann', 'FirstName'));
  });

  it('writes what the reader reads back unchanged, non-ASCII and line breaks included', () => {
    const rows = [
      ['FirstName', 'LastName', 'Username', 'Password', 'Email', 'description'],
      ['Zoë', 'Ångström', 'zoe', '', 'zoë@example.com', 'line 1\r\nline "2", more'],
      ['Ann', 'Lee, Jr', 'ann', 'p"w,d', 'ann@example.com', ''],
    ];
    const text = rows.map((r) => formatCsvLine(r)).join('');
    const parsed = parseCsvText(text, 'UTF-8');
    assert.deepEqual([parsed.header, ...parsed.records.map((r) => r.cells)], rows);
  });
});
