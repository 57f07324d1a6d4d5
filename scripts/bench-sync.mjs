#!/usr/bin/env node
// Benchmark (figures, not a test), every timing next to its baseline from the same run:
//  1. the sync creating N users (with passwords, enabled) on the test DC, next to a plain
//     ldapts loop doing the same writes (add disabled → unicodePwd → enable) for N other users;
//  2. a no-op reconcile of that org, next to just reading both sides (JumpCloud list + AD read).
// The DC's write rate is the physical limit; the ratios show what the sync adds on top.
// Usage: node --import tsx scripts/bench-sync.mjs [--users N]   (needs the test DC running)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Attribute, Change } from 'ldapts';
import { readActualState } from '../engine/src/ad/directory.ts';
import { AdSession } from '../engine/src/ad/session.ts';
import { randomPassword, unicodePwd } from '../engine/src/ad/writer.ts';
import { execRequest } from '../engine/src/cli/exec.ts';
import { startSandbox } from '../engine/src/sandbox/server.ts';
import { JumpCloudClient } from '../engine/src/jumpcloud/client.ts';
import { adminDc, testDc } from '../tests/engine/helpers/testdc.ts';

// The helpers locate the test DC from the repository root (this file's parent folder).
process.env.JCADI_TESTDC_DIR ??= join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'testdc');
const { values } = parseArgs({ options: { users: { type: 'string', default: '2000' } } });
const N = Number(values.users);
const info = testDc();
const work = mkdtempSync(join(tmpdir(), 'jcadi-bench-sync-'));
const tag = Date.now().toString(36);
const syncRoot = `OU=bench-sync-${tag},${info.baseDN}`;
const rawRoot = `OU=bench-raw-${tag},${info.baseDN}`;

const session = await AdSession.open(adminDc());
const ldap = session.ldapClient;
for (const ou of [syncRoot, rawRoot]) await ldap.add(ou, { objectClass: ['top', 'organizationalUnit'] });
const sandbox = await startSandbox({ dataDir: join(work, 'sandbox'), port: 0, seed: 'empty', saveDelayMs: 2000 });
const admin = async (method, path, body) => {
  const res = await fetchJson(method, `/sandbox/admin${path}`, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status}`);
  return res.body;
};

async function fetchJson(method, path, body) {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(`${sandbox.url}${path}`, { method, ca: sandbox.caPem, headers: { 'x-api-key': sandbox.apiKey, 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function syncOnce(command) {
  const out = [];
  const params = {
    jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile },
    dc: adminDc(),
    domain: 'DC=example;DC=com',
    rootUserDN: syncRoot.replace(/,/g, ';'),
    force: true,
    journalFile: join(work, 'journal.jsonl'),
  };
  const code = await execRequest(JSON.stringify({ protocol: 1, command, params }), { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: join(work, 'engine.log') } });
  if (code !== 0) throw new Error(`${command} exited ${code}: ${out.join('').slice(0, 800)}`);
  return out;
}

const timed = async (fn) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

try {
  await admin('POST', '/domains', { domain: 'DC=example;DC=com' });
  await admin('POST', '/groups', { name: `bench-${tag}`, bindToDomain: 'DC=example;DC=com' });
  await admin('POST', '/users/generate', { count: N, prefix: `b${tag}`, group: `bench-${tag}` });

  const rawSeconds = await timed(async () => {
    for (let i = 0; i < N; i++) {
      const dn = `CN=raw${tag}${i},${rawRoot}`;
      await ldap.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: `r${tag}${i}`.slice(0, 20), givenName: 'Raw', sn: `User${i}`, userAccountControl: '514' });
      await ldap.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [unicodePwd(randomPassword())] }) })]);
      await ldap.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) })]);
    }
  });
  const syncSeconds = await timed(() => syncOnce('sync'));
  const noopSeconds = await timed(() => syncOnce('sync'));
  const readSeconds = await timed(async () => {
    const client = new JumpCloudClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, ca: sandbox.caPem });
    let count = 0;
    for await (const _user of client.listUsers()) count++;
    client.close();
    const actual = await readActualState(session, { rootDN: syncRoot });
    if (count < N || actual.users.length !== N) throw new Error(`read ${count} JumpCloud users and ${actual.users.length} AD users, expected ${N}`);
  });

  const rows = [
    [`create ${N} users: sync (plan + apply)`, syncSeconds, `plain ldapts loop, same writes`, rawSeconds],
    [`no-op reconcile of ${N} users`, noopSeconds, `read both sides only`, readSeconds],
  ];
  console.log(`sync benchmark, ${N} users, test DC ${info.host} (one run, side by side)`);
  console.log('| what | seconds | baseline | seconds | ratio | sync rate |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: |');
  for (const [what, s, base, b] of rows) console.log(`| ${what} | ${s.toFixed(1)} | ${base} | ${b.toFixed(1)} | ${(s / b).toFixed(2)}x | ${(N / s).toFixed(0)} users/s |`);
} finally {
  for (const ou of [syncRoot, rawRoot]) {
    const { searchEntries } = await ldap.search(ou, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'], paged: { pageSize: 500 } });
    for (const dn of searchEntries.map((e) => e.dn).sort((a, b) => b.length - a.length)) await ldap.del(dn).catch(() => undefined);
  }
  await session.close();
  await sandbox.close();
}
