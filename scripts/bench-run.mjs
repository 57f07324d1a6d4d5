#!/usr/bin/env node
// npm run bench (scripts/bench.sh runs this once the engine is built and the test DC is up): runs
// every benchmark in turn, each printing its own table, then prints ONE combined Markdown table,
// every figure next to its baseline measured in the same run, and writes it to
// build/bench/latest.json and build/bench/latest.md with the date, the machine and the wall time.
// Benchmarks of scripts/bench-startup.mjs, bench-jumpcloud.mjs and bench-sync.mjs come as JSON
// (--json); scripts/bench-csv.mjs and bench-agent.mjs are read from the tables they print. A
// benchmark that is missing, fails, or prints no recognisable table leaves a row saying so, never
// a number. Each benchmark's output is kept in build/bench/<name>.out.
// Usage: node --import tsx scripts/bench-run.mjs [--quick] [--only NAME,...]   (--quick: small sizes, a smoke run)
// Sizes (environment, full / quick): BENCH_RUNS 15/5, BENCH_LIST_USERS 20000/2000,
//   BENCH_SYNC_ORGS 1000,5000/100,300, BENCH_NOOP_USERS 20000/1000 (its seed: 7 of the bench's 40
//   minutes, its rounds 8, each waiting for the agent's scheduled reconcile; Samba's adds slow down
//   as the domain grows), BENCH_RAW_SAMPLE 1000/all (N: the raw loop for the first N users of
//   each org only, compared per user), BENCH_CSV_ROWS 10000/500,
//   BENCH_AGENT_USERS 100/20, BENCH_AGENT_CHANGES 200/20, BENCH_TARGETED_ORG 100000/5000,
//   BENCH_TARGETED_SIZES 100,5000,20000/20,100 (managed users; seeded into AD without passwords;
//   20,000 took 315 s of the 10-minute targeted benchmark),
//   BENCH_TARGETED_CHANGES 100/20 (per size), BENCH_TARGETED_FULL_SCOPE 2000/100.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build', 'bench');
mkdirSync(outDir, { recursive: true });
const quick = process.argv.includes('--quick');
const size = (name, full, small) => process.env[name] ?? (quick ? small : full);
const sizes = {
  runs: size('BENCH_RUNS', '15', '5'),
  listUsers: size('BENCH_LIST_USERS', '20000', '2000'),
  syncOrgs: size('BENCH_SYNC_ORGS', '1000,5000', '100,300'),
  noopUsers: size('BENCH_NOOP_USERS', '20000', '1000'),
  rawSample: size('BENCH_RAW_SAMPLE', '1000', 'all'),
  csvRows: size('BENCH_CSV_ROWS', '10000', '500'),
  agentUsers: size('BENCH_AGENT_USERS', '100', '20'),
  agentChanges: size('BENCH_AGENT_CHANGES', '200', '20'),
  targetedOrg: size('BENCH_TARGETED_ORG', '100000', '5000'),
  targetedSizes: size('BENCH_TARGETED_SIZES', '100,5000,20000', '20,100'),
  targetedChanges: size('BENCH_TARGETED_CHANGES', '100', '20'),
  targetedFullScope: size('BENCH_TARGETED_FULL_SCOPE', '2000', '100'),
};
/** --only NAME[,NAME]: just these benchmarks (startup, jumpcloud, csv, agent, targeted, sync). */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set(String(process.argv[onlyAt + 1] ?? '').split(',')) : null;
const PROMISE_S = 90;

/** Every cell of a Markdown table's body rows, keyed by the header's cells. */
export function markdownRows(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('|') && l.endsWith('|'));
  const cells = (line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const tables = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!/^\|\s*:?-{3,}/.test(lines[i + 1])) continue;
    const header = cells(lines[i]);
    let j = i + 2;
    while (j < lines.length && !/^\|\s*:?-{3,}/.test(lines[j + 1] ?? '')) {
      const row = cells(lines[j]);
      tables.push(Object.fromEntries(header.map((h, k) => [h, row[k] ?? ''])));
      j++;
    }
    i = j - 1;
  }
  return tables;
}

const num = (text) => Number(String(text).replace(/[^0-9.]/g, ''));

