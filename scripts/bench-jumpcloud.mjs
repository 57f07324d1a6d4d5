#!/usr/bin/env node
// Benchmark (a figure, not a test): time to list N users (default 20,000) from the sandbox
// through the JumpCloud client, next to the sandbox's own raw page-serving time for the same
// pages (plain keep-alive HTTPS GETs + JSON.parse, no client, no zod), measured in the same run.
// The sandbox runs as its own process, as it does for the demo.
// Usage: node --import tsx scripts/bench-jumpcloud.mjs [--users N] [--runs R] [--json FILE]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JumpCloudClient } from '../engine/src/jumpcloud/client.ts';
import { SYSTEM_USER_SYNC_FIELDS } from '../engine/src/jumpcloud/schemas.ts';
import { median } from './bench-stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { users: { type: 'string', default: '20000' }, runs: { type: 'string', default: '3' }, json: { type: 'string' } } });
const users = Number(values.users);
const runs = Number(values.runs);
const PAGE = 100;

const dataDir = mkdtempSync(join(tmpdir(), 'jcadi-bench-'));
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', '--data', dataDir, '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const announcement = await new Promise((resolveLine, reject) => {
  child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  createInterface({ input: child.stdout }).once('line', (line) => resolveLine(JSON.parse(line)));
});
const apiKey = readFileSync(announcement.apiKeyFile, 'utf8').trim();
const ca = readFileSync(announcement.caFile, 'utf8');
const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1 });

function request(method, path, body) {
  return new Promise((resolveCall, reject) => {
    const req = https.request(`${announcement.url}${path}`, { method, agent, headers: { 'x-api-key': apiKey, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode < 300 ? resolveCall(text) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function rawPages() {
  const fields = encodeURIComponent(SYSTEM_USER_SYNC_FIELDS.join(' '));
  let seen = 0;
  for (let skip = 0; skip < users; skip += PAGE) {
    const page = JSON.parse(await request('GET', `/api/systemusers?limit=${PAGE}&skip=${skip}&sort=_id&fields=${fields}`));
    seen += page.results.length;
  }
  return seen;
}

async function throughClient() {
  const client = new JumpCloudClient({ baseUrl: announcement.url, apiKey, ca });
  let seen = 0;
  try {
    for await (const user of client.listUsers()) if (user._id) seen++;
  } finally {
    client.close();
  }
  return seen;
}

async function time(fn) {
  const started = performance.now();
  const count = await fn();
  if (count !== users) throw new Error(`expected ${users} users, saw ${count}`);
  return performance.now() - started;
}

try {
  const made = performance.now();
  await request('POST', '/sandbox/admin/users/generate', { count: users });
  console.log(
    `bench-jumpcloud: ${users} users in the sandbox (generated in ${((performance.now() - made) / 1000).toFixed(1)} s), ${Math.ceil(users / PAGE)} pages of ${PAGE}, ${runs} runs each, alternating`,
  );
  await rawPages(); // warm both sides (JIT, TLS session, sorted-user cache)
  await throughClient();
  const raw = [];
  const client = [];
  for (let run = 0; run < runs; run++) {
    raw.push(await time(rawPages));
    client.push(await time(throughClient));
  }
  const r = median(raw);
  const c = median(client);
  console.log(`  sandbox raw pages (keep-alive HTTPS GET + JSON.parse): ${r.toFixed(0)} ms median  [${raw.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  client listUsers (paging, retries, zod validation):    ${c.toFixed(0)} ms median  [${client.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  client / raw: ${(c / r).toFixed(2)}   (${(users / (c / 1000)).toFixed(0)} users/s through the client)`);
  if (values.json) {
    const row = {
      area: 'JumpCloud',
      what: `list ${users.toLocaleString('en-US')} users through the client (paging, retries, schema checks), median of ${runs}`,
      value: c / 1000,
      unit: 's',
      baseline: 'the same pages as raw HTTPS GET + JSON.parse',
      baselineValue: r / 1000,
      ratio: c / r,
    };
    writeFileSync(values.json, JSON.stringify({ users, runs, rows: [row] }, null, 2));
  }
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
