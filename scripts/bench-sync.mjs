#!/usr/bin/env node
// Benchmark (figures, not a test) of the sync against the test DC, every timing next to its
// baseline from the same run. The sync is the built engine (`jcadi-engine exec`, a sync request
// on stdin), its peak RSS read from /proc/<pid>/status (VmHWM) while it runs.
//  1. Initial provisioning of each --orgs size (default 1000,5000): users in an all-staff group
//     (the 5,000 org's is a group of 5,000 members, read back through the reader's range
//     retrieval), departments of Zipf-like sizes and small project groups, all bound to the
//     domain; next to a plain ldapts loop making the same writes (add disabled with the anchor,
//     unicodePwd, enable; groups; members in batches of 500) into another OU, for the first
//     --raw-sample users (default 1,000: the full loop would double the benchmark's time), the
//     two compared per user. Then a no-op
//     reconcile of that org, next to just reading both sides (JumpCloud and AD, no plan).
//  2. A no-op reconcile of --noop users (default 10,000; npm run bench asks for 20,000) next to reading both
//     sides: the largest provisioned org topped up with users seeded straight into AD WITHOUT
//     passwords (a Samba password costs ~40 ms), carrying our anchor (adminDescription
//     JumpCloud:<id>) so the sync sees them as its own; it must plan nothing. Seven rounds, medians:
//     each round runs the engine, the reading in this process (warm, V8's default heap) and the
//     same reading in a fresh process with the engine's heap and malloc settings
//     (scripts/bench-read-both.mjs), which separates what the reconcile adds to reading from what
//     the engine's runtime costs it. Beside them, the full reconcile as the agent runs it on its
//     schedule: an agent on the same root (build/jcadi-engine, its schedule every minute, the
//     minimum) reconciles in a process already warm from its takeover; each round waits for its
//     next scheduled reconcile, alone on the machine, then runs the others, and one more reading:
//     the fresh-process reader reading twice, its second reading the warm baseline in a process of
//     its own with the engine's settings, as the agent's is.
// Each org's OUs are deleted afterwards (--tree-delete: in one request, for a DC of its own).
// --json FILE writes the figures for scripts/bench-run.mjs.
// Usage: node --import tsx scripts/bench-sync.mjs [--orgs 1000,5000] [--noop 10000] [--raw-sample N|all]
//                                                  [--json FILE] [--tree-delete]
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { Attribute, Change } from 'ldapts';
import { readActualState } from '../engine/src/ad/directory.ts';
import { escapeDnValue } from '../engine/src/ad/escape.ts';
import { AdSession } from '../engine/src/ad/session.ts';
import { ENGINE_LINUX_ENV } from '../engine/src/agent/install.ts';
import { resolveAnchorKey } from '../engine/src/ad/anchorkey.ts';
import { pendingAnchorProof } from '../engine/src/ad/anchorproof.ts';
import { encodeAnchor } from '../engine/src/ad/names.ts';
import { AdWriter, GROUP_TYPE_GLOBAL_SECURITY, randomPassword, unicodePwd } from '../engine/src/ad/writer.ts';
import { JumpCloudClient } from '../engine/src/jumpcloud/client.ts';
import { startSandbox } from '../engine/src/sandbox/server.ts';
import { findDomain, gatherDesired } from '../engine/src/sync/gather.ts';
import { peekAgentState } from '../engine/src/agent/state.ts';
import { agentPaths } from '../engine/src/agent/config.ts';
import { proveAnchors } from './bench-anchors.mjs';
import { median, procStatusMb, until } from './bench-stats.mjs';
import { asciiOnly, engineBundleOptions } from './engine-bundle.mjs';
import { TreeDeleteControl } from '../tests/engine/helpers/faultworld.ts';
import { exec, installAgent } from '../tests/engine/helpers/agent.ts';
import { adminDc, testDc } from '../tests/engine/helpers/testdc.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.JCADI_TESTDC_DIR ??= join(root, 'build', 'testdc');
const { values } = parseArgs({
  options: {
    orgs: { type: 'string', default: '1000,5000' },
    noop: { type: 'string', default: '10000' },
    'raw-sample': { type: 'string', default: 'all' },
    json: { type: 'string' },
    'tree-delete': { type: 'boolean', default: false },
  },
});
const ORGS = values.orgs
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const NOOP = Number(values.noop);
// Seven rounds: one run moves by about ±1 s with the DC's own pace (a 20,000-user reading alone
// took 6.5-8.5 s), and medians of three still moved the no-op's ratio by about ±0.07 (docs/memory.md).
const NOOP_ROUNDS = 7;
const RAW_SAMPLE = Number(values['raw-sample']) || Infinity;
const DOMAIN = 'DC=example;DC=com';
const ENGINE = join(root, 'build', 'jcadi-engine');
const info = testDc();
const work = mkdtempSync(join(tmpdir(), 'jcadi-bench-sync-'));
const tag = Date.now().toString(36).slice(-5);
const results = [];
const seconds = (ms) => ms / 1000;
const secondsText = (ms) => `${ms < 100_000 ? seconds(ms).toFixed(1) : seconds(ms).toFixed(0)} s`;

