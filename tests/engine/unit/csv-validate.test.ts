// Validation of import rows: the header (any case, missing columns named), one specific problem id
// per broken value, duplicates naming both lines, the password policy as a pure function,
// formula-like cells neutralised with a warning, and the password never echoed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../../engine/src/errors';
import { resolveColumns } from '../../../engine/src/csv/columns';
import { passwordPolicyProblems, policyMinLength } from '../../../engine/src/csv/policy';
import { parseCsvText } from '../../../engine/src/csv/read';
import { validateRows, type ValidatedRow } from '../../../engine/src/csv/validate';
import type { PasswordPolicy } from '../../../engine/src/jumpcloud/schemas';

const POLICY: PasswordPolicy = {
  minLength: 10,
  enableMinLength: true,
  needsLowercase: true,
  needsUppercase: true,
  needsNumeric: true,
  needsSymbolic: true,
  allowUsernameSubstring: false,
};
const GOOD_PASSWORD = 'Fine-Passw0rd!';

function validate(csv: string, options: { requirePassword?: boolean; policy?: PasswordPolicy } = {}): ValidatedRow[] {
  const parsed = parseCsvText(csv, 'UTF-8');
  return validateRows(parsed.records, resolveColumns(parsed.header), { policy: options.policy ?? POLICY, requirePassword: options.requirePassword ?? false });
}

const HEADER = 'FirstName,LastName,Username,Password,Email';
const row = (fields: Partial<Record<'first' | 'last' | 'user' | 'password' | 'email', string>>) =>
  [fields.first ?? 'Ann', fields.last ?? 'Lee', fields.user ?? 'ann.lee', fields.password ?? GOOD_PASSWORD, fields.email ?? 'ann.lee@example.com']
    .map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v))
    .join(',');

describe('csv header', () => {
  it('matches the columns in any case and order', () => {
    const map = resolveColumns([
      'email',
      'PASSWORD',
      'username',
      'lastname',
      'firstName',
      'Department',
      'group2',
      'Group1',
      'attribute1_VALUE',
      'Attribute1_name',
      'SystemID',
      'Nickname',
      '',
    ]);
    assert.deepEqual(map.required, { Email: 0, Password: 1, Username: 2, LastName: 3, FirstName: 4 });
    assert.deepEqual(
      map.optional.map((o) => o.name),
      ['department'],
    );
    assert.deepEqual(
      map.groups.map((g) => g.name),
      ['Group1', 'Group2'],
    );
    assert.deepEqual(map.attributes, [{ n: 1, nameIndex: 9, valueIndex: 8 }]);
    assert.deepEqual(map.ignored, ['SystemID']);
    assert.deepEqual(map.unknown, ['Nickname']);
    assert.deepEqual(map.unnamed, [12]);
  });

  it('names every missing required column', () => {
    let err: unknown;
    try {
      resolveColumns(['First Name', 'LastName', 'Username', 'Mail']);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EngineError);
    assert.equal(err.id, 'Csv.MissingColumn');
    assert.match(err.message, /no 'FirstName', 'Password', 'Email' columns/);
    assert.match(err.message, /it names: First Name, LastName, Username, Mail/);
    assert.deepEqual(err.details.missing, ['FirstName', 'Password', 'Email']);
  });

  it('refuses a column named twice', () => {
    assert.throws(
      () => resolveColumns([...HEADER.split(','), 'email']),
      (e: EngineError) => e.id === 'Csv.DuplicateColumn' && /columns 5 and 6/.test(e.message),
    );
  });
});

