#!/usr/bin/env node
// Benchmark: the engine executable's cold start next to `node -e 0`, measured in the same run,
// interleaved so machine load affects both alike. Prints figures; passes or fails nothing.
// Usage: node scripts/bench-startup.mjs [--runs N] [--json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './bench-stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = join(root, 'build', 'jcadi-engine');
if (!existsSync(engine)) execFileSync(process.execPath, [join(root, 'scripts/build-engine.mjs'), '--quiet'], { stdio: 'inherit' });
const jsonAt = process.argv.indexOf('--json');
const jsonFile = jsonAt >= 0 ? process.argv[jsonAt + 1] : undefined;
const runsAt = process.argv.indexOf('--runs');
const runs = Number(runsAt >= 0 ? process.argv[runsAt + 1] : (process.env.BENCH_RUNS ?? 15));
const versionRequest = JSON.stringify({ protocol: 1, command: 'version', logFile: '/dev/null' });
// A command with real params but no network: validation, the Root DN parser, one record.
const rootDnRequest = JSON.stringify({
  protocol: 1,
  command: 'test-rootdn',
  params: { rootUserDN: 'OU=Corporate Users;DC=example;DC=com', domain: 'DC=example;DC=com' },
  logFile: '/dev/null',
});

function time(cmd, args, input) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const samples = { node: [], version: [], request: [], rootdn: [] };
for (let i = 0; i < runs; i++) {
  samples.node.push(time(process.execPath, ['-e', '0']));
  samples.version.push(time(engine, ['--version']));
  samples.request.push(time(engine, ['exec'], versionRequest));
  samples.rootdn.push(time(engine, ['exec'], rootDnRequest));
}
const base = median(samples.node);
console.log(`engine cold start, median of ${runs} interleaved runs`);
console.log('| what | median ms | vs node -e 0 |');
console.log('| --- | ---: | ---: |');
for (const [name, label] of [
  ['node', 'node -e 0'],
  ['version', 'jcadi-engine --version'],
  ['request', 'jcadi-engine exec (version request)'],
  ['rootdn', 'jcadi-engine exec (test-rootdn request)'],
]) {
  const m = median(samples[name]);
  console.log(`| ${label} | ${m.toFixed(0)} | ${(m / base).toFixed(2)}x |`);
}
if (jsonFile) {
  const row = (what, name) => ({
    area: 'start-up',
    what: `${what}, median of ${runs}`,
    value: median(samples[name]),
    unit: 'ms',
    baseline: '`node -e 0`',
    baselineValue: base,
    ratio: median(samples[name]) / base,
  });
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        runs,
        rows: [
          row('`jcadi-engine --version`', 'version'),
          row('`jcadi-engine exec` of a version request (stdin, protocol, log file)', 'request'),
          row('`jcadi-engine exec` of a test-rootdn request (params, Root DN parser; no network)', 'rootdn'),
        ],
      },
      null,
      2,
    ),
  );
}