/** Department sizes that add up to n: Zipf-like shares, as in a real company. */
function departmentSizes(n, count) {
  const weights = Array.from({ length: count }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * n)));
  sizes[0] += n - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

/** A small deterministic random source, so every run builds the same org. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh in-process sandbox with the ADI domain and nothing else (state saved only on close). */
async function newSandbox(n) {
  const sandbox = await startSandbox({ dataDir: join(work, `sandbox-${n}-${Date.now()}`), port: 0, seed: 'empty', saveDelayMs: 600_000 });
  await adminCall(sandbox, 'POST', '/domains', { domain: DOMAIN });
  return sandbox;
}

/**
 * Adds n generated users (through the admin surface, one call) and groups bound to the domain:
 * optionally an all-staff group, departments of Zipf-like sizes, small project groups. Returns
 * them as the sync will see them (ids, names, members), for the raw loop and the seed.
 */
async function addUsers(sandbox, n, { allStaff, projects, prefix, label }) {
  const store = sandbox.store;
  const domain = store.domainList().find((d) => d.domain === DOMAIN);
  const before = new Set(store.users.keys());
  const created = await adminCall(sandbox, 'POST', '/users/generate', { count: n, prefix });
  if (created.created !== n) throw new Error(`generated ${created.created} users, not ${n}`);
  const users = [...store.users.values()].filter((u) => !before.has(u._id));
  const random = seeded(n);
  const groups = [];
  const addGroup = (name, members) => {
    const group = store.createGroup({ name, description: `${name} (benchmark)` });
    for (const u of members) store.members.get(group.id).add(u._id);
    store.domainBindings(domain.id).groups.add(group.id);
    groups.push({ id: group.id, name, description: group.description, members: members.map((u) => u._id) });
  };
  if (allStaff) addGroup(`All Staff ${label}`, users);
  let next = 0;
  departmentSizes(n, n >= 5000 ? 12 : 8).forEach((size, i) => {
    addGroup(`Dept ${i + 1} ${label}`, users.slice(next, next + size));
    next += size;
  });
  for (let p = 0; p < projects; p++) {
    const size = Math.min(users.length, 5 + Math.floor(random() * 36));
    const members = new Set();
    while (members.size < size) members.add(users[Math.floor(random() * users.length)]);
    addGroup(`Project ${p + 1} ${label}`, [...members]);
  }
  return { users, groups, memberships: groups.reduce((a, g) => a + g.members.length, 0) };
}

