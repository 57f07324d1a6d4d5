#!/usr/bin/env node
// Benchmark: the engine executable's cold start next to `node -e 0`, measured in the same run,
// interleaved so machine load affects both alike. Prints figures; passes or fails nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const engine = join(root, 'build', 'jcadi-engine');
if (!existsSync(engine)) execFileSync(process.execPath, [join(root, 'scripts/build-engine.mjs'), '--quiet'], { stdio: 'inherit' });
const runs = Number(process.env.BENCH_RUNS ?? 15);
const request = JSON.stringify({ protocol: 1, command: 'version', logFile: '/dev/null' });

function time(cmd, args, input) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const samples = { node: [], version: [], request: [] };
for (let i = 0; i < runs; i++) {
  samples.node.push(time(process.execPath, ['-e', '0']));
  samples.version.push(time(engine, ['--version']));
  samples.request.push(time(engine, ['exec'], request));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples.node);
console.log(`engine cold start, median of ${runs} interleaved runs`);
console.log('| what | median ms | vs node -e 0 |');
console.log('| --- | ---: | ---: |');
for (const [name, label] of [['node', 'node -e 0'], ['version', 'jcadi-engine --version'], ['request', 'jcadi-engine exec (version request)']]) {
  const m = median(samples[name]);
  console.log(`| ${label} | ${m.toFixed(0)} | ${(m / base).toFixed(2)}x |`);
}
