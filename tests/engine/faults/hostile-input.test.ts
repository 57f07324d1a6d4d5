// The hostile-input corpus (tests/fixtures/hostile/corpus.json, made by
// scripts/make-hostile-corpus.mjs) through the whole path, on the suite's private DC:
//   users and groups with hostile names, e-mails and descriptions: sandbox (as JumpCloud) → sync
//   (the built engine) → Samba; CSV cells: csv-import → sandbox → sync → Samba; Root User DNs:
//   test-rootdn, offline and against the DC; engine requests; the sandbox's admin payloads.
// Every entry must end as the corpus says: created exactly (the value read back from AD), skipped
// with its reason code, refused by JumpCloud with a message, or failed with an AD error naming the
// object. Nothing else may be read or written: the objects under the root container are exactly the
// expected ones; the highestCommittedUSN change list shows no write outside it (the private DC has
// no other writer); a decoy OU beside it is left untouched; the reader's searches return no object
// outside the root container but the known holders of taken names.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Entry } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import { escapeDnValue } from '../../../engine/src/ad/escape';
import { AdSession } from '../../../engine/src/ad/session';
import { execRequest } from '../../../engine/src/cli/exec';
import { spawn } from 'node:child_process';
import {
  adminDc,
  canaryUserPassword,
  DOMAIN,
  execInProcess,
  faultSandbox,
  faultWork,
  faultWorld,
  scenarioOU,
  spawnEngine,
  testDc,
  TreeDeleteControl,
} from '../helpers/faultworld';
import { readAdObjects, type AdObject } from '../helpers/orgmodel';
import { REPO_ROOT } from '../helpers/testdc';
import type { TestSandbox } from '../integration/sandbox-harness';

interface HostileEntry {
  id: string;
  surface: string;
  family: string;
  value: string;
  expect: string;
  stored?: string;
  ldapDN?: string | null;
  column?: string;
  errorId?: string | null;
  row?: number;
  field?: string | null;
  decoy?: boolean;
}

const corpus = (JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'hostile', 'corpus.json'), 'utf8')) as { entries: HostileEntry[] }).entries;
const of = (surface: string) => corpus.filter((e) => e.surface === surface);
const label = (e: HostileEntry) => `${e.id} ${JSON.stringify(e.value).slice(0, 60)}`;
const DECOY_USERS = ['decoyzoë', 'decoyаdm', 'decoy1'];
/** What the DC itself writes while accounts are created: a new RID pool every 500 security principals. */
const SYSTEM_CHANGES = [/^CN=RID Set,CN=[^,]+,OU=Domain Controllers,DC=example,DC=com$/i, /^CN=RID Manager\$,CN=System,DC=example,DC=com$/i];

async function highestUsn(session: AdSession): Promise<number> {
  return Number((await session.rootDse()).highestCommittedUSN);
}

/** DNs of every object in the domain written since `usn`. */
async function changedSince(session: AdSession, usn: number): Promise<string[]> {
  const changed: string[] = [];
  for await (const page of session.searchPaged(testDc().baseDN, { scope: 'sub', filter: `(uSNChanged>=${usn + 1})`, attributes: ['uSNChanged'] }, 1000))
    changed.push(...page.map((e) => e.dn));
  return changed;
}

function outsideChanges(changed: string[], rootDN: string): string[] {
  const root = rootDN.toLowerCase();
  return changed.filter((dn) => dn.toLowerCase() !== root && !dn.toLowerCase().endsWith(`,${root}`) && !SYSTEM_CHANGES.some((p) => p.test(dn)));
}

/** Everything about every object under `dn`, to prove later that none of it changed. */
async function snapshot(session: AdSession, dn: string): Promise<string> {
  const entries: Entry[] = [];
  for await (const page of session.searchPaged(dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['*', 'uSNChanged', 'whenChanged'] }, 1000))
    entries.push(...page);
  return JSON.stringify(
    entries.map((e) => Object.fromEntries(Object.entries(e).sort(([a], [b]) => a.localeCompare(b)))).sort((a, b) => String(a.dn).localeCompare(String(b.dn))),
  );
}