function adminCall(sandbox, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${sandbox.url}/sandbox/admin${path}`,
      { method, ca: sandbox.caPem, headers: { 'x-api-key': sandbox.apiKey, 'Content-Type': 'application/json' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * `command args` with `input` on stdin, in `env`: wall time, peak RSS (VmHWM, sampled every 50 ms)
 * and the JSON lines it wrote to stdout.
 */
async function runMeasured(command, args, input, name, env) {
  const outFile = join(work, `${name}.jsonl`);
  const out = openSync(outFile, 'w');
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['pipe', out, 'inherit'], env });
  closeSync(out);
  child.stdin.end(JSON.stringify(input));
  let peakKb = 0;
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  while (!exited) {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // exited between the check and the read
    }
    await Promise.race([exit, sleep(50)]);
  }
  const code = await exit;
  const wall = performance.now() - started;
  const lines = readFileSync(outFile, 'utf8')
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { code, ms: wall, peakMb: peakKb / 1024, lines };
}

/** The engine binary with `request` on stdin, in the environment the module gives it on Linux (glibc's malloc settings, ENGINE_LINUX_ENV). */
async function runEngine(request, name) {
  const run = await runMeasured(ENGINE, ['exec'], request, name, { ...process.env, ...ENGINE_LINUX_ENV });
  if (run.code !== 0) throw new Error(`${request.command} exited ${run.code}: ${JSON.stringify(run.lines.filter((l) => l.type === 'error').slice(0, 3))}`);
  return run;
}

const syncRequest = (sandbox, rootDN, command = 'sync') => ({
  protocol: 1,
  command,
  params: {
    jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile },
    dc: adminDc({ timeoutMs: 120_000 }),
    domain: DOMAIN,
    rootUserDN: rootDN.replace(/,/g, ';'),
    force: true,
    journalFile: join(work, 'journal.jsonl'),
  },
  logFile: join(work, 'engine.log'),
});

/**
 * What the sync needs to read, and nothing else: JumpCloud (domain, groups, members, users) and AD,
 * both at once as the sync reads them (in this process, already warm: no start-up, no proofs).
 */
async function readBothSides(sandbox, session, rootDN, names) {
  const started = performance.now();
  const client = new JumpCloudClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, ca: sandbox.caPem, timeoutMs: 60_000 });
  try {
    const domain = await findDomain(client, DOMAIN);
    const [desired, actual] = await Promise.all([gatherDesired(client, domain.id), readActualState(session, { rootDN, candidateNames: names })]);
    return { ms: performance.now() - started, desired, actual };
  } finally {
    client.close();
  }
}

/**
 * The same reading in a fresh process with the engine's heap and malloc settings
 * (scripts/bench-read-both.mjs, bundled as the engine is): what the engine's runtime costs the
 * reading, apart from what the reconcile adds to it.
 */
async function readBothSidesFresh(sandbox, rootDN, names, name, readings = 1) {
  if (!freshReader) {
    freshReader = join(work, 'read-both.cjs');
    await build({ ...engineBundleOptions(root, freshReader), entryPoints: [join(root, 'scripts', 'bench-read-both.mjs')], logLevel: 'error' });
    asciiOnly(freshReader);
  }
  const input = {
    dc: adminDc({ timeoutMs: 120_000 }),
    jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile },
    domain: DOMAIN,
    rootDN,
    names,
    readings,
  };
  const run = await runMeasured(process.execPath, [freshReader], input, name, { ...process.env, NODE_OPTIONS: '', ...ENGINE_LINUX_ENV });
  if (run.code !== 0) throw new Error(`the fresh-process reader exited ${run.code}`);
  return { ms: run.ms, peakMb: run.peakMb, read: run.lines[0] };
}
let freshReader = null;

/**
 * An agent on the no-op's root, its full reconcile scheduled every minute (the least the config
 * allows) and its offboarding check every minute (the most), so it stays out of the other
 * measurements. Resolves once its takeover reconcile (which must plan nothing) and its first
 * offboarding check are done: from then on every full reconcile it makes is a scheduled one.
 */
async function startScheduledAgent(sandbox, rootDN) {
  const agentLog = join(work, 'agent-exec.log');
  const jumpcloud = { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile };
  const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, agentLog);
  const installed = await installAgent(
    {
      jumpcloud,
      domain: DOMAIN,
      rootUserDN: rootDN.replace(/,/g, ';'),
      connectKey: String(key.records[0]?.Key),
      sync: { fullReconcileMinutes: 1, offboardPollSeconds: 60 },
    },
    agentLog,
  );
  if (installed.result.code !== 0) throw new Error(`agent-install: ${installed.result.raw}`);
  const installPath = installed.installPath;
  const stop = async () => {
    await exec('agent-stop', { installPath, timeoutSeconds: 20 }, agentLog).catch(() => undefined);
    rmSync(dirname(installPath), { recursive: true, force: true });
  };
  try {
    const started = await exec('agent-start', { installPath, timeoutSeconds: 120 }, agentLog);
    if (started.code !== 0) throw new Error(`agent-start: ${started.raw}`);
    const state = () => peekAgentState(agentPaths(installPath).state);
    await until(() => state()?.lastFullReconcile != null && (state()?.counters.offboardChecks ?? 0) >= 1, 900_000, 100);
    const takeover = state().lastFullReconcile;
    if (takeover.planned !== 0) throw new Error(`the agent's takeover reconcile planned ${takeover.planned} operations`);
    return { state, stop, takeoverMs: takeover.durationMs };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The agent's next scheduled full reconcile that started at or after `sinceMs` (Date.now()): one
 * that overlapped the bench's other measurements is passed over. Its own timing (reading,
 * planning, applying) and the agent's resident memory after it.
 */
