#!/usr/bin/env node
// Benchmark (figures, not a test) of what one change costs the sync agent, against the size of the
// org and of the managed scope. In a JumpCloud org of --org users (the in-process sandbox
// generates them; only the scope is synced), for each --sizes N managed users (seeded into AD
// WITHOUT passwords, as the sync would have written them, then one agent takes over):
//  1. change in JumpCloud → visible in AD, p50 / p95 / max over --changes changes, one after the
//     other, of every kind in turn: last name, rename, suspend, group membership, password;
//     baseline: the agent's takeover full reconcile of the same world, which is what every change
//     cost before targeted plans (a debounced full reconcile);
//  2. public-API calls per change (the sandbox's access log, the agent channel apart);
//  3. the agent's resident memory: idle after its full reconcile and the changes, and its peak.
// Then 4. the full reconcile (the agent's function, in process) of a --full-scope scope inside the
// --org org vs the same scope in an org of only those users.
// Real engine binary (build/jcadi-engine) for the agents, the sandbox in this process, the test DC
// of scripts/bench.sh (127.0.0.3) unless JCADI_TESTDC_DIR says otherwise.
// Usage: node --import tsx scripts/bench-targeted.mjs [--org 100000] [--sizes 100,2000,5000] [--changes 100] [--full-scope 2000] [--json FILE]
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Attribute, Change } from 'ldapts';
import { TreeDeleteControl } from '../tests/engine/helpers/faultworld.ts';
import { proveAnchors } from './bench-anchors.mjs';
import { median, procStatusMb, until } from './bench-stats.mjs';
import { peekAgentState } from '../engine/src/agent/state.ts';
import { agentPaths, syncSettingsSchema } from '../engine/src/agent/config.ts';
import { DEFAULT_BACKOFF } from '../engine/src/agent/failures.ts';
import { reconcile } from '../engine/src/agent/reconcile.ts';
import { dnsNameOf } from '../engine/src/ad/directory.ts';
import { escapeDnValue } from '../engine/src/ad/escape.ts';
import { resolveAnchorKey } from '../engine/src/ad/anchorkey.ts';
import { AdWriter } from '../engine/src/ad/writer.ts';
import { AdSession } from '../engine/src/ad/session.ts';
import { JumpCloudClient } from '../engine/src/jumpcloud/client.ts';
import { startSandbox } from '../engine/src/sandbox/server.ts';
import { memoryJournal } from '../engine/src/sync/journal.ts';
import { exec, installAgent } from '../tests/engine/helpers/agent.ts';
import { adminDc, testDc } from '../tests/engine/helpers/testdc.ts';

process.env.JCADI_TESTDC_DIR ??= join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'testdc');
const { values } = parseArgs({
  options: {
    org: { type: 'string', default: '100000' },
    sizes: { type: 'string', default: '100,2000,5000' },
    changes: { type: 'string', default: '100' },
    'full-scope': { type: 'string', default: '2000' },
    json: { type: 'string' },
  },
});
const ORG = Number(values.org);
const SIZES = values.sizes.split(',').map(Number);
const CHANGES = Number(values.changes);
const FULL_SCOPE = Number(values['full-scope']);
// The agent's memory under other launch environments, each after a restart (its full reconcile):
// BENCH_TARGETED_MEMORY='{"name": {"NODE_OPTIONS": "...", "MALLOC_ARENA_MAX": "2"}, ...}'; the
// launchers' own environment (agent-start) is measured the same way beside them.
const MEMORY_VARIANTS = JSON.parse(process.env.BENCH_TARGETED_MEMORY ?? '{}');
const KINDS = ['last name', 'rename', 'suspend', 'group membership', 'password'];
const info = testDc();
const suffix = dnsNameOf(info.baseDN);
const work = mkdtempSync(join(tmpdir(), 'jcadi-bench-targeted-'));
const log = join(work, 'exec.log');
const tag = Date.now().toString(36);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const GROUP_TYPE_GLOBAL_SECURITY = String(0x80000002 | 0);
const results = [];

