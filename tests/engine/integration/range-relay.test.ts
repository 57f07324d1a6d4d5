// A 3,000-member group through a DC that slices `member` like Windows (MaxValRange 1,500):
// tests/engine/helpers/slicing-relay.ts sits in front of the Samba test DC, which returns every
// value at once. The reader reassembles the ranges (member;range=0-1499, then
// member;range=1500-*), the sync changes membership of the large group without re-adding or
// dropping anyone, and the CSV export's group column is complete through the same relay.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import { encodeAnchor } from '../../../engine/src/ad/names';
import { AdSession } from '../../../engine/src/ad/session';
import { AdWriter } from '../../../engine/src/ad/writer';
import { execRequest } from '../../../engine/src/cli/exec';
import { apply } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredState, type DesiredUser } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { startSlicingRelay, type SlicingRelay } from '../helpers/slicing-relay';
import { adminDc, testDc } from '../helpers/testdc';

const COUNT = 3000;
const tag = randomBytes(3).toString('hex');
const id = (n: number) => `${tag}${n.toString(16).padStart(18, '0')}`;
const username = (n: number) => `rg${tag}u${String(n).padStart(4, '0')}`;
const desiredUser = (n: number): DesiredUser => ({ jcId: id(n), username: username(n), firstName: 'Range', lastName: `U${n}`, email: null, suspended: true });