async function nextScheduledReconcile(agent, sinceMs) {
  let passedOver = 0;
  let seen = agent.state().counters.reconciles;
  for (;;) {
    await until(() => (agent.state()?.counters.reconciles ?? seen) > seen, 180_000, 100);
    const s = agent.state();
    seen = s.counters.reconciles;
    const startedAt = Date.parse(s.lastFullReconcileAt) - s.lastFullReconcile.durationMs;
    if (startedAt < sinceMs) {
      passedOver++;
      continue;
    }
    if (s.lastFullReconcile.planned !== 0 || s.lastFullReconcile.failed !== 0)
      throw new Error(`the agent's scheduled reconcile planned ${s.lastFullReconcile.planned} operations (${s.lastFullReconcile.failed} failed)`);
    return { ms: s.lastFullReconcile.durationMs, rssMb: procStatusMb(s.pid, 'VmRSS'), peakMb: procStatusMb(s.pid, 'VmHWM'), passedOver };
  }
}

const replace = (type, vals) => new Change({ operation: 'replace', modification: new Attribute({ type, values: vals }) });
/** The anchor as the sync writes it; with `proof`, the proof a just-added object carries (ad/anchorproof.ts). */
const anchorOf = (id, enabled, proof) => encodeAnchor({ jcId: id, syncDisabled: !enabled, proof });
const userEntry = (u, enabled, proof) => ({
  objectClass: ['top', 'person', 'organizationalPerson', 'user'],
  cn: u.username,
  sAMAccountName: u.username,
  userPrincipalName: `${u.username}@example.com`,
  givenName: u.firstname,
  sn: u.lastname,
  displayName: `${u.firstname} ${u.lastname}`,
  mail: u.email,
  userAccountControl: enabled ? '512' : '514',
  adminDescription: anchorOf(u._id, enabled, proof),
});
const groupEntry = (g, proof) => ({
  objectClass: ['top', 'group'],
  cn: g.name,
  sAMAccountName: g.name,
  groupType: GROUP_TYPE_GLOBAL_SECURITY,
  description: g.description,
  adminDescription: anchorOf(g.id, true, proof),
});

/** Adds members in batches of 500, like the writer. */
async function addMembers(ldap, groupDn, dns) {
  for (let i = 0; i < dns.length; i += 500)
    await ldap.modify(groupDn, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: dns.slice(i, i + 500) }) })]);
}

/**
 * The baseline of a provisioning: the writes the sync makes, in a plain sequential ldapts loop,
 * for the first `sample` users of the org (all its groups, the memberships among those users).
 * Logon names are unique in the whole domain, so the copies are renamed (b… → r…, "Raw " groups).
 */
async function rawProvision(ldap, org, ou, sample) {
  const started = performance.now();
  const dnOf = new Map();
  for (const original of org.users.slice(0, sample)) {
    const u = { ...original, username: `r${original.username.slice(1)}` };
    const dn = `CN=${escapeDnValue(u.username)},${ou}`;
    dnOf.set(u._id, dn);
    await ldap.add(dn, userEntry(u, false));
    await ldap.modify(dn, [replace('unicodePwd', [unicodePwd(randomPassword())])]);
    await ldap.modify(dn, [replace('userAccountControl', ['512']), replace('adminDescription', [`JumpCloud:${u._id}`])]);
  }
  let memberships = 0;
  for (const original of org.groups) {
    const g = { ...original, name: `Raw ${original.name}` };
    const dn = `CN=${escapeDnValue(g.name)},${ou}`;
    await ldap.add(dn, groupEntry(g));
    const members = g.members.map((id) => dnOf.get(id)).filter(Boolean);
    memberships += members.length;
    await addMembers(ldap, dn, members);
  }
  return { ms: performance.now() - started, users: dnOf.size, memberships };
}

