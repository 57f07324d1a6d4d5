// Reading CSV files: encodings (UTF-8 ± BOM, UTF-16 LE/BE, Windows-1252 on request), delimiters,
// quoting, line numbers, limits, and junk that must fail fast with a specific error.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineError } from '../../../engine/src/errors';
import { resolveColumns } from '../../../engine/src/csv/columns';
import { decodeCsvBytes, firstInvalidUtf8 } from '../../../engine/src/csv/encoding';
import { DEFAULT_LIMITS, guessDelimiter, parseCsvText, readCsvFile } from '../../../engine/src/csv/read';

const HEADER = 'FirstName,LastName,Username,Password,Email';
const dir = mkdtempSync(join(tmpdir(), 'jcadi-csv-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

async function asyncErrorOf(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

const parse = (text: string, delimiter: 'auto' | 'comma' | 'semicolon' | 'tab' = 'auto') => parseCsvText(text, 'UTF-8', delimiter);

describe('csv encoding', () => {
  const text = `${HEADER}\r\nZoë,Ångström,zoe,,zoe@example.com\r\n`;

  const cases: Array<{ name: string; bytes: Buffer; encoding: string }> = [
    { name: 'UTF-8 without BOM', bytes: Buffer.from(text, 'utf8'), encoding: 'UTF-8' },
    { name: 'UTF-8 with BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), encoding: 'UTF-8 with BOM' },
    { name: 'UTF-16 LE with BOM', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), encoding: 'UTF-16 LE' },
    { name: 'UTF-16 BE with BOM', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), encoding: 'UTF-16 BE' },
  ];
  for (const c of cases) {
    it(`reads ${c.name} with non-ASCII intact and the BOM removed`, () => {
      const decoded = decodeCsvBytes(c.bytes);
      assert.equal(decoded.encoding, c.encoding);
      assert.equal(decoded.text, text);
    });
  }

  it('refuses invalid UTF-8 naming the byte, offset and line, and suggesting Windows1252', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\nZo`, 'utf8'), Buffer.from([0xeb]), Buffer.from(',x,zoe,,z@example.com\n', 'utf8')]);
    const err = errorOf(() => decodeCsvBytes(bytes));
    assert.equal(err.id, 'Csv.Encoding');
    assert.match(err.message, /byte 0xEB at offset 45 \(line 2\)/);
    assert.match(err.message, /Windows1252/);
    assert.equal(decodeCsvBytes(bytes, 'windows1252').text.split('\n')[1]?.slice(0, 3), 'Zoë');
  });

  it('recognises UTF-16 without a byte-order mark and binary files', () => {
    assert.match(errorOf(() => decodeCsvBytes(Buffer.from(text, 'utf16le'))).message, /UTF-16 without a byte-order mark/);
    const binary = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(3), Buffer.from('xl/workbook.xml'.repeat(20))]);
    const err = errorOf(() => decodeCsvBytes(binary));
    assert.equal(err.id, 'Csv.Encoding');
    assert.match(err.message, /not text: it holds a NUL byte at offset 4/);
  });

  it('refuses an encoding that contradicts the byte-order mark, and cut UTF-16', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.match(errorOf(() => decodeCsvBytes(utf16, 'utf8')).message, /UTF-16 LE byte-order mark, but the encoding utf8/);
    assert.match(errorOf(() => decodeCsvBytes(utf16.subarray(0, utf16.length - 1))).message, /odd number of bytes/);
  });

  it('finds the first invalid UTF-8 byte: overlong, surrogate, beyond U+10FFFF, cut short', () => {
    assert.equal(firstInvalidUtf8(Buffer.from('ok é 😀', 'utf8')), -1);
    assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80])), 1);
    assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0x42, 0xed, 0xa0, 0x80])), 2);
    assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0);
    assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0xe2, 0x82])), 1);
  });
});

describe('csv parsing', () => {
  it('reads quoted commas, quotes and line breaks, CRLF and LF mixed, with the line each row starts on', () => {
    const text = `${HEADER},description\r\n"Lee, Ann","O""Brien",ann,,ann@example.com,"two\r\nlines"\n\nBob,Ray,bob,,bob@example.com,"a\nb\nc"\r\n,,,,,\r\nCy,Wu,cy,,cy@example.com,x`;
    const parsed = parse(text);
    assert.equal(parsed.delimiter, ',');
    assert.deepEqual(
      parsed.records.map((r) => [r.line, r.cells[0], r.cells[1], r.cells[5]]),
      [
        [2, 'Lee, Ann', "O'Brien".replace("'", '"'), 'two\r\nlines'],
        [5, 'Bob', 'Ray', 'a\nb\nc'],
        [9, 'Cy', 'Wu', 'x'],
      ],
    );
    assert.equal(parsed.blankLines, 2, 'the empty line and the line of bare delimiters');
  });

  it('guesses comma, semicolon and TAB from the header', () => {
    assert.equal(guessDelimiter(`${HEADER}\nA,B,c,,d@e.fr`), ',');
    assert.equal(guessDelimiter(`${HEADER.replace(/,/g, ';')}\nA;B, Jr;c;;d@e.fr`), ';');
    assert.equal(guessDelimiter(`${HEADER.replace(/,/g, '\t')}\nLee, Ann\tB\tc\t\td@e.fr`), '\t');
    const parsed = parse(`${HEADER.replace(/,/g, '\t')}\r\nLee, Ann\tB\tc\t\td@e.fr\r\n`);
    assert.deepEqual(parsed.records[0]?.cells, ['Lee, Ann', 'B', 'c', '', 'd@e.fr']);
    assert.deepEqual(parse('FirstName;LastName,Username\nA;B,c', 'semicolon').header, ['FirstName', 'LastName,Username'], 'an explicit delimiter wins');
  });

  const broken: Array<{ name: string; text: string; id: string; message: RegExp }> = [
    { name: 'an empty file', text: ' \r\n ', id: 'Csv.Empty', message: /empty/ },
    { name: 'a quote never closed', text: `${HEADER}\nA,B,c,,"d@e.fr\nE,F,g,,h@i.jp\n`, id: 'Csv.Malformed', message: /starts near line 2 is never closed/ },
    { name: 'a stray quote', text: `${HEADER}\nA,B "x",c,,d@e.fr\n`, id: 'Csv.Malformed', message: /Line 2 has a stray double quote/ },
    {
      name: 'a record of junk beyond the size limit',
      text: `${HEADER}\n${'x'.repeat(DEFAULT_LIMITS.maxRecordChars + 10)}`,
      id: 'Csv.Malformed',
      message: /longer than 65536 characters/,
    },
    { name: 'too many columns', text: `${Array.from({ length: 600 }, (_, i) => `c${i}`).join(',')}\n`, id: 'Csv.TooManyColumns', message: /600 columns/ },
  ];
  for (const b of broken) {
    it(`fails on ${b.name} with ${b.id}`, () => {
      const err = errorOf(() => parse(b.text));
      assert.equal(err.id, b.id);
      assert.match(err.message, b.message);
      assert.equal(err.exitCode, 2);
    });
  }

  it('stops at the row limit', () => {
    const text = `${HEADER}\n${Array.from({ length: 11 }, (_, i) => `A,B,u${i},,u${i}@e.fr`).join('\n')}`;
    const err = errorOf(() => parseCsvText(text, 'UTF-8', 'auto', { ...DEFAULT_LIMITS, maxRows: 10 }));
    assert.equal(err.id, 'Csv.TooManyRows');
  });

  it('checks the header before reading any row', () => {
    let rowsSeen = 0;
    const text = `Name;Mail\n${'x;y\n'.repeat(50_000)}`;
    const err = errorOf(() =>
      parseCsvText(text, 'UTF-8', 'auto', DEFAULT_LIMITS, (header) => {
        rowsSeen++;
        resolveColumns(header);
      }),
    );
    assert.equal(err.id, 'Csv.MissingColumn');
    assert.equal(rowsSeen, 1);
  });
});

describe('csv files', () => {
  it('names a missing file', async () => {
    const err = await asyncErrorOf(readCsvFile(join(dir, 'nope.csv')));
    assert.equal(err.id, 'Csv.FileNotFound');
  });

  it('refuses a file over the size limit before reading it', async () => {
    const file = join(dir, 'big.csv');
    writeFileSync(file, Buffer.alloc(4096, 0x61));
    const err = await asyncErrorOf(readCsvFile(file, 'auto', 'auto', { ...DEFAULT_LIMITS, maxFileBytes: 1024 }));
    assert.equal(err.id, 'Csv.FileTooLarge');
  });

  for (const junk of [
    { name: 'random bytes', bytes: () => randomBytes(10 * 1024 * 1024), id: 'Csv.Encoding' },
    { name: 'printable junk without line breaks', bytes: () => Buffer.alloc(10 * 1024 * 1024, 'abc;def,ghi\t'), id: 'Csv.Malformed' },
    { name: 'printable junk with line breaks', bytes: () => Buffer.from('lorem,ipsum;dolor\tsit\n'.repeat(480_000)), id: 'Csv.MissingColumn' },
  ]) {
    it(`fails on 10 MB of ${junk.name} with ${junk.id} in under 1.5 s`, async () => {
      const file = join(dir, `junk-${junk.id}.csv`);
      writeFileSync(file, junk.bytes());
      const started = performance.now();
      const err = await asyncErrorOf(readCsvFile(file, 'auto', 'auto', DEFAULT_LIMITS, (h) => void resolveColumns(h)));
      const ms = performance.now() - started;
      assert.equal(err.id, junk.id, err.message);
      assert.ok(ms < 1500, `took ${Math.round(ms)} ms`);
    });
  }
});