const session = await AdSession.open(adminDc({ timeoutMs: 300_000 }));
const requests = [];
const sandbox = await startSandbox({
  dataDir: join(work, 'sandbox'),
  port: 0,
  seed: 'empty',
  saveDelayMs: 600_000,
  agentTimeoutMs: 15_000,
  heartbeatIntervalMs: 5000,
  accessLog: (line) => requests.push(line),
});
const agent = new https.Agent({ ca: sandbox.caPem, keepAlive: true });
const admin = (method, path, body, target = sandbox) =>
  new Promise((resolve, reject) => {
    const req = https.request(
      `${target.url}/sandbox/admin${path}`,
      { method, agent: target === sandbox ? agent : undefined, ca: target.caPem, headers: { 'x-api-key': target.apiKey, 'Content-Type': 'application/json' } },
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

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const stats = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) };
};
const s2 = (ms) => (ms / 1000).toFixed(2);
const userEntry = (u) => ({
  objectClass: ['top', 'person', 'organizationalPerson', 'user'],
  cn: u.username,
  sAMAccountName: u.username,
  userPrincipalName: `${u.username}@${suffix}`,
  givenName: u.firstname,
  sn: u.lastname,
  displayName: `${u.firstname} ${u.lastname}`,
  mail: u.email,
  userAccountControl: '512',
  adminDescription: `JumpCloud:${u._id}`,
});
const groupEntry = (g) => ({
  objectClass: ['top', 'group'],
  cn: g.name,
  sAMAccountName: g.name,
  groupType: GROUP_TYPE_GLOBAL_SECURITY,
  description: g.description ?? '',
  adminDescription: `JumpCloud:${g.id}`,
});
async function addMembers(groupDn, dns) {
  for (let i = 0; i < dns.length; i += 500)
    await session.ldapClient.modify(groupDn, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: dns.slice(i, i + 500) }) }),
    ]);
}
/**
 * Seeds AD as the sync would have written the scope (no passwords): the root's anchor key object
 * (made as the sync makes it, by the same account the agents bind as), then every object, then
 * each anchor's proof for its objectGUID (docs/anchor-trust.md).
 */
async function seed(ou, users, groups) {
  await session.ldapClient.add(ou, { objectClass: ['top', 'organizationalUnit'] });
  const { key } = await resolveAnchorKey(session, new AdWriter(session, 'adminDescription'), {
    rootDN: ou,
    anchorAttribute: 'adminDescription',
    explicit: null,
    create: true,
  });
  const dnOf = new Map();
  for (const u of users) {
    const dn = `CN=${escapeDnValue(u.username)},${ou}`;
    dnOf.set(u._id, dn);
    await session.ldapClient.add(dn, userEntry(u));
  }
  for (const g of groups) {
    const dn = `CN=${escapeDnValue(g.name)},${ou}`;
    await session.ldapClient.add(dn, groupEntry(g));
    await addMembers(
      dn,
      g.members.map((id) => dnOf.get(id)),
    );
  }
  await proveAnchors(session, ou, key);
}
async function removeOu(ou) {
  // The benchmark's own DC is provisioned afresh for each run and stopped after it (scripts/bench.sh):
  // a tree delete of 25,000 objects would take Samba minutes for nothing.
  if (process.env.JCADI_BENCH_OWN_DC === '1' && !process.env.JCADI_KEEP_TESTDC) return undefined;
  if (process.env.JCADI_BENCH_OWN_DC === '1') return session.ldapClient.del(ou, [new TreeDeleteControl()]).catch(() => undefined);
  const dns = [];
  for await (const page of session.searchPaged(ou, { scope: 'sub', filter: '(objectClass=*)', attributes: ['objectClass'] }, 1000))
    dns.push(...page.map((e) => e.dn));
  for (const dn of dns.sort((a, b) => b.length - a.length)) await session.ldapClient.del(dn).catch(() => undefined);
}
const DOMAIN = 'DC=example;DC=com';
/** The one ADI domain of a sandbox (an ADI domain is the AD domain: every scope binds to it in turn). */
async function domainOf(target) {
  const found = target.store.domainList().find((d) => d.domain === DOMAIN);
  return found ?? (await admin('POST', '/domains', { domain: DOMAIN }, target));
}
/** Binds this scope's groups to the domain, and only them (no change events: a fixture step). */
function bindOnly(target, scope) {
  const b = target.store.domainBindings(scope.domainId);
  b.groups.clear();
  b.users.clear();
  for (const g of scope.groups) b.groups.add(g.id);
}
/** A scope of n users: a group of them all, plus an empty group for membership changes (bound by bindOnly). */
async function makeScope(target, label, n) {
  const domain = DOMAIN;
  const d = await domainOf(target);
  const store = target.store;
  const before = new Set(store.users.keys());
  await admin('POST', '/users/generate', { count: n, prefix: `${label}u` }, target);
  const users = [...store.users.values()].filter((u) => !before.has(u._id));
  const all = store.createGroup({ name: `${label}-all`, description: 'scope' });
  const team = store.createGroup({ name: `${label}-team`, description: 'membership changes' });
  for (const u of users) store.members.get(all.id).add(u._id);
  return {
    domain,
    domainId: d.id,
    users,
    groups: [
      { ...all, members: users.map((u) => u._id) },
      { ...team, members: [] },
    ],
  };
}