/** Records every entry a search returns to the reader (the reader is handed this instead of the session). */
function spyOn(session: AdSession) {
  const returned = new Set<string>();
  const spy = {
    // The connection settings: the forest-wide UPN check reads dc.globalCatalog (and its host for a GC).
    dc: session.dc,
    where: session.where,
    rootDse: () => session.rootDse(),
    async search(...args: Parameters<AdSession['search']>) {
      const entries = await session.search(...args);
      for (const e of entries) returned.add(e.dn);
      return entries;
    },
    async *searchPaged(...args: Parameters<AdSession['searchPaged']>) {
      for await (const page of session.searchPaged(...args)) {
        for (const e of page) returned.add(e.dn);
        yield page;
      }
    },
  };
  return { spy: spy as unknown as AdSession, returned };
}

/** An RDN value as written in a DN (RFC 4514 escapes: \c and \XX hex pairs of UTF-8) → the value. */
function unescapeRdnValue(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (text[i] === '\\') {
      bytes.push(...Buffer.from(text[i + 1] ?? '', 'utf8'));
      i += 1;
    } else {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length - 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function byAnchor(objects: AdObject[]): Map<string, AdObject> {
  const map = new Map<string, AdObject>();
  for (const o of objects) {
    const anchor = /^JumpCloud:([A-Za-z0-9_-]+)/.exec(o.attributes.adminDescription ?? '')?.[1];
    assert.ok(anchor, `${o.dn} carries our anchor`);
    assert.ok(!map.has(anchor), `anchor ${anchor} once`);
    map.set(anchor, o);
  }
  return map;
}

/** POSTs a raw JSON text to the sandbox's admin surface. */
function rawAdmin(sb: TestSandbox, path: string, text: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${sb.url}/sandbox/admin${path}`,
      { method: 'POST', ca: sb.caPem, headers: { 'x-api-key': sb.apiKey, 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('hostile input through the whole path', { timeout: 900_000 }, () => {
  let admin: AdSession;
  let decoyOU: string;
  let decoyBefore: string;

  before(async () => {
    assert.ok(corpus.length >= 200, `at least 200 hostile entries (${corpus.length})`);
    admin = await AdSession.open(adminDc({ timeoutMs: 120_000 }));
    // A sibling of the root containers: accounts whose names hostile input aims at.
    decoyOU = `OU=hostile-decoy-${Date.now().toString(36)},${faultWorld().runOU}`;
    await admin.ldapClient.add(decoyOU, { objectClass: ['top', 'organizationalUnit'] });
    for (const name of DECOY_USERS) {
      await admin.ldapClient.add(`CN=${escapeDnValue(name)},${decoyOU}`, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: name,
        userPrincipalName: `${name}@example.com`,
        userAccountControl: '514',
        adminDescription: 'not JumpCloud',
      });
    }
    await admin.ldapClient.add(`CN=decoygrp,${decoyOU}`, { objectClass: ['top', 'group'], sAMAccountName: 'decoygrp', member: [`CN=decoy1,${decoyOU}`] });
    decoyBefore = await snapshot(admin, decoyOU);
  });

  after(async () => {
    if (decoyOU) await admin.ldapClient.del(decoyOU, [new TreeDeleteControl()]).catch(() => undefined);
    await admin?.close();
  });

  it('users: hostile usernames, first and last names and e-mails end exactly as expected', async (t) => {
    const entries = [...of('username'), ...of('firstname'), ...of('lastname'), ...of('email')];
    const sb = await faultSandbox('hostile-users');
    const ou = await scenarioOU('hostile-users');
    try {
      const call = async (method: string, path: string, body?: unknown) => sb.call(method, `/sandbox/admin${path}`, body);
      await call('POST', '/domains', { domain: DOMAIN });
      const group = (await call('POST', '/groups', { name: 'hostile-users', bindToDomain: DOMAIN })).body as { id: string };
      const jcIds = new Map<string, string>();
      let n = 0;
      for (const e of entries) {
        n++;
        const plain = { firstname: 'Plain', lastname: 'Person', groups: [group.id] };
        const body =
          e.surface === 'username'
            ? { ...plain, username: e.value, email: `hu${n}@example.com` }
            : e.surface === 'email'
              ? { ...plain, username: `hm${n}`, email: e.value }
              : { ...plain, username: `h${e.surface[0]}${n}`, email: `h${n}@example.com`, [e.surface]: e.value };
        const res = await call('POST', '/users', body);
        if (e.expect.startsWith('refused:')) {
          assert.equal(res.status, 400, `${label(e)}: JumpCloud refuses it`);
          assert.match(String((res.body as { message?: string }).message), /\w{4}/, `${label(e)}: with a reason`);
          continue;
        }
        assert.equal(res.status, 201, `${label(e)}: ${JSON.stringify(res.body)}`);
        jcIds.set(e.id, String((res.body as { _id: string })._id));
      }

      const params = {
        jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
        dc: adminDc(),
        domain: DOMAIN,
        rootUserDN: ou.rootUserDN,
        force: true,
      };
      const usnBefore = await highestUsn(admin);
      const plan = await execInProcess('sync-plan', params, 'hostile-users-plan');
      assert.equal(plan.code, 0, plan.raw.slice(0, 1000));
      const failingDns = new Set<string>();
      const failingNames: string[] = [];
      for (const e of entries.filter((x) => jcIds.has(x.id))) {
        const ops = plan.records.filter((r) => r.JumpCloudId === jcIds.get(e.id));
        if (e.expect === 'created' || e.expect === 'failed:AD') {
          assert.deepEqual(
            ops.map((o) => o.Operation),
            ['createUser'],
            `${label(e)}: planned as a new account`,
          );
          if (e.expect === 'failed:AD') {
            failingDns.add(String(ops[0]?.DN).toLowerCase());
            failingNames.push(String(ops[0]?.Target));
          }
        } else {
          const code = e.expect.slice('skip:'.length);
          assert.deepEqual(
            ops.map((o) => `${o.Operation}:${o.Code}`),
            [`skip:${code}`],
            `${label(e)}: skipped as ${code}`,
          );
          assert.match(String(ops[0]?.Reason), /\w{4}/, `${label(e)}: the skip says why`);
        }
      }
      const known = new Set([...jcIds.values(), group.id]);
      assert.deepEqual(
        plan.records.filter((r) => r.JumpCloudId !== null && !known.has(String(r.JumpCloudId))),
        [],
        'nothing planned for objects outside the corpus',
      );

      const run = await spawnEngine('sync', { ...params, journalFile: join(faultWork(), 'journals', 'hostile-users.jsonl') }, 'hostile-users-sync').result();
      assert.equal(run.stderr, '');
      assert.equal(run.code, failingDns.size > 0 ? 1 : 0, run.raw.slice(0, 1500));
      // Each refused account, and its membership (which names the member and the group).
      const errorTargets = run.errors.map((e) => String(e.target).toLowerCase());
      const expectedTargets = [...failingDns, ...failingNames.map((n) => `${n} in hostile-users`.toLowerCase())];
      assert.deepEqual(errorTargets.sort(), expectedTargets.sort(), 'exactly the expected objects failed');
      for (const e of run.errors) {
        assert.match(String(e.id), /^AD\./);
        assert.match(String(e.message), /\w{4}/);
      }

      const objects = await readAdObjects(admin, ou.rootDN);
      const anchored = byAnchor(objects);
      const created = entries.filter((e) => e.expect === 'created');
      assert.equal(anchored.size, created.length + 1, 'exactly the created users and the group, nothing else');
      for (const e of created) {
        const o = anchored.get(jcIds.get(e.id) as string);
        assert.ok(o, `${label(e)}: created`);
        if (e.surface === 'username') {
          assert.equal(o.attributes.sAMAccountName, e.value, `${label(e)}: sAMAccountName read back`);
          assert.equal(o.attributes.cn, e.value, `${label(e)}: cn read back`);
          assert.equal(o.attributes.userPrincipalName, `${e.value}@example.com`);
          // The DC may escape differently (mid\#hash): compare the RDN's value, not the text.
          const rdn = /^CN=((?:\\.|[^,])+),(.*)$/i.exec(o.dn);
          assert.equal(unescapeRdnValue(rdn?.[1] ?? ''), e.value, `${label(e)}: RDN value`);
          assert.equal(rdn?.[2]?.toLowerCase(), ou.rootDN.toLowerCase(), `${label(e)}: directly under the root container`);
        } else {
          const attribute = { firstname: 'givenName', lastname: 'sn', email: 'mail' }[e.surface] as string;
          assert.equal(o.attributes[attribute], e.stored, `${label(e)}: ${attribute} read back`);
        }
      }
      assert.deepEqual(outsideChanges(await changedSince(admin, usnBefore), ou.rootDN), [], 'no write outside the root container');

      const again = await execInProcess('sync-plan', params, 'hostile-users-replan');
      const skipsBefore = plan.records.filter((r) => r.Operation === 'skip').map((r) => r.JumpCloudId);
      assert.deepEqual(
        again.records
          .filter((r) => r.Operation !== 'skip')
          .filter((r) => !(r.Operation === 'createUser' && failingDns.has(String(r.DN).toLowerCase())))
          .filter((r) => !(r.Operation === 'addMember' && failingNames.includes(String(r.Target))))
          .map((r) => `${r.Operation} ${r.Target}`),
        [],
        'converged: only the explained skips and failures are left',
      );
      assert.deepEqual(
        again.records.filter((r) => r.Operation === 'skip').map((r) => r.JumpCloudId),
        skipsBefore,
      );

      const { spy, returned } = spyOn(admin);
      const candidates = entries
        .filter((e) => jcIds.has(e.id))
        .map((e) => (e.surface === 'username' ? e.value : ''))
        .filter(Boolean);
      await readActualState(spy, { rootDN: ou.rootDN, candidateNames: [...candidates, 'hostile-users'] });
      const root = ou.rootDN.toLowerCase();
      // The schema's attribute limits and the forest's partitions are read from the configuration
      // naming context: directory metadata, not accounts, so they are not what this checks.
      const configuration = `cn=configuration,${testDc().baseDN}`.toLowerCase();
      const outside = [...returned]
        .filter((dn) => !dn.toLowerCase().endsWith(root) && !dn.toLowerCase().endsWith(configuration))
        .map((dn) => /^CN=((?:\\.|[^,])+)/i.exec(dn)?.[1]?.toLowerCase());
      assert.deepEqual(
        outside.sort(),
        ['administrator', 'decoyzoë', 'decoyаdm', 'guest', 'krbtgt'].sort(),
        'the reader saw nothing outside the root container but the holders of taken names',
      );
      t.diagnostic(
        `${entries.length} user entries: ${created.length} created, ${failingDns.size} failed in AD, ${[...jcIds.keys()].length - created.length - failingDns.size} skipped, ${entries.length - jcIds.size} refused by JumpCloud`,
      );
    } finally {
      await sb.close();
      await ou.close();
    }
  });

  it('groups: hostile group names and descriptions end exactly as expected', async (t) => {
    const entries = [...of('groupname'), ...of('description')];
    const sb = await faultSandbox('hostile-groups');
    const ou = await scenarioOU('hostile-groups');
    try {
      const call = async (method: string, path: string, body?: unknown) => sb.call(method, `/sandbox/admin${path}`, body);
      await call('POST', '/domains', { domain: DOMAIN });
      const member = (await call('POST', '/users', { username: 'hgmember', email: 'hgmember@example.com', firstname: 'Group', lastname: 'Member' })).body as {
        _id: string;
      };
      const jcIds = new Map<string, string>();
      let n = 0;
      for (const e of entries) {
        n++;
        const body =
          e.surface === 'groupname'
            ? { name: e.value, description: 'plain', members: [member._id], bindToDomain: DOMAIN }
            : { name: `hd${n}`, description: e.value, members: [member._id], bindToDomain: DOMAIN };
        const res = await call('POST', '/groups', body);
        if (e.expect.startsWith('refused:')) {
          assert.equal(res.status, 400, `${label(e)}: JumpCloud refuses it`);
          continue;
        }
        assert.equal(res.status, 201, `${label(e)}: ${JSON.stringify(res.body)}`);
        jcIds.set(e.id, String((res.body as { id: string }).id));
      }
      const params = {
        jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
        dc: adminDc(),
        domain: DOMAIN,
        rootUserDN: ou.rootUserDN,
        force: true,
      };
      const usnBefore = await highestUsn(admin);
      const plan = await execInProcess('sync-plan', params, 'hostile-groups-plan');
      assert.equal(plan.code, 0, plan.raw.slice(0, 1000));
      for (const e of entries.filter((x) => jcIds.has(x.id))) {
        const ops = plan.records.filter((r) => r.JumpCloudId === jcIds.get(e.id));
        if (e.expect === 'created')
          assert.deepEqual(
            ops.map((o) => o.Operation),
            ['createGroup'],
            `${label(e)}: planned`,
          );
        else {
          assert.deepEqual(
            ops.map((o) => `${o.Operation}:${o.Code}`),
            [`skip:${e.expect.slice(5)}`],
            `${label(e)}: skipped`,
          );
          assert.match(String(ops[0]?.Reason), /\w{4}/);
        }
      }
      const run = await spawnEngine('sync', { ...params, journalFile: join(faultWork(), 'journals', 'hostile-groups.jsonl') }, 'hostile-groups-sync').result();
      assert.equal(run.code, 0, run.raw.slice(0, 1500));
      assert.equal(run.stderr, '');

      const objects = await readAdObjects(admin, ou.rootDN);
      const anchored = byAnchor(objects);
      const created = entries.filter((e) => e.expect === 'created');
      assert.equal(anchored.size, created.length + 1, 'exactly the created groups and their member');
      const memberDn = [...anchored.values()].find((o) => o.objectClass.includes('user'))?.dn;
      for (const e of created) {
        const o = anchored.get(jcIds.get(e.id) as string);
        assert.ok(o, `${label(e)}: created`);
        if (e.surface === 'groupname') {
          assert.equal(o.attributes.cn, e.value, `${label(e)}: cn read back`);
          assert.equal(o.attributes.sAMAccountName, e.value, `${label(e)}: sAMAccountName read back`);
        } else assert.equal(o.attributes.description, e.stored, `${label(e)}: description read back`);
        assert.deepEqual(o.members, [memberDn], `${label(e)}: its member, added through the escaped group DN`);
      }
      assert.deepEqual(outsideChanges(await changedSince(admin, usnBefore), ou.rootDN), [], 'no write outside the root container');
      const again = await execInProcess('sync-plan', params, 'hostile-groups-replan');
      assert.deepEqual(
        again.records.filter((r) => r.Operation !== 'skip').map((r) => `${r.Operation} ${r.Target}`),
        [],
        'converged',
      );
      t.diagnostic(
        `${entries.length} group entries: ${created.length} created, ${jcIds.size - created.length} skipped, ${entries.length - jcIds.size} refused by JumpCloud`,
      );
    } finally {
      await sb.close();
      await ou.close();
    }
  });

  it('CSV cells: csv-import rejects or neutralises each as expected, and the sync carries the rest to AD', async () => {
    const entries = of('csvcell');
    const sb = await faultSandbox('hostile-csv');
    const ou = await scenarioOU('hostile-csv');
    try {
      await sb.call('POST', '/sandbox/admin/domains', { domain: DOMAIN });
      const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const rows = entries.map((e) => {
        const row: Record<string, string> = {
          FirstName: 'Csv',
          LastName: `Row${e.row}`,
          Username: `csvr${e.row}`,
          Password: canaryUserPassword(`csv${e.row}`),
          Email: `csvr${e.row}@example.com`,
        };
        row[e.column as string] = e.value;
        return row;
      });
      const columns = ['FirstName', 'LastName', 'Username', 'Password', 'Email'];
      // The file holds canary passwords: it lives with the canaries (an input, not scanned).
      const file = join(faultWork(), 'canary', 'hostile.csv');
      writeFileSync(file, [columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c] as string)).join(','))].join('\r\n') + '\r\n', { mode: 0o600 });
      const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
      const imported = await spawnEngine(
        'csv-import',
        { jumpcloud, path: file, skipInvalidRows: true, bindToDomain: true, domain: DOMAIN },
        'hostile-csv-import',
      ).result();
      assert.equal(imported.stderr, '');
      assert.equal(imported.code, 1, `invalid rows were skipped (exit 1): ${imported.raw.slice(0, 800)}`);
      const results = imported.records.filter((r) => r.Row !== undefined && r.Status !== undefined);
      assert.equal(results.length, entries.length, 'one result per row');
      entries.forEach((e, i) => {
        const result = results.find((r) => r.Row === i + 2);
        assert.ok(result, `${label(e)}: a result for line ${i + 2}`);
        assert.equal(result.Status, e.expect, `${label(e)} (${e.column}): ${String(result.Reason)}`);
        if (e.expect === 'Invalid') {
          assert.equal(result.ErrorId, e.errorId, `${label(e)}: ${String(result.Reason)}`);
          assert.match(String(result.Reason), /\w{4}/);
        }
      });

      const params = { jumpcloud, dc: adminDc(), domain: DOMAIN, rootUserDN: ou.rootUserDN, force: true };
      const usnBefore = await highestUsn(admin);
      const synced = await execInProcess('sync', { ...params, journalFile: join(faultWork(), 'journals', 'hostile-csv.jsonl') }, 'hostile-csv-sync');
      assert.equal(synced.code, 0, synced.raw.slice(0, 1000));
      const users = (await readAdObjects(admin, ou.rootDN)).filter((o) => o.objectClass.includes('user'));
      const createdRows = entries.map((e, i) => ({ e, row: rows[i] as Record<string, string> })).filter(({ e }) => e.expect === 'Created');
      assert.deepEqual(
        users.map((u) => u.attributes.sAMAccountName).sort(),
        createdRows.map(({ row }) => row.Username).sort(),
        'exactly the imported users reached AD',
      );
      for (const { e, row } of createdRows) {
        const user = users.find((u) => u.attributes.sAMAccountName === row.Username);
        if (e.column === 'FirstName' || e.column === 'LastName')
          assert.equal(user?.attributes[e.column === 'FirstName' ? 'givenName' : 'sn'], e.stored, `${label(e)}: stored as expected (formulas neutralised)`);
      }
      assert.deepEqual(outsideChanges(await changedSince(admin, usnBefore), ou.rootDN), [], 'no write outside the root container');
    } finally {
      await sb.close();
      await ou.close();
    }
  });

  it('Root User DNs: every one is judged as expected, offline and against the DC, and nothing is written', async () => {
    const usnBefore = await highestUsn(admin);
    for (const e of of('rootdn')) {
      const offline = await execInProcess('test-rootdn', { rootUserDN: e.value }, 'hostile-rootdn');
      assert.equal(offline.code, 0, `${label(e)}: ${offline.raw.slice(0, 300)}`);
      const [result] = offline.records;
      assert.equal(result?.IsValid, e.expect === 'valid', `${label(e)}: ${JSON.stringify(result?.Problems)}`);
      if (e.expect === 'valid') {
        assert.equal(result?.LdapDN, e.ldapDN, `${label(e)}: LDAP form`);
        assert.deepEqual(result?.Problems, []);
        const online = await execInProcess('test-rootdn', { rootUserDN: e.value, domain: DOMAIN, server: adminDc() }, 'hostile-rootdn-online');
        const exists = ['OU=Corporate Users,DC=example,DC=com', 'CN=Users,DC=example,DC=com'].includes(String(e.ldapDN));
        assert.equal(online.records[0]?.Exists, exists, `${label(e)}: ${JSON.stringify(online.records[0])}`);
        if (!online.records[0]?.IsValid) assert.ok((online.records[0]?.Problems as string[]).length > 0);
      } else {
        const problems = result?.Problems as string[];
        assert.ok(problems.length > 0 && problems.every((p) => p.length > 15), `${label(e)}: every problem is explained`);
        assert.equal(result?.LdapDN, null);
      }
    }
    assert.deepEqual(outsideChanges(await changedSince(admin, usnBefore), '__nothing__'), [], 'checking Root User DNs wrote nothing');
  });

  it('engine requests: each hostile request is refused with its error id and the field it concerns (exit 2)', async () => {
    const through = async (text: string) => {
      const out: string[] = [];
      const code = await execRequest(text, { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: join(faultWork(), 'logs', 'hostile-requests.log') } });
      const lines = out
        .join('')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return { code, error: lines.find((l) => l.type === 'error'), last: lines.at(-1) };
    };
    for (const e of of('request')) {
      const { code, error, last } = await through(e.value);
      assert.equal(code, 2, `${label(e)}: ${JSON.stringify(error)}`);
      assert.equal(error?.id, e.expect, `${label(e)}: ${String(error?.message).slice(0, 300)}`);
      if (e.field) assert.ok(String(error?.message).includes(e.field), `${label(e)}: the message names ${e.field}: ${String(error?.message).slice(0, 300)}`);
      assert.ok(!String(error?.message).includes('p'.repeat(100)), 'a refused password is not echoed');
      assert.equal(last?.type, 'result');
    }
    // A few through the built engine's stdin, where a crash would show as exit 10 and stderr text.
    for (const e of of('request').filter((x) => ['', '\u0000', '{', '[]'].includes(x.value) || x.value.length > 30_000)) {
      const raw = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(join(REPO_ROOT, 'build', 'jcadi-engine'), ['exec'], {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, JCADI_LOG_FILE: join(faultWork(), 'logs', 'hostile-requests-binary.log') },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(e.value);
      });
      assert.equal(raw.code, 2, `${label(e)} through stdin: ${raw.stdout.slice(0, 300)} ${raw.stderr.slice(0, 300)}`);
      assert.equal(raw.stderr, '', `${label(e)}: no crash text`);
      assert.ok(raw.stdout.includes(`"id":"${e.expect}"`), `${label(e)}: ${raw.stdout.slice(0, 300)}`);
    }
  });

  it("the sandbox's admin surface refuses hostile payloads with 400 and the field", async () => {
    const sb = await faultSandbox('hostile-payloads');
    try {
      for (const e of of('payload')) {
        const res = await rawAdmin(sb, '/users', e.value);
        assert.equal(res.status, 400, `${label(e)}: ${JSON.stringify(res.body)}`);
        if (e.field) assert.ok(String(res.body.message).includes(e.field), `${label(e)}: ${String(res.body.message)}`);
      }
      const info = (await sb.call('GET', '/sandbox/admin/info')).body as { users: number };
      assert.equal(info.users, 0, 'no user was created by a refused payload');
    } finally {
      await sb.close();
    }
  });

  it('the decoy OU beside the root containers was never changed', async () => {
    assert.equal(await snapshot(admin, decoyOU), decoyBefore);
  });
});
