// The one-time import, end to end on the test DC and the sandbox: 1,000 AD users (non-ASCII names,
// a comma in a surname, a formula-like department, a group) exported to CSV, imported into
// JumpCloud, imported again (nothing twice), then synced back to AD by the sync: adopting the
// originals plans no attribute change, a sync into another OU is refused name by name while the
// originals exist, and once they are retired it creates each user exactly once with the same
// names and e-mails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dnsNameOf } from '../../../engine/src/ad/directory';
import { firstString } from '../../../engine/src/ad/entry';
import { execRequest } from '../../../engine/src/cli/exec';
import { parseCsvText } from '../../../engine/src/csv/read';
import { formatCsvLine, UTF8_BOM } from '../../../engine/src/csv/write';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const COUNT = 1000;
const FIRST = ['Zoë', 'Björn', 'Ana', 'Łukasz', 'Søren', 'José', 'Chloé', 'Mårten', 'Ivan', 'Niamh'];
const LAST = ['Ångström', 'Öberg', 'Müller', 'Żółkiewski', "O'Brien", 'Lee, Jr', 'Nguyễn', 'Dubois', 'Ström', 'García'];

interface Original {
  username: string;
  givenName: string;
  sn: string;
  mail: string;
}

describe('csv round trip: AD → CSV → JumpCloud → sync → AD', { timeout: 1_800_000 }, () => {
  let sb: TestSandbox;
  let source: AdFixture;
  let target: AdFixture;
  const tag = randomBytes(3).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'jcadi-csv-rt-'));
  const csvPath = join(work, 'users.csv');
  const originals = new Map<string, Original>();
  const info = testDc();
  // Ends a run still writing when the suite times out, so the clean-up sees every object.
  const stop = new AbortController();
  let inFlight: Promise<unknown> = Promise.resolve();

  async function run(command: string, params: Record<string, unknown>) {
    const out: string[] = [];
    const running = execRequest(JSON.stringify({ protocol: 1, command, params, logFile: join(work, 'engine.log') }), {
      writeLine: (l) => out.push(l),
      signal: stop.signal,
    });
    inFlight = running.catch(() => undefined);
    const code = await running;
    const lines = out
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const records = (type?: string) =>
      lines.filter((l) => l.type === 'record' && (!type || l.recordType === type)).map((l) => l.data as Record<string, unknown>);
    return { code, lines, records, raw: out.join('') };
  }
  async function searchAll(base: string, filter: string, attributes: string[]) {
    const all = [];
    for await (const page of target.session.searchPaged(base, { scope: 'sub', filter, attributes })) all.push(...page);
    return all;
  }
  const jumpcloud = () => ({ baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile });
  const adiForm = (dn: string) => dn.replace(/,/g, ';');
  const ours = (username: string) => username.startsWith(`r${tag}`) || username.startsWith(`zoe${tag}`);

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    await sb.call('POST', '/sandbox/admin/domains', { domain: info.adiDomain });
    source = await openFixture('jcadi-csv-src');
    target = await openFixture('jcadi-csv-dst');
    const ldap = source.session.ldapClient;
    const users: Array<{ dn: string; entry: Record<string, string[]> }> = [];
    for (let i = 0; i < COUNT; i++) {
      const zoe = i === 0;
      const username = zoe ? `zoe${tag}` : `r${tag}u${String(i).padStart(4, '0')}`;
      const givenName = zoe ? 'Zoë' : (FIRST[i % FIRST.length] as string);
      const sn = zoe ? 'Ångström' : (LAST[Math.floor(i / FIRST.length) % LAST.length] as string);
      const mail = zoe ? `zoë.ångström.${tag}@example.com` : `${username}@example.com`;
      originals.set(username, { username, givenName, sn, mail });
      const entry: Record<string, string[]> = {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: [username],
        userPrincipalName: [`${username}@${dnsNameOf(info.baseDN)}`],
        givenName: [givenName],
        sn: [sn],
        displayName: [`${givenName} ${sn}`],
        mail: [mail],
        // Disabled, no password: enough for an export, and fast to create.
        userAccountControl: ['514'],
      };
      if (i === 1) entry.department = ['=1+2'];
      users.push({ dn: `CN=${username},${source.rootDN}`, entry });
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < users.length) {
          const u = users[next++] as { dn: string; entry: Record<string, string[]> };
          await ldap.add(u.dn, u.entry);
        }
      }),
    );
    await ldap.add(`CN=pc${tag},${source.rootDN}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
      sAMAccountName: [`pc${tag}$`],
      userAccountControl: ['4096'],
    });
    await ldap.add(`CN=adm${tag},${source.rootDN}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: [`adm${tag}`],
      givenName: ['Ada'],
      sn: ['Admin'],
      userAccountControl: ['514'],
      adminCount: ['1'],
    });
    await ldap.add(`CN=rtg${tag},${source.rootDN}`, {
      objectClass: ['top', 'group'],
      sAMAccountName: [`rtg${tag}`],
      groupType: ['-2147483646'],
      member: users.slice(0, 10).map((u) => u.dn),
    });
  });

  after(async () => {
    stop.abort();
    await inFlight;
    await source?.close();
    await target?.close();
    await sb?.close();
    // The files hold the test's passwords: none stays behind.
    rmSync(work, { recursive: true, force: true });
  });

  it('exports the 1,000 users with their group, skipping the computer and the protected account', async () => {
    const { code, records, lines, raw } = await run('csv-export', { dc: adminDc(), rootUserDN: adiForm(source.rootDN), path: csvPath, includeGroups: true });
    assert.equal(code, 0, raw.slice(0, 2000));
    const result = records('JumpCloudADI.CsvExportResult')[0];
    assert.equal(result?.Users, COUNT);
    assert.equal(result?.SkippedComputers, 1);
    assert.equal(result?.SkippedProtected, 1);
    assert.equal(result?.GroupColumns, 1);
    assert.equal(result?.NeutralisedCells, 1);
    const logs = lines.filter((l) => l.type === 'log').map((l) => String(l.message));
    assert.ok(
      logs.some((m) => m.includes(`pc${tag}$`)),
      'the skipped computer is named',
    );
    assert.ok(
      logs.some((m) => m.includes(`adm${tag}`)),
      'the skipped protected account is named',
    );
    assert.ok(logs.some((m) => /Password column is empty/.test(m)));

    const bytes = readFileSync(csvPath);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
    const parsed = parseCsvText(bytes.subarray(3).toString('utf8'), 'UTF-8');
    assert.deepEqual(parsed.header, ['FirstName', 'LastName', 'Username', 'Password', 'Email', 'preferredName', 'department', 'Group1']);
    assert.equal(parsed.records.length, COUNT);
    const zoe = parsed.records.find((r) => r.cells[2] === `zoe${tag}`);
    assert.deepEqual(zoe?.cells.slice(0, 5), ['Zoë', 'Ångström', `zoe${tag}`, '', `zoë.ångström.${tag}@example.com`]);
    assert.equal(zoe?.cells[7], `rtg${tag}`);
    assert.ok(
      parsed.records.every((r) => r.cells[3] === ''),
      'Password is empty for everyone',
    );
    assert.equal(parsed.records.find((r) => r.cells[6] !== '')?.cells[6], "'=1+2");
  });

  it('imports them into JumpCloud once, bound to the ADI domain, and a rerun creates nothing', async () => {
    // The export leaves Password empty; the admin (here, the test) fills it before importing.
    const parsed = parseCsvText(readFileSync(csvPath).subarray(3).toString('utf8'), 'UTF-8');
    const passwordAt = parsed.header.indexOf('Password');
    const rows = parsed.records.map((r, i) => r.cells.map((c, k) => (k === passwordAt ? `Rt${i}-Secret-Word` : c)));
    writeFileSync(csvPath, UTF8_BOM + formatCsvLine(parsed.header) + rows.map((r) => formatCsvLine(r)).join(''));

    const first = await run('csv-import', { jumpcloud: jumpcloud(), path: csvPath, bindToDomain: true, domain: info.adiDomain });
    assert.equal(first.code, 0, first.raw.slice(0, 2000));
    const summary = first.records('JumpCloudADI.CsvImportSummary')[0];
    assert.equal(summary?.Created, COUNT);
    assert.equal(summary?.BoundToDomain, COUNT);
    assert.deepEqual(summary?.GroupsCreated, [`rtg${tag}`]);
    assert.equal(first.records('JumpCloudADI.CsvImportResult').length, COUNT);

    const jcUsers = [...sb.store.users.values()].filter((u) => ours(u.username));
    assert.equal(jcUsers.length, COUNT);
    for (const u of jcUsers) {
      const o = originals.get(u.username);
      assert.deepEqual([u.firstname, u.lastname, u.email], [o?.givenName, o?.sn, o?.mail], u.username);
    }
    const group = sb.store.findGroupByName(`rtg${tag}`);
    assert.equal(sb.store.groupMembers(group?.id as string).length, 10);

    const again = await run('csv-import', { jumpcloud: jumpcloud(), path: csvPath, bindToDomain: true, domain: info.adiDomain });
    assert.equal(again.code, 0);
    const summary2 = again.records('JumpCloudADI.CsvImportSummary')[0];
    assert.deepEqual([summary2?.Created, summary2?.Exists], [0, COUNT]);
    assert.equal([...sb.store.users.values()].filter((u) => ours(u.username)).length, COUNT, 'no duplicates in JumpCloud');
    assert.ok(!again.raw.includes('Secret-Word') && !first.raw.includes('Secret-Word'), 'no password in the output');
  });

  it('adopting the originals plans no attribute change: names and e-mails came back intact', async () => {
    const plan = await run('sync-plan', {
      jumpcloud: jumpcloud(),
      dc: adminDc(),
      domain: info.adiDomain,
      rootUserDN: adiForm(source.rootDN),
      adoptExisting: true,
    });
    assert.equal(plan.code, 0, plan.raw.slice(0, 2000));
    const ops = plan.records('JumpCloudADI.SyncPlanOperation');
    const updates = ops.filter((o) => o.Operation === 'updateUser' && ours(String(o.Target)));
    assert.equal(updates.length, COUNT);
    assert.deepEqual(
      updates.filter((o) => (o.Changes as unknown[]).length > 0).map((o) => [o.Target, o.Changes]),
      [],
    );
    assert.equal(ops.filter((o) => o.Operation === 'createUser').length, 0);
  });

  it('refuses to create a second account while the original holds the name', async () => {
    const plan = await run('sync-plan', { jumpcloud: jumpcloud(), dc: adminDc(), domain: info.adiDomain, rootUserDN: adiForm(target.rootDN) });
    assert.equal(plan.code, 0, plan.raw.slice(0, 2000));
    const ops = plan.records('JumpCloudADI.SyncPlanOperation');
    assert.equal(ops.filter((o) => o.Operation === 'createUser').length, 0);
    assert.equal(ops.filter((o) => o.Operation === 'skip' && o.Code === 'NameTaken' && ours(String(o.Target))).length, COUNT);
  });

  it('syncs them into another OU once the originals are retired: each user once, same names and e-mails', async () => {
    const retire = [...originals.keys()];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let username = retire.pop(); username !== undefined; username = retire.pop())
          await source.session.ldapClient.del(`CN=${username},${source.rootDN}`);
      }),
    );
    const synced = await run('sync', {
      jumpcloud: jumpcloud(),
      dc: adminDc(),
      domain: info.adiDomain,
      rootUserDN: adiForm(target.rootDN),
      journalFile: join(work, 'journal.jsonl'),
      force: true,
    });
    assert.equal(synced.code, 0, synced.raw.slice(0, 2000));
    const result = synced.records('JumpCloudADI.SyncResult')[0];
    assert.equal(result?.Failed, 0);

    const inTarget = await searchAll(target.rootDN, '(objectClass=user)', ['sAMAccountName', 'givenName', 'sn', 'mail']);
    assert.equal(inTarget.length, COUNT);
    for (const entry of inTarget) {
      const o = originals.get(firstString(entry.sAMAccountName));
      assert.ok(o, `unexpected ${entry.dn}`);
      assert.deepEqual([firstString(entry.givenName), firstString(entry.sn), firstString(entry.mail)], [o.givenName, o.sn, o.mail]);
    }
    const domainWide = await searchAll(info.baseDN, `(|(sAMAccountName=r${tag}*)(sAMAccountName=zoe${tag}))`, ['sAMAccountName']);
    assert.equal(domainWide.length, COUNT, 'each account exactly once in the domain');
    const zoe = inTarget.find((e) => firstString(e.sAMAccountName) === `zoe${tag}`);
    assert.deepEqual([firstString(zoe?.givenName), firstString(zoe?.sn), firstString(zoe?.mail)], ['Zoë', 'Ångström', `zoë.ångström.${tag}@example.com`]);
  });
});