/**
 * Seeds AD as if the sync had run, without passwords: the no-op reconcile's starting point. Each
 * object is added with the proof the sync writes with its add (bound to the DN, under the root's
 * anchor key, made here as the sync makes it when the root has none), then proven for its
 * objectGUID as the sync's next write leaves it (scripts/bench-anchors.mjs): a settled domain's
 * anchors, each checked with one MAC (a DN-bound proof costs the reader two).
 */
async function seedAd(ldap, org, ou) {
  const started = performance.now();
  const { key } = await resolveAnchorKey(session, new AdWriter(session, 'adminDescription'), {
    rootDN: ou,
    anchorAttribute: 'adminDescription',
    explicit: null,
    create: true,
  });
  const dnOf = new Map();
  for (const u of org.users) {
    const dn = `CN=${escapeDnValue(u.username)},${ou}`;
    dnOf.set(u._id, dn);
    await ldap.add(dn, userEntry(u, true, pendingAnchorProof(key, dn, u._id)));
  }
  for (const g of org.groups) {
    const dn = `CN=${escapeDnValue(g.name)},${ou}`;
    await ldap.add(dn, groupEntry(g, pendingAnchorProof(key, dn, g.id)));
    await addMembers(
      ldap,
      dn,
      g.members.map((id) => dnOf.get(id)),
    );
  }
  await proveAnchors(session, ou, key);
  return performance.now() - started;
}

/**
 * Deletes an OU and everything in it. On a DC of its own (--tree-delete) in one tree delete;
 * on the shared test DC one object at a time, groups first (a tree delete would hold the DC's
 * write lock for everyone meanwhile; deleting a member of a big group rewrites its member list).
 */
async function removeOu(session, ou) {
  if (values['tree-delete']) {
    await session.ldapClient.del(ou, [new TreeDeleteControl()]);
    return;
  }
  const list = async (filter) => {
    const dns = [];
    for await (const page of session.searchPaged(ou, { scope: 'sub', filter, attributes: ['objectClass'] }, 1000)) dns.push(...page.map((e) => e.dn));
    return dns;
  };
  for (const dn of await list('(objectClass=group)')) await session.ldapClient.del(dn).catch(() => undefined);
  // Children before their parent: longer DNs first.
  for (const dn of (await list('(objectClass=*)')).sort((a, b) => b.length - a.length)) await session.ldapClient.del(dn).catch(() => undefined);
}

function row(area, what, value, unit, baseline, baselineValue, extra = {}) {
  const entry = { area, what, value, unit, baseline, baselineValue, ratio: baselineValue ? value / baselineValue : null, ...extra };
  results.push(entry);
  const fmt = (v) => `${unit === 's' ? v.toFixed(1) : v.toFixed(0)} ${unit}`;
  console.log(
    `| ${what} | ${entry.display ?? fmt(value)} | ${baseline ?? ''} | ${entry.baselineDisplay ?? (baselineValue === null ? '' : fmt(baselineValue))} | ${entry.ratio === null ? '' : `${entry.ratio.toFixed(2)}x`} |`,
  );
}