/** bench-agent.mjs prints latency percentiles and failover times next to the 90 s promise. */
function agentRows(out) {
  const rows = markdownRows(out);
  const agents = /(\d+) agents/.exec(out)?.[1] ?? '?';
  const changes = /(\d+) changes/.exec(out)?.[1] ?? '?';
  const found = [];
  const all = rows.find((r) => /visible in AD \(all\)/.test(r.what ?? ''));
  if (all) {
    found.push({
      area: 'agent',
      what: `propagation latency, change in JumpCloud → visible in AD, over ${all.n} changes (p50 / p95 / max)`,
      display: `${all['p50 s']} / ${all['p95 s']} / ${all['max s']} s`,
      value: num(all['max s']),
      unit: 's',
      baseline: "the product's promise",
      baselineValue: PROMISE_S,
      ratio: num(all['max s']) / PROMISE_S,
    });
  }
  for (const r of rows.filter((x) => /^failover/.test(x.what ?? ''))) {
    found.push({
      area: 'agent',
      what: `${r.what} (${agents} agents)`,
      value: num(r['p50 s']),
      unit: 's',
      baseline: "the product's promise",
      baselineValue: PROMISE_S,
      ratio: num(r['p50 s']) / PROMISE_S,
    });
  }
  if (found.length > 0 && changes !== '?') found[0].changes = Number(changes);
  return found;
}

/** bench-csv.mjs prints the import and the raw create loop, in rows/s. */
function csvRows(out) {
  const rows = markdownRows(out);
  const raw = rows.find((r) => /raw POST/.test(r.what ?? ''));
  const run = rows.find((r) => /csv-import, whole run/.test(r.what ?? ''));
  if (!raw || !run) return [];
  const n = /CSV import of ([\d,]+) users/.exec(out)?.[1] ?? '?';
  const value = num(run['rows/s']);
  const base = num(raw['rows/s']);
  // Rates compare as times: the import takes `ratio` times as long as the bare creates.
  return [
    {
      area: 'CSV',
      what: `CSV import of ${n} users into JumpCloud (the engine, whole run), rows/s`,
      value,
      unit: 'rows/s',
      baseline: 'raw POST /api/systemusers loop, same concurrency',
      baselineValue: base,
      ratio: base / value,
    },
  ];
}

// The sync benchmark runs last: it leaves the DC's database larger, which slows every write after it.
const steps = [
  { name: 'startup', script: 'bench-startup.mjs', args: ['--runs', sizes.runs], json: true, label: 'engine start-up' },
  { name: 'jumpcloud', script: 'bench-jumpcloud.mjs', args: ['--users', sizes.listUsers, '--runs', quick ? '1' : '2'], json: true, label: 'JumpCloud listing' },
  { name: 'csv', script: 'bench-csv.mjs', args: ['--rows', sizes.csvRows], parse: csvRows, label: 'CSV import' },
  {
    name: 'agent',
    script: 'bench-agent.mjs',
    args: ['--users', sizes.agentUsers, '--changes', sizes.agentChanges],
    parse: agentRows,
    label: 'sync agent (propagation latency, failover)',
  },
  {
    name: 'targeted',
    script: 'bench-targeted.mjs',
    args: ['--org', sizes.targetedOrg, '--sizes', sizes.targetedSizes, '--changes', sizes.targetedChanges, '--full-scope', sizes.targetedFullScope],
    json: true,
    label: 'targeted changes (change cost against org and scope size)',
  },
  {
    name: 'sync',
    script: 'bench-sync.mjs',
    // On the benchmark's own DC (scripts/bench.sh) an OU goes in one tree delete.
    args: [
      '--orgs',
      sizes.syncOrgs,
      '--noop',
      sizes.noopUsers,
      '--raw-sample',
      sizes.rawSample,
      ...(process.env.JCADI_BENCH_OWN_DC === '1' ? ['--tree-delete'] : []),
    ],
    json: true,
    label: 'sync (provisioning, no-op reconciles, peak RSS)',
  },
];