const installs = [];
try {
  // The org: the scopes, then generated users outside any scope up to --org.
  const scopes = [];
  // Short prefixes: a rename appends a letter, and a logon name has at most 20 characters.
  for (const [i, n] of SIZES.entries()) scopes.push({ n, ...(await makeScope(sandbox, `t${tag.slice(-4)}${i}`, n)) });
  const rest = ORG - sandbox.store.users.size;
  if (rest > 0) await admin('POST', '/users/generate', { count: rest, prefix: `x${tag.slice(-4)}` });
  console.log(
    `targeted changes benchmark: a JumpCloud org of ${sandbox.store.users.size.toLocaleString('en-US')} users; scopes of ${SIZES.join(', ')} managed users (seeded into AD without passwords); ${CHANGES} changes per size (${KINDS.join(', ')} in turn); test DC ${info.host}`,
  );
  console.log('| what | n | p50 s | p95 s | max s | public API calls per change (p50 / max) | baseline: full reconcile s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const jumpcloud = { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile };
  const latency = {};
  for (const scope of scopes) {
    const ou = `OU=bench-targeted-${scope.n}-${tag},${info.baseDN}`;
    scope.ou = ou;
    bindOnly(sandbox, scope);
    const seedStarted = performance.now();
    await seed(ou, scope.users, scope.groups);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: scope.domain }, log);
    const installed = await installAgent({ jumpcloud, domain: scope.domain, rootUserDN: ou.replace(/,/g, ';'), connectKey: String(key.records[0]?.Key) }, log);
    if (installed.result.code !== 0) throw new Error(installed.result.raw);
    installs.push(installed.installPath);
    const started = await exec('agent-start', { installPath: installed.installPath, timeoutSeconds: 120 }, log);
    if (started.code !== 0) throw new Error(started.raw);
    const state = () => peekAgentState(agentPaths(installed.installPath).state);
    await until(async () => state()?.lastFullReconcile != null, 900_000, 250);
    const takeover = state().lastFullReconcile;
    // The agent's start-up work ends with its first offboarding check, which looks at every
    // managed account once (no change-tracking watermark yet): changes are timed after it.
    await until(async () => (state()?.counters.offboardChecks ?? 0) >= 1, 300_000, 250);
    if (takeover.planned !== 0) throw new Error(`the takeover reconcile of ${scope.n} planned ${takeover.planned} operations: the seed does not match`);
    const pid = state().pid;

    const team = scope.groups[1];
    const teamDn = `CN=${escapeDnValue(team.name)},${ou}`;
    const byKind = Object.fromEntries(KINDS.map((k) => [k, []]));
    const calls = [];
    const stride = Math.max(1, Math.floor(scope.users.length / CHANGES));
    for (let i = 0; i < CHANGES; i++) {
      const user = scope.users[(i * stride) % scope.users.length];
      const kind = KINDS[i % KINDS.length];
      const dn = `CN=${escapeDnValue(user.username)},${ou}`;
      const read = async (filter, attributes) => (await session.search(ou, { scope: 'sub', filter, attributes }))[0];
      const mark = requests.length;
      const t0 = performance.now();
      let t1;
      if (kind === 'last name') {
        await admin('PATCH', `/users/${user._id}`, { lastname: `Changed${i}` });
        t1 = await until(async () => String([(await read(`(sAMAccountName=${user.username})`, ['sn']))?.sn].flat()[0]) === `Changed${i}`, 120_000);
      } else if (kind === 'rename') {
        const renamed = `${user.username}r`;
        await admin('PATCH', `/users/${user._id}`, { username: renamed });
        t1 = await until(async () => (await read(`(sAMAccountName=${renamed})`, ['cn'])) !== undefined, 120_000);
      } else if (kind === 'suspend') {
        await admin('PATCH', `/users/${user._id}`, { suspended: true });
        t1 = await until(
          async () => (Number([(await read(`(sAMAccountName=${user.username})`, ['userAccountControl']))?.userAccountControl].flat()[0]) & 2) === 2,
          120_000,
        );
      } else if (kind === 'group membership') {
        await admin('POST', `/groups/${team.id}/members`, { user: user._id });
        t1 = await until(
          async () => [(await session.search(teamDn, { scope: 'base', filter: `(member=${dn})`, attributes: ['cn'] }))[0]].filter(Boolean).length === 1,
          120_000,
        );
      } else {
        const password = `Bench-${tag}-Pw!${i}`;
        await admin('PATCH', `/users/${user._id}`, { password });
        t1 = await until(
          async () => {
            try {
              await (await AdSession.open(adminDc({ bindDN: `${user.username}@${suffix}`, bindPassword: password }))).close();
              return true;
            } catch {
              return false;
            }
          },
          120_000,
          50,
        );
      }
      byKind[kind].push(t1 - t0);
      // Let the agent finish the turn (the cursor saved), then count what it asked of the public API.
      await sleep(150);
      calls.push(requests.slice(mark).filter((l) => /^(GET|POST|PUT|DELETE) \/(api|insights)\//.test(l)).length);
    }
    await sleep(3000);
    const idleMb = procStatusMb(pid, 'VmRSS');
    const peakMb = procStatusMb(pid, 'VmHWM');
    const all = stats(Object.values(byKind).flat());
    const c = stats(calls);
    latency[scope.n] = {
      ...all,
      calls: c,
      baselineMs: takeover.durationMs,
      idleMb,
      peakMb,
      seedSeconds,
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, stats(v)])),
    };
    console.log(
      `| ${scope.n.toLocaleString('en-US')} managed users: change → visible in AD (all kinds) | ${all.n} | ${s2(all.p50)} | ${s2(all.p95)} | ${s2(all.max)} | ${c.p50} / ${c.max} | ${s2(takeover.durationMs)} |`,
    );
    for (const [k, v] of Object.entries(latency[scope.n].byKind)) console.log(`| … ${k} | ${v.n} | ${s2(v.p50)} | ${s2(v.p95)} | ${s2(v.max)} | | |`);
    console.log(
      `(seeded in ${seedSeconds.toFixed(0)} s; the agent's memory after its full reconcile and the changes: ${idleMb.toFixed(0)} MB resident, ${peakMb.toFixed(0)} MB peak)`,
    );
    latency[scope.n].memory = {};
    for (const [name, env] of Object.entries(MEMORY_VARIANTS).length ? [['launchers (agent-start)', null], ...Object.entries(MEMORY_VARIANTS)] : []) {
      await exec('agent-stop', { installPath: installed.installPath, timeoutSeconds: 20 }, log);
      const before = state().lastFullReconcileAt;
      let vpid;
      if (env === null) {
        const again = await exec('agent-start', { installPath: installed.installPath, timeoutSeconds: 120 }, log);
        if (again.code !== 0) throw new Error(again.raw);
      } else {
        const paths = agentPaths(installed.installPath);
        const child = spawn(paths.engine, ['run', '--config', paths.config], {
          detached: true,
          stdio: 'ignore',
          cwd: paths.installPath,
          env: { PATH: process.env.PATH, ...env },
        });
        let gone = false;
        child.on('exit', () => (gone = true));
        child.unref();
        vpid = child.pid;
        await until(async () => gone || (state()?.lastFullReconcileAt !== before && state()?.pid === vpid), 900_000, 250);
        if (gone) {
          console.log(`(memory, ${scope.n} users, ${name}: the agent exited at start; env ${JSON.stringify(env)})`);
          continue;
        }
      }
      await until(async () => state()?.lastFullReconcileAt !== before, 900_000, 250);
      await sleep(5000);
      const p = state().pid;
      const m = { idleMb: procStatusMb(p, 'VmRSS'), peakMb: procStatusMb(p, 'VmHWM'), reconcileMs: state().lastFullReconcile.durationMs };
      latency[scope.n].memory[name] = m;
      console.log(
        `(memory, ${scope.n} users, ${name}: ${m.idleMb.toFixed(0)} MB resident / ${m.peakMb.toFixed(0)} MB peak after a restart's full reconcile of ${s2(m.reconcileMs)} s; env ${JSON.stringify(env)})`,
      );
    }
    await exec('agent-stop', { installPath: installed.installPath, timeoutSeconds: 20 }, log);
  }
  const first = latency[SIZES[0]];
  const last = latency[SIZES.at(-1)];
  for (const n of SIZES) {
    const l = latency[n];
    results.push({
      area: 'agent',
      what: `change in JumpCloud → visible in AD, ${n.toLocaleString('en-US')} managed users in a ${ORG.toLocaleString('en-US')}-user org, ${l.n} changes of 5 kinds (p50 / p95 / max)`,
      display: `${s2(l.p50)} / ${s2(l.p95)} / ${s2(l.max)} s`,
      value: l.p95 / 1000,
      unit: 's',
      baseline: 'the full reconcile every change cost before (the takeover reconcile, same world)',
      baselineValue: l.baselineMs / 1000,
      ratio: l.p95 / l.baselineMs,
    });
    results.push({
      area: 'agent',
      what: `JumpCloud public-API calls per change, ${n.toLocaleString('en-US')} managed users (p50 / max)`,
      display: `${l.calls.p50} / ${l.calls.max}`,
      value: l.calls.max,
      unit: 'calls',
      baseline: 'target',
      baselineValue: 5,
      ratio: l.calls.max / 5,
    });
  }
  results.push({
    area: 'agent',
    what: `p95 latency at ${SIZES.at(-1).toLocaleString('en-US')} vs at ${SIZES[0].toLocaleString('en-US')} managed users`,
    display: `${s2(last.p95)} s`,
    value: last.p95 / 1000,
    unit: 's',
    baseline: `p95 at ${SIZES[0]} managed users`,
    baselineValue: first.p95 / 1000,
    ratio: last.p95 / first.p95,
  });
  results.push({
    area: 'agent',
    what: `the agent's idle RSS after its full reconcile of ${SIZES.at(-1).toLocaleString('en-US')} users and ${CHANGES} changes (peak ${last.peakMb.toFixed(0)} MB)`,
    value: last.idleMb,
    unit: 'MB',
    baseline: `idle RSS at ${SIZES[0]} managed users`,
    baselineValue: first.idleMb,
    ratio: last.idleMb / first.idleMb,
  });

  // 4. A full reconcile of the same scope size in the big org and in an org of only those users:
  // both worlds made first, then FULL_ROUNDS rounds alternating between them (one reconcile of
  // about a second moves by a few tenths on a busy machine, and the DC writes of seeding the second
  // world right before its runs slowed them), medians; the first run of each proves nothing new.
  const FULL_ROUNDS = 5;
  const fullOnce = async (requestLog, scope, label) => {
    const mark = requestLog.length;
    const started = performance.now();
    const r = await reconcile({
      client: scope.client,
      session,
      domainId: scope.domainId,
      rootDN: scope.ou,
      settings: syncSettingsSchema.parse({}),
      journal: memoryJournal(),
      failures: {},
      reported: {},
      backoff: DEFAULT_BACKOFF,
      signal: new globalThis.AbortController().signal,
      now: () => new Date(),
    });
    const ms = performance.now() - started;
    return { ms, calls: requestLog.length - mark, planned: r.planned, label };
  };
  let big = scopes.find((s) => s.n === FULL_SCOPE);
  if (!big) {
    big = { n: FULL_SCOPE, ...(await makeScope(sandbox, `f${tag.slice(-4)}`, FULL_SCOPE)) };
    big.ou = `OU=bench-targeted-full-${tag},${info.baseDN}`;
    await seed(big.ou, big.users, big.groups);
  }
  bindOnly(sandbox, big);
  const smallRequests = [];
  const small = await startSandbox({
    dataDir: join(work, 'sandbox-small'),
    port: 0,
    seed: 'empty',
    saveDelayMs: 600_000,
    accessLog: (line) => smallRequests.push(line),
  });
  try {
    const alone = { n: FULL_SCOPE, ...(await makeScope(small, `a${tag.slice(-4)}`, FULL_SCOPE)) };
    alone.ou = `OU=bench-targeted-alone-${tag},${info.baseDN}`;
    bindOnly(small, alone);
    await seed(alone.ou, alone.users, alone.groups);
    big.client = new JumpCloudClient({ baseUrl: sandbox.url, apiKey: sandbox.apiKey, ca: sandbox.caPem, timeoutMs: 60_000 });
    alone.client = new JumpCloudClient({ baseUrl: small.url, apiKey: small.apiKey, ca: small.caPem, timeoutMs: 60_000 });
    const runs = { big: [], alone: [] };
    for (let round = 0; round <= FULL_ROUNDS; round++) {
      const inBig = await fullOnce(requests, big, 'the big org');
      const inAlone = await fullOnce(smallRequests, alone, 'the small org');
      if (round === 0) continue;
      for (const run of [inBig, inAlone]) if (run.planned !== 0) throw new Error(`the full reconcile of ${run.label} planned ${run.planned} operations`);
      runs.big.push(inBig);
      runs.alone.push(inAlone);
    }
    big.client.close();
    alone.client.close();
    const inBig = { ms: median(runs.big.map((r) => r.ms)), calls: runs.big[0].calls };
    const inSmall = { ms: median(runs.alone.map((r) => r.ms)) };
    const spread = (list) => `${s2(Math.min(...list.map((r) => r.ms)))}-${s2(Math.max(...list.map((r) => r.ms)))}`;
    console.log(
      `| full reconcile of a ${FULL_SCOPE.toLocaleString('en-US')}-user scope (median of ${FULL_ROUNDS}, alternating): in the ${sandbox.store.users.size.toLocaleString('en-US')}-user org ${s2(inBig.ms)} s (${spread(runs.big)}; ${inBig.calls} API calls), in a ${FULL_SCOPE.toLocaleString('en-US')}-user org ${s2(inSmall.ms)} s (${spread(runs.alone)}) | | | | | | |`,
    );
    results.push({
      area: 'sync',
      what: `full reconcile (no-op) of a ${FULL_SCOPE.toLocaleString('en-US')}-user scope in a ${sandbox.store.users.size.toLocaleString('en-US')}-user org (${inBig.calls} JumpCloud calls), median of ${FULL_ROUNDS} (${spread(runs.big)} s)`,
      value: inBig.ms / 1000,
      unit: 's',
      baseline: `the same scope in a ${FULL_SCOPE.toLocaleString('en-US')}-user org, alternating with it (${spread(runs.alone)} s)`,
      baselineValue: inSmall.ms / 1000,
      ratio: inBig.ms / inSmall.ms,
    });
    await removeOu(alone.ou);
  } finally {
    await small.close();
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ dc: info.host, org: ORG, sizes: SIZES, changes: CHANGES, latency, rows: results }, null, 2));
} finally {
  for (const installPath of installs) {
    await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log).catch(() => undefined);
    rmSync(dirname(installPath), { recursive: true, force: true });
  }
  for (const ou of (await session.search(info.baseDN, { scope: 'one', filter: `(ou=bench-targeted-*${tag})`, attributes: ['ou'] })).map((e) => e.dn))
    await removeOu(ou);
  await session.close();
  agent.destroy();
  await sandbox.close();
  rmSync(work, { recursive: true, force: true });
}