const session = await AdSession.open(adminDc({ timeoutMs: 300_000 }));
console.log(`sync benchmark against the test DC ${info.host} (the engine binary; baselines in the same run)`);
console.log('| what | result | baseline | baseline result | ratio |');
console.log('| --- | ---: | --- | ---: | ---: |');
try {
  // The largest provisioned org is kept and topped up to --noop users (seeded without passwords).
  let kept = null;
  const largest = Math.max(0, ...ORGS);
  for (const n of ORGS) {
    const sandbox = await newSandbox(n);
    const org = await addUsers(sandbox, n, { allStaff: true, projects: Math.max(2, Math.round(n / 100)), prefix: `b${tag}n`, label: tag });
    const syncOu = `OU=bench-sync-${tag}-${n},${info.baseDN}`;
    const rawOu = `OU=bench-raw-${tag}-${n},${info.baseDN}`;
    const keep = n === largest && NOOP > n;
    try {
      for (const ou of [syncOu, rawOu]) await session.ldapClient.add(ou, { objectClass: ['top', 'organizationalUnit'] });
      const shape = `${n.toLocaleString('en-US')} users, ${org.groups.length} groups, ${org.memberships.toLocaleString('en-US')} memberships`;
      const raw = await rawProvision(session.ldapClient, org, rawOu, Math.min(n, RAW_SAMPLE));
      await removeOu(session, rawOu);
      const sync = await runEngine(syncRequest(sandbox, syncOu), `provision-${n}`);
      const result = sync.lines.find((l) => l.type === 'record' && l.recordType === 'JumpCloudADI.SyncResult')?.data;
      if (!result || result.Failed !== 0 || result.Reported !== 0 || result.Applied !== result.Planned)
        throw new Error(`provisioning ${n}: ${JSON.stringify(result)}`);
      // Compared per user: the raw loop may have done a sample of the org (--raw-sample).
      const perUser = { sync: sync.ms / n, raw: raw.ms / raw.users };
      row(
        `sync ${n}`,
        `initial provisioning (${shape})`,
        n / seconds(sync.ms),
        'users/s',
        `plain ldapts loop, same writes${raw.users < n ? `, for ${raw.users.toLocaleString('en-US')} of its users` : ''}`,
        raw.users / seconds(raw.ms),
        {
          display: `${secondsText(sync.ms)}, ${(n / seconds(sync.ms)).toFixed(1)} users/s`,
          baselineDisplay: `${secondsText(raw.ms)}, ${(raw.users / seconds(raw.ms)).toFixed(1)} users/s`,
          ratio: perUser.sync / perUser.raw,
          seconds: seconds(sync.ms),
          baselineSeconds: seconds(raw.ms),
          baselineUsers: raw.users,
        },
      );
      row(`memory ${n}`, `peak RSS of the engine, provisioning ${n.toLocaleString('en-US')} users`, sync.peakMb, 'MB', null, null);

      const names = org.users.map((u) => u.username).concat(org.groups.map((g) => g.name));
      const noop = await runEngine(syncRequest(sandbox, syncOu), `noop-${n}`);
      const planned = noop.lines.find((l) => l.type === 'record' && l.recordType === 'JumpCloudADI.SyncResult')?.data?.Planned;
      if (planned !== 0) throw new Error(`the no-op reconcile of ${n} planned ${planned} operations`);
      const read = await readBothSides(sandbox, session, syncOu, names);
      const big = read.actual.groups.find((g) => g.cn.startsWith('All Staff'));
      if (read.actual.users.length !== n || big?.members.length !== n)
        throw new Error(`read back ${read.actual.users.length} users and an all-staff group of ${big?.members.length}, expected ${n}`);
      row(
        `sync ${n}`,
        `no-op reconcile of ${n.toLocaleString('en-US')} users (plans nothing)`,
        seconds(noop.ms),
        's',
        'read both sides only (JumpCloud + AD)',
        seconds(read.ms),
        { allStaffMembersReadBack: big.members.length },
      );
      if (keep) kept = { sandbox, org, ou: syncOu };
    } finally {
      if (!keep || !kept) {
        await sandbox.close();
        for (const ou of [syncOu, rawOu]) if (await session.readObject(ou, ['ou'])) await removeOu(session, ou);
      }
    }
  }

  if (NOOP > 0) {
    const sandbox = kept?.sandbox ?? (await newSandbox(NOOP));
    const ou = kept?.ou ?? `OU=bench-noop-${tag},${info.baseDN}`;
    try {
      if (!kept) await session.ldapClient.add(ou, { objectClass: ['top', 'organizationalUnit'] });
      const have = kept?.org.users.length ?? 0;
      const extra = await addUsers(sandbox, NOOP - have, { allStaff: false, projects: Math.round((NOOP - have) / 200), prefix: `b${tag}s`, label: `${tag}s` });
      const seedMs = await seedAd(session.ldapClient, extra, ou);
      const groups = (kept?.org.groups.length ?? 0) + extra.groups.length;
      console.log(
        `(seeded ${(NOOP - have).toLocaleString('en-US')} users and ${extra.groups.length} groups into AD without passwords in ${seconds(seedMs).toFixed(0)} s${have ? `, next to the ${have.toLocaleString('en-US')} the sync created` : ''})`,
      );
      const names = [...(kept?.org.users ?? []), ...extra.users]
        .map((u) => u.username)
        .concat([...(kept?.org.groups ?? []), ...extra.groups].map((g) => g.name));
      // The agent first: its takeover is the first full reconcile of this world, so the engine's
      // own runs below all find a settled domain, as before.
      const agent = await startScheduledAgent(sandbox, ou);
      console.log(
        `(the agent's takeover reconcile of ${NOOP.toLocaleString('en-US')} users: ${secondsText(agent.takeoverMs)}; then one scheduled every minute)`,
      );
      // Each round: the agent's next scheduled reconcile, with nothing else running; then the
      // other four side by side, each round starting with the next of them, so none always runs
      // first (right after the agent or a round's last reading); medians reported.
      const checkedNoop = async (round) => {
        const noop = await runEngine(syncRequest(sandbox, ou), `noop-${NOOP}-${round}`);
        const result = noop.lines.find((l) => l.type === 'record' && l.recordType === 'JumpCloudADI.SyncResult')?.data;
        // Nothing planned and nothing reported: an anchor whose proof did not fit would be skipped (reported), not planned.
        if (result?.Planned !== 0 || result?.Reported !== 0)
          throw new Error(
            `the no-op reconcile of ${NOOP} planned ${result?.Planned} operations and reported ${result?.Reported}: the seed does not match what the sync would write`,
          );
        return noop;
      };
      const checkedRead = async () => {
        const read = await readBothSides(sandbox, session, ou, names);
        if (read.actual.users.length !== NOOP) throw new Error(`read back ${read.actual.users.length} users`);
        return read;
      };
      const checkedFresh = async (round, readings = 1) => {
        const fresh = await readBothSidesFresh(sandbox, ou, names, `read-both-${NOOP}-${round}-${readings}`, readings);
        if (fresh.read?.users !== NOOP || fresh.read.readingsMs.length !== readings)
          throw new Error(`the fresh-process reader read ${fresh.read?.users} users`);
        return fresh;
      };
      // The second of two readings in one process: warm, with the engine's settings.
      const checkedWarmProcess = async (round) => {
        const twice = await checkedFresh(round, 2);
        return { ms: twice.read.readingsMs[1], firstMs: twice.read.readingsMs[0] };
      };
      const kinds = [
        ['noop', checkedNoop],
        ['read', checkedRead],
        ['fresh', checkedFresh],
        ['warmProcess', checkedWarmProcess],
      ];
      const rounds = [];
      let passedOver = 0;
      try {
        let roundEnd = Date.now();
        for (let round = 1; round <= NOOP_ROUNDS; round++) {
          const scheduled = await nextScheduledReconcile(agent, roundEnd);
          passedOver += scheduled.passedOver;
          const measured = { scheduled };
          for (let i = 0; i < kinds.length; i++) {
            const [kind, measure] = kinds[(round - 1 + i) % kinds.length];
            measured[kind] = await measure(round);
          }
          roundEnd = Date.now();
          const { noop, read, fresh, warmProcess } = measured;
          rounds.push(measured);
          console.log(
            `(round ${round}: the agent's scheduled reconcile ${secondsText(scheduled.ms)}, ${scheduled.rssMb.toFixed(0)} MB resident right after it; no-op ${secondsText(noop.ms)}, peak ${noop.peakMb.toFixed(0)} MB; read in this process ${secondsText(read.ms)}; read in a fresh process ${secondsText(fresh.ms)}, peak ${fresh.peakMb.toFixed(0)} MB; read twice in one process ${secondsText(warmProcess.firstMs)} then ${secondsText(warmProcess.ms)})`,
          );
        }
      } finally {
        await agent.stop();
      }
      const noopMs = median(rounds.map((r) => r.noop.ms));
      const spread = (values, unit) => `${Math.min(...values).toFixed(unit === 's' ? 1 : 0)}-${Math.max(...values).toFixed(unit === 's' ? 1 : 0)} ${unit}`;
      const each = { rounds: rounds.length, noopSeconds: rounds.map((r) => seconds(r.noop.ms)) };
      // Each round's own ratio too: the DC's pace moves all three of a round together.
      const roundRatios = (baseline) => rounds.map((r) => Math.round((r.noop.ms / r[baseline].ms) * 100) / 100);
      row(
        `sync ${NOOP}`,
        `no-op reconcile of ${NOOP.toLocaleString('en-US')} users, ${groups} groups (plans nothing), median of ${rounds.length} (${spread(each.noopSeconds, 's')})`,
        seconds(noopMs),
        's',
        'read both sides only (JumpCloud + AD), in this process (warm, V8 default heap)',
        seconds(median(rounds.map((r) => r.read.ms))),
        { seedSeconds: seconds(seedMs), ...each, baselineSeconds: rounds.map((r) => seconds(r.read.ms)), roundRatios: roundRatios('read') },
      );
      row(
        `sync ${NOOP}`,
        `the same no-op reconcile, median of ${rounds.length}`,
        seconds(noopMs),
        's',
        "read both sides only, in a fresh process with the engine's heap and malloc settings",
        seconds(median(rounds.map((r) => r.fresh.ms))),
        { ...each, baselineSeconds: rounds.map((r) => seconds(r.fresh.ms)), roundRatios: roundRatios('fresh') },
      );
      const scheduledMs = median(rounds.map((r) => r.scheduled.ms));
      const scheduledEach = { rounds: rounds.length, scheduledSeconds: rounds.map((r) => seconds(r.scheduled.ms)), passedOver };
      const scheduledRatios = (baseline) => rounds.map((r) => Math.round((r.scheduled.ms / r[baseline].ms) * 100) / 100);
      const last = rounds.at(-1).scheduled;
      row(
        `sync ${NOOP}`,
        `the agent's scheduled full reconcile of the same world (no-op, a warm process; its own timing), median of ${rounds.length} (${spread(scheduledEach.scheduledSeconds, 's')}; ${last.rssMb.toFixed(0)} MB resident right after it, peak ${last.peakMb.toFixed(0)} MB)`,
        seconds(scheduledMs),
        's',
        'read both sides only, in this process (warm, V8 default heap)',
        seconds(median(rounds.map((r) => r.read.ms))),
        {
          ...scheduledEach,
          baselineSeconds: rounds.map((r) => seconds(r.read.ms)),
          roundRatios: scheduledRatios('read'),
          rssMb: last.rssMb,
          peakMb: last.peakMb,
        },
      );
      row(
        `sync ${NOOP}`,
        `the agent's scheduled full reconcile, median of ${rounds.length}`,
        seconds(scheduledMs),
        's',
        "read both sides only, the second reading of a process with the engine's settings (warm, a process of its own, as the agent's)",
        seconds(median(rounds.map((r) => r.warmProcess.ms))),
        { ...scheduledEach, baselineSeconds: rounds.map((r) => seconds(r.warmProcess.ms)), roundRatios: scheduledRatios('warmProcess') },
      );
      const peaks = rounds.map((r) => r.noop.peakMb);
      row(
        `memory ${NOOP}`,
        `peak RSS of the engine, no-op reconcile of ${NOOP.toLocaleString('en-US')} users, median of ${rounds.length} (${spread(peaks, 'MB')})`,
        median(peaks),
        'MB',
        null,
        null,
        {
          peaks,
        },
      );
      const readPeaks = rounds.map((r) => r.fresh.peakMb);
      row(
        `memory ${NOOP}`,
        `peak RSS of reading both sides of ${NOOP.toLocaleString('en-US')} users in a fresh process with the engine's settings (no plan), median of ${rounds.length} (${spread(readPeaks, 'MB')})`,
        median(readPeaks),
        'MB',
        null,
        null,
        {
          peaks: readPeaks,
        },
      );
    } finally {
      await sandbox.close();
      // A DC of its own (--tree-delete) is thrown away after the run: deleting 10,000 objects
      // would only add minutes to the benchmark.
      if (!values['tree-delete']) await removeOu(session, ou);
    }
  }

  // The engine's footprint doing nothing: the baseline of the memory rows.
  const idle = await runEngine({ protocol: 1, command: 'version', logFile: join(work, 'engine.log') }, 'version');
  for (const r of results.filter((x) => x.unit === 'MB')) {
    r.baseline = '`jcadi-engine exec` of a version request';
    r.baselineValue = idle.peakMb;
    r.ratio = r.value / idle.peakMb;
  }
  console.log(`(peak RSS of a version request, the engine's idle footprint: ${idle.peakMb.toFixed(0)} MB)`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ dc: info.host, orgs: ORGS, noop: NOOP, rows: results }, null, 2));
} finally {
  await session.close();
  rmSync(work, { recursive: true, force: true });
}
