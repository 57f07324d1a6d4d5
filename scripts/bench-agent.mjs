#!/usr/bin/env node
// Benchmark (figures, not a test) of the sync agent, next to the product's promise of 90 s:
//  1. propagation latency, change in JumpCloud (the sandbox's admin surface) → visible in AD,
//     over --changes changes (default 200) made one after the other: last names (visible in
//     the directory) and every tenth a password (visible when the user can bind over LDAPS);
//  2. failover: --agents agents on the domain (default 3); the primary is killed (SIGKILL), a
//     change is made at once, and the time until a standby is primary and the change is in AD is measured.
// Real engine binary (build/jcadi-engine) for the agents, the sandbox in this process, the test DC.
// Usage: node --import tsx scripts/bench-agent.mjs [--users N] [--changes N] [--agents N] [--agent-timeout S]
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { peekAgentState } from '../engine/src/agent/state.ts';
import { processAlive } from '../engine/src/agent/install.ts';
import { dnsNameOf } from '../engine/src/ad/directory.ts';
import { AdSession } from '../engine/src/ad/session.ts';
import { agentPaths } from '../engine/src/agent/config.ts';
import { startSandbox } from '../engine/src/sandbox/server.ts';
import { exec, installAgent } from '../tests/engine/helpers/agent.ts';
import { adminDc, testDc } from '../tests/engine/helpers/testdc.ts';
import { until } from './bench-stats.mjs';

process.env.JCADI_TESTDC_DIR ??= join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'testdc');
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    changes: { type: 'string', default: '200' },
    agents: { type: 'string', default: '3' },
    'agent-timeout': { type: 'string', default: '15' },
  },
});
const USERS = Number(values.users);
const CHANGES = Number(values.changes);
const AGENTS = Number(values.agents);
if (!Number.isInteger(AGENTS) || AGENTS < 2) throw new Error('--agents must be 2 or more: a failover needs a standby');
const AGENT_TIMEOUT_S = Number(values['agent-timeout']);
const PROMISE_S = 90;
const info = testDc();
const work = mkdtempSync(join(tmpdir(), 'jcadi-bench-agent-'));
const log = join(work, 'exec.log');
const tag = Date.now().toString(36);
const root = `OU=bench-agent-${tag},${info.baseDN}`;
const prefix = `a${tag}`;

const session = await AdSession.open(adminDc());
await session.ldapClient.add(root, { objectClass: ['top', 'organizationalUnit'] });
const sandbox = await startSandbox({
  dataDir: join(work, 'sandbox'),
  port: 0,
  seed: 'empty',
  saveDelayMs: 2000,
  agentTimeoutMs: AGENT_TIMEOUT_S * 1000,
  heartbeatIntervalMs: Math.max(1000, Math.min(5000, (AGENT_TIMEOUT_S * 1000) / 3)),
});
const agent = new https.Agent({ ca: sandbox.caPem, keepAlive: true });
const admin = (method, path, body) =>
  new Promise((resolve, reject) => {
    const req = https.request(
      `${sandbox.url}/sandbox/admin${path}`,
      { method, agent, headers: { 'x-api-key': sandbox.apiKey, 'Content-Type': 'application/json' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });

const snOf = async (username) => {
  const [entry] = await session.search(root, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['sn'] });
  return String([entry?.sn].flat()[0] ?? '');
};
const canBind = async (username, password) => {
  try {
    await (await AdSession.open(adminDc({ bindDN: `${username}@${dnsNameOf(info.baseDN)}`, bindPassword: password }))).close();
    return true;
  } catch {
    return false;
  }
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) };
};

