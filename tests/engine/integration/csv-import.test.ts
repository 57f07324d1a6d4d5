// csv-import against the JumpCloud sandbox, through the protocol: a table of broken files, each
// with its specific error (or per-row errors) and nothing created; then the files that must work
// (Excel's UTF-16 "Unicode text", quoted line breaks, formula cells), -WhatIf, -SkipInvalidRows,
// an idempotent rerun, domain binding; and no password anywhere in the output or the log.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import { REPO_ROOT } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

interface Line {
  type: string;
  [key: string]: unknown;
}

const HEADER = 'FirstName,LastName,Username,Password,Email';
const PASSWORDS = ['Canary-Pw-0001!', 'Canary-Pw-0002!', 'Canary-Pw-0003!'];
const good = (i: number, extra = '') => `Ann${i},Lee${i},imp.user${i},${PASSWORDS[i % 3]},imp.user${i}@example.com${extra}`;

describe('csv-import: JumpCloud sandbox', () => {
  let sb: TestSandbox;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-csv-import-'));
  const logFile = join(work, 'engine.log');
  const outputs: string[] = [];

  const file = (name: string, content: string | Buffer) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  async function run(path: string, extra: Record<string, unknown> = {}) {
    const out: string[] = [];
    const params = { jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile }, path, ...extra };
    const code = await execRequest(JSON.stringify({ protocol: 1, command: 'csv-import', params, logFile }), { writeLine: (l) => out.push(l) });
    outputs.push(out.join(''));
    const lines = out
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const records = (type: string) => lines.filter((l) => l.type === 'record' && l.recordType === type).map((l) => l.data as Record<string, unknown>);
    return {
      code,
      lines,
      rows: records('JumpCloudADI.CsvImportResult').sort((a, b) => Number(a.Row) - Number(b.Row)),
      summary: records('JumpCloudADI.CsvImportSummary')[0],
      errors: lines.filter((l) => l.type === 'error'),
      warnings: lines.filter((l) => l.type === 'log' && l.level === 'warning').map((l) => String(l.message)),
    };
  }
  const counts = () => ({ users: sb.store.users.size, groups: sb.store.groups.size });

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    sb.store.updatePasswordPolicy({ minLength: 10, needsSymbolic: true });
    await sb.call('POST', '/sandbox/admin/domains', { domain: 'DC=example;DC=com' });
  });
  after(async () => {
    await sb?.close();
    // The files hold the test's passwords: none stays behind.
    rmSync(work, { recursive: true, force: true });
  });

  const brokenFiles: Array<{ name: string; content: () => string | Buffer; fatal: string; message?: RegExp; rowIds?: Array<[number, string]> }> = [
    {
      name: 'a missing column',
      content: () => `FirstName,LastName,Username,Password\nAnn,Lee,ann,${PASSWORDS[0]}\n`,
      fatal: 'Csv.MissingColumn',
      message: /no 'Email' column/,
    },
    {
      name: 'duplicate rows',
      content: () => `${HEADER},Group1\n${good(1, ',Dup')}\n${good(2, ',Dup')}\n${good(1, ',Dup')}\n`,
      fatal: 'Csv.ValidationFailed',
      rowIds: [
        [2, 'Csv.DuplicateUsername'],
        [4, 'Csv.DuplicateUsername'],
      ],
    },
    {
      name: 'Latin-1 bytes (bad UTF-8)',
      content: () => Buffer.from(`${HEADER}\nZo\u00eb,\u00c5ngstr\u00f6m,zoe,${PASSWORDS[0]},zoe@example.com\n`, 'latin1'),
      fatal: 'Csv.Encoding',
      message: /not valid UTF-8: byte 0xEB/,
    },
    {
      name: 'UTF-16 without a byte-order mark',
      content: () => Buffer.from(`${HEADER}\n${good(1)}\n`, 'utf16le'),
      fatal: 'Csv.Encoding',
      message: /UTF-16 without a byte-order mark/,
    },
    { name: '10 MB of junk', content: () => randomBytes(10 * 1024 * 1024), fatal: 'Csv.Encoding' },
    {
      name: 'a quote never closed',
      content: () => `${HEADER}\n${good(1)}\n"Bob,Ray,bob,${PASSWORDS[1]},bob@example.com\n${good(3)}\n`,
      fatal: 'Csv.Malformed',
      message: /line 3 is never closed/,
    },
    {
      name: 'a formula-injection username',
      content: () => `${HEADER}\n${good(1)}\nEve,Hax,"=HYPERLINK(""http://x"")",${PASSWORDS[1]},eve@example.com\n`,
      fatal: 'Csv.ValidationFailed',
      rowIds: [[3, 'Csv.FormulaInIdentifier']],
    },
    {
      name: 'one row per problem: e-mail, last name, long username, policy, field count, group name',
      content: () =>
        [
          `${HEADER},Group1`,
          good(1, ',Staff'),
          `Bo,Ray,bo,${PASSWORDS[0]},bo@localhost,`,
          `Cy,,cy,${PASSWORDS[0]},cy@example.com,`,
          `Di,Wu,abcdefghijklmnopqrstu,${PASSWORDS[0]},di@example.com,`,
          'Ed,Ng,ed,weak,ed@example.com,',
          `Flo,Ma,flo,${PASSWORDS[0]},flo@example.com,Staff,extra`,
          `Gus,Po,gus,${PASSWORDS[0]},gus@example.com,HR/Pay`,
        ].join('\r\n'),
      fatal: 'Csv.ValidationFailed',
      rowIds: [
        [3, 'Csv.InvalidEmail'],
        [4, 'Csv.MissingLastName'],
        [5, 'Csv.InvalidUsername'],
        [6, 'Csv.PasswordPolicy'],
        [7, 'Csv.ColumnCount'],
        [8, 'Csv.InvalidGroupName'],
      ],
    },
  ];

  for (const b of brokenFiles) {
    it(`${b.name}: ${b.fatal}${b.rowIds ? ` with ${b.rowIds.map(([, id]) => id).join(', ')}` : ''}, nothing created`, async () => {
      const before = counts();
      const started = performance.now();
      const { code, errors, rows } = await run(file(`broken-${b.name.replace(/\W+/g, '-')}.csv`, b.content()));
      assert.equal(code, 2);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.id, b.fatal, String(errors[0]?.message));
      assert.equal(errors[0]?.fatal, true);
      if (b.message) assert.match(String(errors[0]?.message), b.message);
      assert.deepEqual(
        rows.map((r) => [r.Row, r.ErrorId]),
        b.rowIds ?? [],
      );
      assert.ok(rows.every((r) => r.Status === 'Invalid' && String(r.Reason).length > 10));
      assert.deepEqual(counts(), before, 'nothing half-created');
      assert.ok(performance.now() - started < 5000);
    });
  }

  it('names the other line of a duplicate, and the fatal error lists the invalid lines', async () => {
    const { rows, errors } = await run(file('dups.csv', `${HEADER}\n${good(1)}\n${good(2)}\n${good(1)}\n`));
    assert.match(String(rows[0]?.Reason), /also appears on line 4/);
    assert.match(String(rows[1]?.Reason), /also appears on line 2/);
    assert.match(String(errors[0]?.message), /2 of 3 rows are invalid \(lines 2, 4\); nothing was created/);
  });

  it('reads 10 MB of junk without holding much more than the file in memory', (t) => {
    const junk = file('junk-memory.bin', randomBytes(10 * 1024 * 1024));
    const script = `
      const { readCsvFile } = require('./engine/src/csv/read.ts');
      const before = process.resourceUsage().maxRSS;
      readCsvFile(${JSON.stringify(junk)}).then(() => process.exit(1), (e) => {
        console.log(JSON.stringify({ id: e.id, grewKiB: process.resourceUsage().maxRSS - before }));
      });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    const result = JSON.parse(child.stdout.trim()) as { id: string; grewKiB: number };
    assert.equal(result.id, 'Csv.Encoding');
    assert.ok(result.grewKiB < 48 * 1024, `peak memory grew by ${result.grewKiB} KiB`);
    t.diagnostic(`10 MB of junk: peak memory grew by ${Math.round(result.grewKiB / 1024)} MiB`);
  });

  it('-WhatIf shows WouldCreate per row and the groups to create, and writes nothing', async () => {
    const { code, rows, summary } = await run(
      file('whatif.csv', `${HEADER},Group1\n${good(1, ',Sales')}\n${good(2, ',Sales')}\nBad,Row,bad user,,bad@example.com,\n`),
      { whatIf: true },
    );
    assert.equal(code, 0);
    assert.deepEqual(
      rows.map((r) => r.Status),
      ['WouldCreate', 'WouldCreate', 'Invalid'],
    );
    assert.deepEqual(summary?.GroupsToCreate, ['Sales']);
    assert.deepEqual(counts(), { users: 0, groups: 0 });
  });

  it("imports Excel's UTF-16 'Unicode text' (TAB-separated): non-ASCII, quoted line breaks, a formula cell neutralised", async () => {
    const tsv = [
      'FirstName\tLastName\tUsername\tPassword\tEmail\tdepartment\tdescription\tGroup1',
      `Zoë\tÅngström\tzoe.angstrom\t${PASSWORDS[0]}\tzoë.ångström@example.com\t"=2+3"\t"first line\r\nsecond, ""quoted"" line"\tNordic`,
      `Björn\tÖberg\tbjorn.oberg\t${PASSWORDS[1]}\tbjorn.oberg@example.com\tR&D\t\tNordic`,
    ].join('\r\n');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv + '\r\n', 'utf16le')]);
    const { code, rows, summary, warnings } = await run(file('unicode.txt', bytes), { bindToDomain: true });
    assert.equal(code, 0, JSON.stringify(rows));
    assert.deepEqual(
      rows.map((r) => r.Status),
      ['Created', 'Created'],
    );
    assert.equal(summary?.Encoding, 'UTF-16 LE');
    assert.equal(summary?.Delimiter, 'TAB');
    assert.deepEqual(summary?.GroupsCreated, ['Nordic']);
    const zoe = sb.store.findUserByName('zoe.angstrom');
    assert.equal(zoe?.firstname, 'Zoë');
    assert.equal(zoe?.lastname, 'Ångström');
    assert.equal(zoe?.email, 'zoë.ångström@example.com');
    assert.equal(zoe?.department, "'=2+3");
    assert.equal(zoe?.description, 'first line\r\nsecond, "quoted" line');
    assert.ok((rows[0]?.Warnings as string[]).some((w) => /department starts with '='/.test(w)));
    assert.ok(warnings.some((w) => /line 2: department starts with '='/.test(w)));
    const domain = sb.store.domainList()[0];
    assert.ok(domain && sb.store.domainBindings(domain.id).users.has(zoe?._id as string), 'bound to the only ADI domain');
    assert.equal(rows[0]?.BoundToDomain, true);
  });

  it('-SkipInvalidRows imports the valid rows, reports the others, exits 1; a rerun creates nothing twice', async () => {
    const path = file('partial.csv', `${HEADER}\n${good(10)}\nNo,Mail,nomail,${PASSWORDS[1]},\n${good(11)}\n`);
    const first = await run(path, { skipInvalidRows: true });
    assert.equal(first.code, 1);
    assert.deepEqual(
      first.rows.map((r) => r.Status),
      ['Created', 'Invalid', 'Created'],
    );
    assert.deepEqual(
      first.errors.map((e) => [e.id, e.fatal]),
      [['Csv.RowsFailed', false]],
    );
    const usersAfterFirst = sb.store.users.size;
    const again = await run(path, { skipInvalidRows: true });
    assert.deepEqual(
      again.rows.map((r) => r.Status),
      ['Exists', 'Invalid', 'Exists'],
    );
    assert.equal(again.rows[0]?.JumpCloudId, first.rows[0]?.JumpCloudId);
    assert.equal(sb.store.users.size, usersAfterFirst, 'no duplicates');
    assert.equal(again.summary?.Created, 0);
  });

  it('refuses a row whose e-mail another JumpCloud user has, fails a row JumpCloud refuses, and goes on', async () => {
    sb.store.createUser({ username: 'someone.else', email: 'taken@example.com' });
    // JumpCloud's own refusal of a password: "Password validation fail", the rule only as a field violation.
    const fault = await sb.call('POST', '/sandbox/admin/faults', {
      kind: 'status',
      status: 400,
      count: 1,
      path: '/api/systemusers',
      method: 'POST',
      message: 'Password validation fail',
      fieldViolations: [{ field: 'password', description: 'specialCharacter' }],
    });
    assert.equal(fault.status, 201);
    const path = file('refused.csv', `${HEADER}\n${good(20)}\nTa,Ken,taken.user,${PASSWORDS[0]},taken@example.com\n${good(21)}\n`);
    const { code, rows } = await run(path, { skipInvalidRows: true, concurrency: 1 });
    assert.equal(code, 1);
    assert.deepEqual(
      rows.map((r) => [r.Status, r.ErrorId]),
      [
        ['Failed', 'JumpCloud.RequestRejected'],
        ['Invalid', 'Csv.EmailTaken'],
        ['Created', null],
      ],
    );
    assert.match(String(rows[0]?.Reason), /Password validation fail/);
    assert.match(String(rows[0]?.Reason), /Field violations: password: specialCharacter/);
    assert.equal(sb.store.findUserByName('imp.user20'), undefined);
  });

  it('never writes a password from the file to the output or the log', () => {
    const everything = outputs.join('\n') + readFileSync(logFile, 'utf8');
    for (const password of PASSWORDS) assert.ok(!everything.includes(password), `${password} leaked`);
    assert.ok(everything.includes('imp.user1'), 'the output was captured');
  });
});