describe('range retrieval through a DC that slices like Windows (3,000-member group)', () => {
  let fx: AdFixture;
  let relay: SlicingRelay;
  let viaRelay: AdSession;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-range-'));
  const groupName = `rg${tag}-all`;
  const group = (members: number[]) => ({ jcId: id(9999), name: groupName, description: 'large', memberJcIds: members.map(id) });
  const users = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => desiredUser(from + i));
  const relayDc = () => adminDc({ host: relay.host, port: relay.port, caFile: relay.caFile });

  const syncThroughRelay = async (desired: DesiredState) => {
    const actual = await readActualState(viaRelay, { rootDN: fx.rootDN, candidateNames: [] });
    const p = plan(desired, actual, { ...DEFAULT_PLAN_OPTIONS, force: true });
    const outcome = await apply(p, { writer: new AdWriter(viaRelay, 'adminDescription'), journal: memoryJournal(), initialPassword: () => 'unused-Pw-1!' });
    return { actual, plan: p, outcome };
  };
  /** The group's members as the DC itself holds them (no relay). */
  const membersOnDc = async () => {
    const entry = await fx.session.readObject(`CN=${groupName},${fx.rootDN}`, ['member']);
    return new Set([entry?.member ?? []].flat().map((m) => String(m).toLowerCase()));
  };

  before(async () => {
    fx = await openFixture('jcadi-range');
    // The users exist already, suspended in JumpCloud and disabled by the sync: the sync writes
    // nothing for them, only the group. Disabled, no password: fast to create.
    const entries = Array.from({ length: COUNT + 5 }, (_, i) => {
      const u = desiredUser(i + 1);
      return {
        dn: `CN=${u.username},${fx.rootDN}`,
        entry: {
          objectClass: ['top', 'person', 'organizationalPerson', 'user'],
          sAMAccountName: [u.username],
          userPrincipalName: [`${u.username}@example.com`],
          givenName: [u.firstName],
          sn: [u.lastName],
          displayName: [`${u.firstName} ${u.lastName}`],
          userAccountControl: ['514'],
          adminDescription: [encodeAnchor({ jcId: u.jcId, syncDisabled: true })],
        },
      };
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < entries.length) {
          const e = entries[next++] as (typeof entries)[number];
          await fx.session.ldapClient.add(e.dn, e.entry);
        }
      }),
    );
    const info = testDc();
    relay = await startSlicingRelay({ host: info.host, port: info.port, caFile: info.caFile });
    viaRelay = await AdSession.open(relayDc());
  });
  after(async () => {
    await viaRelay?.close();
    await relay?.close();
    await fx?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the relay answers member in slices of 1,500 exactly as Windows names them', async () => {
    const { outcome } = await syncThroughRelay({ users: users(1, COUNT), groups: [group(users(1, COUNT).map((_, i) => i + 1))] });
    assert.equal(outcome.failed, 0, JSON.stringify(outcome.failures.slice(0, 3).map((f) => f.error.message)));
    assert.equal((await membersOnDc()).size, COUNT, 'the DC holds all 3,000');

    const client = new Client({ url: `ldaps://${relay.host}:${relay.port}`, tlsOptions: { ca: [readFileSync(relay.caFile)] }, timeout: 10_000 });
    try {
      await client.bind(adminDc().bindDN, adminDc().bindPassword);
      const dn = `CN=${groupName},${fx.rootDN}`;
      // ldapts lists an asked-for attribute it did not get as empty: only the keys with values count.
      const served = (entry: Record<string, unknown> | undefined) =>
        Object.keys(entry ?? {}).filter((k) => k.startsWith('member') && [entry?.[k]].flat().length > 0);
      const [plain] = (await client.search(dn, { scope: 'base', attributes: ['member'] })).searchEntries;
      assert.deepEqual(served(plain), ['member;range=0-1499']);
      assert.equal([plain?.['member;range=0-1499']].flat().length, 1500);
      const [rest] = (await client.search(dn, { scope: 'base', attributes: ['member;range=1500-*'] })).searchEntries;
      assert.deepEqual(served(rest), ['member;range=1500-*']);
      assert.equal([rest?.['member;range=1500-*']].flat().length, 1500);
      const [middle] = (await client.search(dn, { scope: 'base', attributes: ['member;range=1000-1999'] })).searchEntries;
      assert.deepEqual(served(middle), ['member;range=1000-1999']);
      assert.equal([middle?.['member;range=1000-1999']].flat().length, 1000);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });

  it('the reader reassembles the 3,000 members exactly, and a rerun plans nothing', async () => {
    relay.stats.rangesServed.length = 0;
    const { actual, plan: p } = await syncThroughRelay({ users: users(1, COUNT), groups: [group(users(1, COUNT).map((_, i) => i + 1))] });
    assert.deepEqual(relay.stats.rangesServed, ['member;range=0-1499', 'member;range=1500-*'], 'the slices were really served');
    const read = actual.groups.find((g) => g.cn === groupName);
    assert.deepEqual(new Set(read?.members.map((m) => m.toLowerCase())), await membersOnDc());
    assert.deepEqual(p.operations, [], 'nothing re-added, nothing removed');
  });

  it('membership changes on the large group: 5 added, 10 removed, the other 2,990 untouched', async () => {
    const members = [...Array.from({ length: COUNT - 10 }, (_, i) => i + 11), ...[3001, 3002, 3003, 3004, 3005]];
    const { plan: p, outcome } = await syncThroughRelay({ users: users(1, COUNT + 5), groups: [group(members)] });
    assert.deepEqual(p.counts, { addMember: 5, removeMember: 10 });
    assert.equal(outcome.failed, 0);
    const onDc = await membersOnDc();
    assert.equal(onDc.size, COUNT - 5);
    assert.ok(onDc.has(`cn=${username(3005)},${fx.rootDN}`.toLowerCase()));
    assert.ok(!onDc.has(`cn=${username(1)},${fx.rootDN}`.toLowerCase()));
  });

  it("the CSV export's group column through the relay names the group for every member", async () => {
    const path = join(work, 'export.csv');
    const out: string[] = [];
    const params = { dc: relayDc(), rootUserDN: fx.rootDN.replace(/,/g, ';'), path, includeGroups: true };
    const code = await execRequest(JSON.stringify({ protocol: 1, command: 'csv-export', params, logFile: join(work, 'engine.log') }), {
      writeLine: (l) => out.push(l),
    });
    assert.equal(code, 0, out.join(''));
    const [header, ...rows] = readFileSync(path, 'utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split(/\r?\n/);
    const columns = (header ?? '').split(',');
    const user = columns.indexOf('Username');
    const group1 = columns.indexOf('Group1');
    assert.ok(user >= 0 && group1 >= 0, header);
    const inGroup = rows
      .map((r) => r.split(','))
      .filter((cells) => cells[group1] === groupName)
      .map((cells) => cells[user]);
    assert.equal(inGroup.length, COUNT - 5);
    assert.equal(rows.length, COUNT + 5);
  });
});
