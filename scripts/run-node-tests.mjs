#!/usr/bin/env node
// Runs the engine's node:test suites (TypeScript through tsx): `unit`, `integration`, or both.
// Usage: node scripts/run-node-tests.mjs [unit|integration|all] [--filter TEXT]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const suite = args.find((a) => !a.startsWith('--')) ?? 'all';
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;
const suites = suite === 'all' ? ['unit', 'integration'] : [suite];

function find(dir) {
  let found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found = found.concat(find(path));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = suites
  .flatMap((s) => find(join(root, 'tests/engine', s)))
  .filter((f) => !filter || f.includes(filter))
  .sort()
  .map((f) => relative(root, f));
if (files.length === 0) {
  console.error(`no test files for suite '${suite}'${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}
// The one skip policy of the suites that need the test DC (also tests/pester/Helpers/TestSkip.ps1):
// without it they fail, under CI (CI=true) always; they are skipped, with the reason printed, only
// when asked explicitly with JCADI_ALLOW_NO_DC=1 outside CI.
const needsDc = files.filter((f) => !f.startsWith('tests/engine/unit/'));
const dcFile = join(process.env.JCADI_TESTDC_DIR ?? join(root, 'build', 'testdc'), 'connection.json');
if (needsDc.length > 0 && !existsSync(dcFile)) {
  const ci = process.env.CI === 'true';
  if (process.env.JCADI_ALLOW_NO_DC === '1' && !ci) {
    console.log(
      `SKIPPED ${needsDc.length} test files that need the test DC: ${dcFile} is missing (JCADI_ALLOW_NO_DC=1). Start it with 'npm run testdc:start'.`,
    );
    files.splice(0, files.length, ...files.filter((f) => !needsDc.includes(f)));
    if (files.length === 0) {
      console.log(`ℹ skipped ${needsDc.length}`);
      process.exit(0);
    }
  } else {
    console.error(
      `The test DC is missing (${dcFile}): ${needsDc.length} test files need it. Start it with 'npm run testdc:start'${ci ? '' : ', or set JCADI_ALLOW_NO_DC=1 to skip them'}.`,
    );
    process.exit(1);
  }
}
// One file at a time keeps the single test DC free of cross-file interference.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
