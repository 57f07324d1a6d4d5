#!/usr/bin/env node
// Benchmark (figures, not a test): a CSV import of N users (default 20,000) into the sandbox by the
// real engine binary, next to the sandbox's raw create rate measured in the same run: the same
// number of POST /api/systemusers over keep-alive HTTPS with the same concurrency and nothing
// else. Then the same import again (every row exists: the idempotent rerun).
// The sandbox runs in this process with its state saved once a minute (the CLI sandbox saves its
// whole org every 250 ms, which at tens of thousands of users would measure the save, not the
// API). Both clients run in their own processes, and the engine writes its output to a file, so
// neither waits for this process to read a pipe.
// Usage: node --import tsx scripts/bench-csv.mjs [--rows N] [--concurrency C]   (needs npm run build)
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const engine = join(root, 'build', process.platform === 'win32' ? 'jcadi-engine.exe' : 'jcadi-engine');
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '8' }, 'raw-worker': { type: 'boolean', default: false } },
});
const N = Number(values.rows);
const C = Number(values.concurrency);

/** The raw loop (run as a child: --raw-worker, target on stdin): N creates, C at a time, nothing else. */
async function rawWorker() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const target = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const agent = new https.Agent({ keepAlive: true, maxSockets: C, ca: target.ca });
  const post = (body) =>
    new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = https.request(
        `${target.url}/api/systemusers`,
        { method: 'POST', agent, headers: { 'x-api-key': target.apiKey, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`POST /api/systemusers: ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const i = next++;
        await post({ username: `raw${i}`, email: `raw${i}@example.com`, firstname: 'Raw', lastname: `User${i}`, password: `Raw${i}-Bench-Pw` });
      }
    }),
  );
  agent.destroy();
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
}

/** Runs a child with `input` on stdin and its stdout to a file; resolves with the file's text and the wall time. */
function runChild(command, args, input, outFile) {
  return new Promise((resolve, reject) => {
    const out = openSync(outFile, 'w');
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', out, 'inherit'] });
    child.stdin.end(input);
    child.on('error', reject);
    child.on('exit', (code) => {
      closeSync(out);
      resolve({ code, text: readFileSync(outFile, 'utf8'), seconds: (performance.now() - started) / 1000 });
    });
  });
}

async function main() {
  const { startSandbox } = await import('../engine/src/sandbox/server.ts');
  const work = mkdtempSync(join(tmpdir(), 'jcadi-bench-csv-'));
  const sandbox = await startSandbox({ dataDir: join(work, 'sandbox'), port: 0, seed: 'empty', saveDelayMs: 60_000 });
  try {
    const csv = join(work, 'users.csv');
    const lines = ['FirstName,LastName,Username,Password,Email'];
    for (let i = 0; i < N; i++) lines.push(`First${i},Last ${i},csv${i},Csv${i}-Bench-Pw,csv${i}@example.com`);
    writeFileSync(csv, lines.join('\r\n') + '\r\n');

    const raw = await runChild(
      process.execPath,
      [self, '--raw-worker', '--rows', String(N), '--concurrency', String(C)],
      JSON.stringify({ url: sandbox.url, ca: sandbox.caPem, apiKey: sandbox.apiKey }),
      join(work, 'raw.out'),
    );
    if (raw.code !== 0) throw new Error(`the raw loop exited ${raw.code}`);
    const rawSeconds = JSON.parse(raw.text).seconds;

    const request = JSON.stringify({
      protocol: 1,
      command: 'csv-import',
      params: { jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile }, path: csv, concurrency: C },
      logFile: join(work, 'engine.log'),
    });
    const runImport = async (name) => {
      const run = await runChild(engine, ['exec'], request, join(work, `${name}.jsonl`));
      const messages = run.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      const summary = messages.find((m) => m.type === 'record' && m.recordType === 'JumpCloudADI.CsvImportSummary')?.data;
      const fatal = messages.find((m) => m.type === 'error' && m.fatal);
      if (run.code !== 0 || !summary) throw new Error(`csv-import exited ${run.code}: ${fatal ? fatal.message : 'no summary'}`);
      return { summary, seconds: run.seconds };
    };
    const first = await runImport('import');
    const rerun = await runImport('rerun');
    if (first.summary.Created !== N || rerun.summary.Exists !== N) throw new Error(`unexpected counts: ${JSON.stringify([first.summary, rerun.summary])}`);

    const rate = (n, s) => Math.round(n / s).toLocaleString('en-US');
    console.log(`CSV import of ${N.toLocaleString('en-US')} users into the sandbox, concurrency ${C}`);
    console.log('| what | seconds | rows/s |');
    console.log('| --- | ---: | ---: |');
    console.log(`| raw POST /api/systemusers loop (baseline) | ${rawSeconds.toFixed(1)} | ${rate(N, rawSeconds)} |`);
    console.log(`| csv-import, whole run (engine start, read, validate, list users, create) | ${first.seconds.toFixed(1)} | ${rate(N, first.seconds)} |`);
    console.log(`| csv-import rerun (every row exists: nothing created) | ${rerun.seconds.toFixed(1)} | ${rate(N, rerun.seconds)} |`);
    console.log(`import / raw: ${(first.seconds / rawSeconds).toFixed(2)}x the time of the bare creates`);
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await (values['raw-worker'] ? rawWorker() : main());
