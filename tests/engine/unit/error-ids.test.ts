// The error-id catalogue (engine/src/error-ids.ts) is the one list of ids: the engine throws no
// other (EngineError's constructor is typed with it, and this source scan catches ids that reach
// records, warnings and helpers as strings), and engine/PROTOCOL.md names exactly these ids.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_IDS, isErrorId } from '../../../engine/src/error-ids';
import { ExitCode } from '../../../engine/src/errors';
import { REPO_ROOT } from '../helpers/testdc';

const SOURCE = join(REPO_ROOT, 'engine/src');
const catalogued = new Set(Object.keys(ERROR_IDS));
const prefixes = new Set([...catalogued].map((id) => id.split('.')[0]));
const ID = /^([A-Z][A-Za-z0-9]*)\.([A-Z][A-Za-z0-9]*)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every quoted `Prefix.Name` of a catalogued prefix in engine/src, except prerequisite item names (`Item: '...'`) and prefixes (`startsWith('...')`). */
function idsInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(SOURCE)) {
    if (file.endsWith('error-ids.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(Item:\s*|startsWith\()?(['`])([A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*)\2/g)) {
      const id = match[3]!;
      if (match[1] || !prefixes.has(id.split('.')[0]!)) continue;
      found.set(id, [...(found.get(id) ?? []), relative(REPO_ROOT, file)]);
    }
  }
  return found;
}

/** The backquoted ids of PROTOCOL.md's "Error ids" section. */
function idsInProtocol(): Set<string> {
  const text = readFileSync(join(REPO_ROOT, 'engine/PROTOCOL.md'), 'utf8');
  const section = text.slice(text.indexOf('## Error ids'), text.indexOf('\n## ', text.indexOf('## Error ids') + 1));
  assert.ok(section.length > 100, 'PROTOCOL.md has an "## Error ids" section');
  // Record type names (JumpCloudADI.CsvImportResult) are not error ids.
  return new Set([...section.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((token) => ID.test(token) && !token.startsWith('JumpCloudADI.')));
}

describe('the error-id catalogue', () => {
  it('lists well-formed ids with an exit code, a category and a meaning that fit their kind', () => {
    const exitCodes = new Set<number>(Object.values(ExitCode));
    assert.ok(catalogued.size > 100, `expected the whole catalogue, got ${catalogued.size}`);
    for (const [id, entry] of Object.entries(ERROR_IDS)) {
      assert.match(id, ID, id);
      assert.ok(entry.meaning.length > 10 && entry.meaning.endsWith('.'), `${id}: a meaning, one sentence`);
      if (entry.kind === 'fatal') {
        assert.ok(entry.exit !== null && exitCodes.has(entry.exit) && (entry.exit as number) !== ExitCode.Ok, `${id}: a fatal id needs a failure exit code`);
        assert.ok(entry.category !== null, `${id}: a fatal id needs a category`);
      } else {
        assert.equal(entry.exit, null, `${id}: a ${entry.kind} id never ends a command`);
      }
    }
  });

  it('holds every id the engine source uses (throws, rule tables, records, warnings)', () => {
    const found = idsInSource();
    // The scan must see the ids it guards (a scan that finds nothing would pass).
    for (const id of ['Request.Empty', 'AD.Busy', 'Csv.FormulaNeutralised', 'Password.Protected', 'JumpCloud.SchemaMismatch']) {
      assert.ok(found.has(id), `the scan finds ${id}`);
    }
    const missing = [...found].filter(([id]) => !catalogued.has(id)).map(([id, files]) => `${id} (${[...new Set(files)].join(', ')})`);
    assert.deepEqual(missing, [], 'ids used in engine/src but missing from engine/src/error-ids.ts');
  });

  it('is exactly the list in engine/PROTOCOL.md, both ways', () => {
    const documented = idsInProtocol();
    assert.deepEqual([...catalogued].filter((id) => !documented.has(id)).sort(), [], 'catalogued ids missing from PROTOCOL.md');
    assert.deepEqual([...documented].filter((id) => !catalogued.has(id)).sort(), [], 'PROTOCOL.md ids missing from the catalogue');
  });

  it("matches PROTOCOL.md's exit-code table to ExitCode", () => {
    const text = readFileSync(join(REPO_ROOT, 'engine/PROTOCOL.md'), 'utf8');
    const table = text.slice(text.indexOf('## Exit codes'), text.indexOf('## Error ids'));
    const codes = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      codes.sort((a, b) => a - b),
      [...new Set(Object.values(ExitCode))].sort((a, b) => a - b),
    );
  });

  it('tells catalogued ids from others', () => {
    assert.equal(isErrorId('AD.Busy'), true);
    assert.equal(isErrorId('AD.Nonsense'), false);
    assert.equal(isErrorId('toString'), false);
  });
});