describe('csv row validation', () => {
  const cases: Array<{ name: string; line: string; ids: string[]; column?: string; message?: RegExp; requirePassword?: boolean }> = [
    { name: 'a complete row', line: row({}), ids: [] },
    { name: 'an empty password (allowed by default)', line: row({ password: '' }), ids: [] },
    { name: 'an empty password when one is required', line: row({ password: '' }), ids: ['Csv.MissingPassword'], requirePassword: true },
    { name: 'no first name', line: row({ first: '' }), ids: ['Csv.MissingFirstName'], column: 'FirstName' },
    { name: 'no last name', line: row({ last: ' ' }), ids: ['Csv.MissingLastName'], column: 'LastName' },
    { name: 'no username', line: row({ user: '' }), ids: ['Csv.MissingUsername'] },
    { name: 'no e-mail', line: row({ email: '' }), ids: ['Csv.MissingEmail'] },
    {
      name: 'an e-mail without a domain',
      line: row({ email: 'ann@localhost' }),
      ids: ['Csv.InvalidEmail'],
      message: /'ann@localhost' is not an e-mail address/,
    },
    { name: 'an e-mail with a space', line: row({ email: 'ann lee@example.com' }), ids: ['Csv.InvalidEmail'] },
    {
      name: 'a username of 21 characters',
      line: row({ user: 'abcdefghijklmnopqrstu' }),
      ids: ['Csv.InvalidUsername'],
      message: /21 characters long; AD allows at most 20/,
    },
    { name: 'a username with a character AD forbids', line: row({ user: 'ann/lee' }), ids: ['Csv.InvalidUsername'], message: /contains '\/'/ },
    { name: 'a username ending in a period', line: row({ user: 'ann.' }), ids: ['Csv.InvalidUsername'] },
    { name: 'a username with a space', line: row({ user: 'ann lee' }), ids: ['Csv.InvalidUsername'], message: /space/ },
    { name: 'a username that is a formula', line: row({ user: '-2+3' }), ids: ['Csv.FormulaInIdentifier'], column: 'Username' },
    { name: 'an e-mail that is a formula', line: row({ email: '@SUM(A1)@x.com' }), ids: ['Csv.FormulaInIdentifier'] },
    { name: 'a first name over 64 characters', line: row({ first: 'A'.repeat(65) }), ids: ['Csv.ValueTooLong'] },
    { name: 'a short password', line: row({ password: 'Sh0rt!' }), ids: ['Csv.PasswordPolicy'], message: /6 characters; the policy asks for at least 10/ },
    { name: 'a password without a symbol', line: row({ password: 'NoSymbols123' }), ids: ['Csv.PasswordPolicy'], message: /needs a symbol/ },
    { name: 'a password containing the username', line: row({ password: 'X-ann.lee-9z' }), ids: ['Csv.PasswordPolicy'], message: /contains the username/ },
  ];
  for (const c of cases) {
    it(`${c.ids.length === 0 ? 'accepts' : 'flags'} ${c.name}${c.ids.length ? ` (${c.ids.join(', ')})` : ''}`, () => {
      const [result] = validate(`${HEADER}\n${c.line}\n`, { requirePassword: c.requirePassword });
      assert.deepEqual(
        result?.problems.map((p) => p.id),
        c.ids,
        JSON.stringify(result?.problems),
      );
      if (c.column) assert.equal(result?.problems[0]?.column, c.column);
      if (c.message) assert.match(result?.problems[0]?.message ?? '', c.message);
    });
  }

  it('flags both rows of a duplicate username or e-mail, ignoring case, naming the other line', () => {
    const rows = validate(
      `${HEADER}\n${row({ user: 'ann', email: 'a1@example.com' })}\n${row({ user: 'bob', email: 'B@example.com' })}\n${row({ user: 'ANN', email: 'a3@example.com' })}\n${row({ user: 'cy', email: 'b@EXAMPLE.com' })}\n`,
    );
    assert.deepEqual(
      rows.map((r) => r.problems.map((p) => `${p.id}:${p.message.match(/lines? ([\d, ]+)/)?.[1]?.trim()}`)),
      [['Csv.DuplicateUsername:4'], ['Csv.DuplicateEmail:5'], ['Csv.DuplicateUsername:2'], ['Csv.DuplicateEmail:3']],
    );
  });

  it('flags a row with too many or too few fields', () => {
    const rows = validate(`${HEADER}\nAnn,Lee,ann,,ann@example.com,extra\nBob,Ray,bob,bob@example.com\n`);
    assert.deepEqual(
      rows.map((r) => r.problems[0]?.id),
      ['Csv.ColumnCount', 'Csv.ColumnCount'],
    );
    assert.match(rows[0]?.problems[0]?.message ?? '', /6 fields but the header has 5/);
  });

  it('checks typed and paired optional columns and maps them like New-JCUser', () => {
    const csv = `${HEADER},sudo,unix_uid,work_city,work_state,mobile_number,Attribute1_name,Attribute1_value,Attribute2_name,Attribute2_value,preferredName\n${row({})},yes,1001,Bern,BE,+41 31 000 00 00,costCode,42,,,Annie\n${row({ user: 'b', email: 'b@example.com' })},maybe,-1,,,,,,,,\n`;
    const [good, bad] = validate(csv);
    assert.deepEqual(good?.problems, []);
    assert.deepEqual(good?.user, {
      username: 'ann.lee',
      email: 'ann.lee@example.com',
      firstname: 'Ann',
      lastname: 'Lee',
      sudo: true,
      unix_uid: 1001,
      addresses: [{ type: 'work', locality: 'Bern', region: 'BE' }],
      phoneNumbers: [{ type: 'mobile', number: '+41 31 000 00 00' }],
      displayname: 'Annie',
      attributes: [{ name: 'costCode', value: '42' }],
    });
    assert.deepEqual(good?.warnings, [], 'a phone number may start with +');
    assert.deepEqual(
      bad?.problems.map((p) => `${p.id}:${p.column}`),
      ['Csv.InvalidValue:sudo', 'Csv.InvalidValue:unix_uid'],
    );
    const [orphan] = validate(`${HEADER},Attribute1_name,Attribute1_value\n${row({})},costCode,\n`);
    assert.deepEqual(
      orphan?.problems.map((p) => `${p.id}:${p.column}`),
      ['Csv.AttributeIncomplete:Attribute1_value'],
    );
  });

  it('neutralises formula-like cells with a warning, except passwords', () => {
    const csv = `${HEADER},department,Group1\n"=1+1","@Lee",ann,"=Passw0rd!x",ann@example.com,"+cmd|' /C calc'!A0",Sales\n`;
    const [result] = validate(csv);
    assert.deepEqual(result?.problems, []);
    assert.equal(result?.user.firstname, "'=1+1");
    assert.equal(result?.user.lastname, "'@Lee");
    assert.equal(result?.user.department, "'+cmd|' /C calc'!A0");
    assert.equal(result?.password, '=Passw0rd!x', 'a password is a secret, not a cell anyone displays: kept as typed');
    assert.deepEqual(
      result?.warnings.map((w) => `${w.id}:${w.column}`),
      ['Csv.FormulaNeutralised:FirstName', 'Csv.FormulaNeutralised:LastName', 'Csv.FormulaNeutralised:department'],
    );
    assert.deepEqual(result?.groups, ['Sales']);
  });

  it('flags group names AD could not hold, and lists each group once', () => {
    const [result] = validate(`${HEADER},Group1,Group2,Group3,Group4\n${row({})},Sales,sales,HR/Payroll,\n`);
    assert.deepEqual(result?.groups, ['Sales']);
    assert.deepEqual(
      result?.problems.map((p) => `${p.id}:${p.column}`),
      ['Csv.InvalidGroupName:Group3'],
    );
  });

  it('keeps non-ASCII names and e-mails intact', () => {
    const [result] = validate(`${HEADER}\n${row({ first: 'Zoë', last: 'Ångström', user: 'zoe', email: 'zoë.ångström@exämple.com' })}\n`);
    assert.deepEqual(result?.problems, []);
    assert.equal(result?.user.firstname, 'Zoë');
    assert.equal(result?.user.lastname, 'Ångström');
    assert.equal(result?.email, 'zoë.ångström@exämple.com');
  });

  it('never puts the password into a problem, a warning or the user payload', () => {
    const secrets = ['Sh0rt!', 'x-ann.lee-1', 'NoSymbols123', 'Very-Long-Canary-Passw0rd-' + 'x'.repeat(240)];
    const rows = validate(
      `${HEADER},department\n${secrets.map((p, i) => `${row({ user: `u${i}`, email: `u${i}@example.com`, password: p })},"=x"`).join('\n')}\n`,
    );
    for (const [i, r] of rows.entries()) {
      assert.ok(r.problems.length > 0);
      const text = JSON.stringify({ problems: r.problems, warnings: r.warnings, user: r.user });
      assert.ok(!text.includes(secrets[i] as string), text);
      assert.equal(r.password, secrets[i]);
    }
  });
});