/** Runs one benchmark, its stdout shown live and kept in build/bench/<name>.out. */
function run(step, jsonFile) {
  const script = join(root, 'scripts', step.script);
  // The agent benchmark takes --agents once it can run three agents (read from its usage line).
  const extra = step.name === 'agent' && readFileSync(script, 'utf8').includes('--agents') ? ['--agents', '3'] : [];
  const args = ['--import', 'tsx', script, ...step.args, ...extra, ...(jsonFile ? ['--json', jsonFile] : [])];
  return new Promise((resolve) => {
    const log = createWriteStream(join(outDir, `${step.name}.out`));
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
      log.write(d);
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      log.write(d);
    });
    child.on('exit', (code) => log.end(() => resolve({ code, out })));
  });
}

function missing(step, reason) {
  return { area: step.name, what: step.label, display: `not measured: ${reason}`, value: null, unit: '', baseline: '', baselineValue: null, ratio: null };
}

function fmt(value, unit) {
  if (value === null || value === undefined) return '';
  const digits = unit === 's' && value < 10 ? 2 : unit === 's' ? 1 : 0;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

function machine() {
  const samba = spawnSync('samba', ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    samba,
    platform: `${process.platform} ${process.arch}`,
  };
}

const started = performance.now();
const rows = [];
for (const step of steps.filter((x) => !only || only.has(x.name))) {
  console.log(`\n## ${step.label}`);
  if (!existsSync(join(root, 'scripts', step.script))) {
    rows.push(missing(step, `${step.name} benchmark missing (scripts/${step.script})`));
    console.log(`(scripts/${step.script} is missing)`);
    continue;
  }
  const jsonFile = step.json ? join(outDir, `${step.name}.json`) : null;
  if (jsonFile) rmSync(jsonFile, { force: true });
  const stepStarted = performance.now();
  const { code, out } = await run(step, jsonFile);
  const stepSeconds = (performance.now() - stepStarted) / 1000;
  console.log(`(${step.name}: ${stepSeconds.toFixed(0)} s)`);
  if (code !== 0) {
    rows.push(missing(step, `${step.name} benchmark failed (exit ${code}; output in build/bench/${step.name}.out)`));
    continue;
  }
  const found = jsonFile ? (existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')).rows : []) : step.parse(out);
  if (found.length === 0) rows.push(missing(step, `${step.name} benchmark output not recognised (build/bench/${step.name}.out)`));
  for (const r of found) rows.push({ ...r, stepSeconds });
}
const wallSeconds = (performance.now() - started) / 1000;

const when = new Date().toISOString();
const host = machine();
const header = '| area | measurement | result | baseline (same run) | baseline result | ratio |\n| --- | --- | ---: | --- | ---: | ---: |';
const table = rows
  .map(
    (r) =>
      `| ${r.area} | ${r.what} | ${r.display ?? fmt(r.value, r.unit)} | ${r.baseline ?? ''} | ${r.baselineDisplay ?? fmt(r.baselineValue, r.unit)} | ${r.ratio === null || r.ratio === undefined ? '' : `${r.ratio.toFixed(r.ratio < 0.1 ? 3 : 2)}x`} |`,
  )
  .join('\n');
const about = `Measured ${when.slice(0, 10)} on ${host.cpus} × ${host.cpuModel}, ${host.memoryGB} GB, ${host.platform}, Node ${host.node}, Samba ${host.samba.replace(/^Version /, '')} (a fresh test DC, LDAPS on loopback)${quick ? ', QUICK sizes' : ''}; all benchmarks ${Math.floor(wallSeconds / 60)} min ${Math.round(wallSeconds % 60)} s wall time.`;
const markdown = `${about}\n\n${header}\n${table}\n`;
writeFileSync(join(outDir, 'latest.json'), JSON.stringify({ measuredAt: when, machine: host, quick, sizes, wallSeconds, rows }, null, 2) + '\n');
writeFileSync(
  join(outDir, 'latest.md'),
  `# JumpCloudADI benchmark\n\n${markdown}\nRatio: result over baseline: for times, and for rates per user or row (how many times as long); for memory, the peak over the idle engine's; for the agent, over the 90 s the product promises. Regenerate with \`npm run bench\` (quick check: \`npm run bench -- --quick\`).\n`,
);
console.log(`\n## All benchmarks (build/bench/latest.md, build/bench/latest.json)\n\n${markdown}`);
console.log(`wall time: ${wallSeconds.toFixed(0)} s`);