const installs = [];
try {
  const jumpcloud = { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile };
  await admin('POST', '/domains', { domain: 'DC=example;DC=com' });
  await admin('POST', '/groups', { name: `bench-agent-${tag}`, bindToDomain: 'DC=example;DC=com' });
  await admin('POST', '/users/generate', { count: USERS, prefix, group: `bench-agent-${tag}` });
  const users = [];
  for (let n = 1; n <= USERS; n++) users.push(`${prefix}${n}`);

  for (let i = 0; i < AGENTS; i++) {
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: 'DC=example;DC=com' }, log);
    const installed = await installAgent({ jumpcloud, rootUserDN: root.replace(/,/g, ';'), connectKey: String(key.records[0]?.Key) }, log);
    if (installed.result.code !== 0) throw new Error(installed.result.raw);
    installs.push(installed.installPath);
    const started = await exec('agent-start', { installPath: installed.installPath, timeoutSeconds: 60 }, log);
    if (started.code !== 0) throw new Error(started.raw);
  }
  const states = () => installs.map((p) => peekAgentState(agentPaths(p).state));
  // Measured from the first agent's start: its first full reconcile creates the users.
  await until(async () => states().some((s) => s?.primary && s.lastFullReconcileAt !== null) && (await snOf(users.at(-1))) !== '', 900_000, 250);
  const first = states().find((s) => s?.primary);
  const initialSeconds = (Date.parse(first.lastFullReconcileAt) - Date.parse(first.startedAt)) / 1000;

  // 1. propagation latency
  const attributeMs = [];
  const passwordMs = [];
  for (let i = 0; i < CHANGES; i++) {
    const username = users[i % users.length];
    if (i % 10 === 9) {
      const password = `Bench-${tag}-Pw!${i}`;
      const started = performance.now();
      await admin('PATCH', `/users/${username}`, { password });
      passwordMs.push((await until(() => canBind(username, password), 120_000, 50)) - started);
    } else {
      const lastname = `Changed${i}`;
      const started = performance.now();
      await admin('PATCH', `/users/${username}`, { lastname });
      attributeMs.push((await until(async () => (await snOf(username)) === lastname, 120_000, 20)) - started);
    }
  }
  const lastReconcile = states().find((s) => s?.primary)?.lastFullReconcile;

  // 2. failover
  const primary = states().find((s) => s?.primary && processAlive(s.pid));
  const killedAt = performance.now();
  process.kill(primary.pid, 'SIGKILL');
  await admin('PATCH', `/users/${users[0]}`, { lastname: 'AfterFailover' });
  const designatedAt = await until(async () => states().some((s) => s?.primary && s.agentId !== primary.agentId && processAlive(s.pid)), 300_000, 50);
  const appliedAt = await until(async () => (await snOf(users[0])) === 'AfterFailover', 300_000, 20);

  const all = stats([...attributeMs, ...passwordMs]);
  const attr = stats(attributeMs);
  const pw = stats(passwordMs);
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(
    `sync agent benchmark: ${USERS} users in scope, ${CHANGES} changes one after the other, ${AGENTS} agents, agent timeout ${AGENT_TIMEOUT_S} s, test DC ${info.host}`,
  );
  console.log(
    `(initial reconcile creating the ${USERS} users: ${initialSeconds.toFixed(1)} s; the last change-driven reconcile: ${lastReconcile ? (lastReconcile.durationMs / 1000).toFixed(2) : '?'} s)`,
  );
  console.log('| what | n | p50 s | p95 s | max s | the product promises |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| change in JumpCloud → visible in AD (all) | ${all.n} | ${s(all.p50)} | ${s(all.p95)} | ${s(all.max)} | ${PROMISE_S} s |`);
  console.log(`| … last name | ${attr.n} | ${s(attr.p50)} | ${s(attr.p95)} | ${s(attr.max)} | ${PROMISE_S} s |`);
  console.log(`| … password (user binds over LDAPS) | ${pw.n} | ${s(pw.p50)} | ${s(pw.p95)} | ${s(pw.max)} | ${PROMISE_S} s |`);
  console.log(`| failover: primary killed → standby designated | 1 | ${s(designatedAt - killedAt)} | | | ${PROMISE_S} s |`);
  console.log(`| failover: primary killed → a change made then is in AD | 1 | ${s(appliedAt - killedAt)} | | | ${PROMISE_S} s |`);
} finally {
  for (const installPath of installs) {
    await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log).catch(() => undefined);
    rmSync(dirname(installPath), { recursive: true, force: true });
  }
  const { searchEntries } = await session.ldapClient.search(root, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'], paged: { pageSize: 500 } });
  for (const dn of searchEntries.map((e) => e.dn).sort((a, b) => b.length - a.length)) await session.ldapClient.del(dn).catch(() => undefined);
  await session.close();
  agent.destroy();
  await sandbox.close();
  rmSync(work, { recursive: true, force: true });
}