describe('password policy', () => {
  const table: Array<{ policy: PasswordPolicy; password: string; username?: string; problems: RegExp[] }> = [
    { policy: {}, password: 'a', problems: [] },
    { policy: { minLength: 8 }, password: 'abcdefg', problems: [/at least 8/] },
    { policy: { minLength: 8, enableMinLength: false }, password: 'abc', problems: [] },
    { policy: { needsLowercase: true, needsUppercase: true }, password: 'ÅNGSTRÖM', problems: [/lowercase/] },
    { policy: { needsUppercase: true }, password: 'ångström', problems: [/uppercase/] },
    { policy: { needsNumeric: true }, password: 'Abcdef', problems: [/digit/] },
    { policy: { needsSymbolic: true }, password: 'Abc123', problems: [/symbol/] },
    { policy: { needsSymbolic: true }, password: 'Abc 123', problems: [] },
    { policy: { allowUsernameSubstring: false }, password: 'xxZOExx', username: 'zoe', problems: [/username/] },
    { policy: { allowUsernameSubstring: true }, password: 'xxZOExx', username: 'zoe', problems: [] },
    { policy: { disallowSequentialOrRepetitiveChars: true }, password: 'Pass-aaa-1', problems: [/repeated or sequential/] },
    { policy: { disallowSequentialOrRepetitiveChars: true }, password: 'Pass-xyz-1', problems: [/repeated or sequential/] },
    { policy: { disallowSequentialOrRepetitiveChars: true }, password: 'Pass-321-q', problems: [/repeated or sequential/] },
    { policy: { disallowSequentialOrRepetitiveChars: true }, password: 'Pa-s1-q9-z', problems: [] },
  ];
  for (const [i, t] of table.entries()) {
    it(`case ${i + 1}: ${JSON.stringify(t.policy)} → ${t.problems.length} problem(s)`, () => {
      const problems = passwordPolicyProblems(t.password, t.policy, t.username ?? 'someone');
      assert.equal(problems.length, t.problems.length, problems.join('; '));
      t.problems.forEach((re, k) => assert.match(problems[k] ?? '', re));
      assert.ok(
        problems.every((p) => !p.includes(t.password)),
        'the problem never quotes the password',
      );
    });
  }

  it('counts characters, not UTF-16 units', () => {
    assert.deepEqual(passwordPolicyProblems('😀😀😀😀', { minLength: 4 }, 'x'), []);
    assert.equal(policyMinLength({ minLength: 0 }), null);
  });
});
