// Trust nothing the sync did not create, against the real Samba DC and the JumpCloud sandbox,
// through the engine's sync command bound as a delegated service account, and the agent's
// offboarding code: anchors planted by a second delegated (non-admin) account, in the three
// forms of the finding, end as reported conflicts with nothing written and nothing suspended;
// legacy anchors are sealed by -AdoptExisting without re-creating or renaming anything; an
// unbound group keeps its objectSid and gets its members back; the built-in Guest is never
// adopted; an account moved out of the root keeps its memberships.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change, type Client } from 'ldapts';
import { newAnchorKey, parseAnchorKey } from '../../../engine/src/ad/anchorproof';
import { AdSession } from '../../../engine/src/ad/session';
import { AdWriter } from '../../../engine/src/ad/writer';
import { changedManagedUsers, offboard } from '../../../engine/src/agent/offboard';
import { exec } from '../helpers/agent';
import { JumpCloudClient } from '../../../engine/src/jumpcloud/client';
import { findDomain, gatherScope } from '../../../engine/src/sync/gather';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, bindAsTestDcUser, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

type Rec = Record<string, unknown>;
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const adi = (dn: string) => dn.replace(/,/g, ';');
const DOMAIN = 'DC=example;DC=com';

describe('anchor trust on the test DC', () => {
  const info = testDc();
  const work = mkdtempSync(join(tmpdir(), 'jcadi-trust-'));
  const tag = randomBytes(3).toString('hex');
  let sb: TestSandbox;
  let fx: AdFixture;
  let root: string;
  let outside: string;
  const key = newAnchorKey().toString('base64');
  const sync = { sam: `trsync${tag}`, password: `Tr-${randomBytes(9).toString('base64url')}-1a` };
  const helpdesk = { sam: `trhelp${tag}`, password: `Tr-${randomBytes(9).toString('base64url')}-2b` };
  const ids: Record<string, string> = {};
  const clients: Client[] = [];

  const engine = (command: string, params: Rec) => exec(command, params, join(work, 'engine.log'));
  const syncParams = (extra: Rec = {}) => ({
    jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
    dc: adminDc({ bindDN: `${sync.sam}@example.com`, bindPassword: sync.password }),
    domain: DOMAIN,
    rootUserDN: adi(root),
    journalFile: join(work, 'journal.jsonl'),
    force: true,
    ...extra,
  });
  /** The plan (sync-plan: the records the cmdlets show), then the sync itself; returns both. */
  const runSync = async (extra: Rec = {}) => {
    const planned = await engine('sync-plan', syncParams({ anchorKey: key, ...extra }));
    assert.equal(planned.code, 0, planned.raw);
    const result = await engine('sync', syncParams({ anchorKey: key, ...extra }));
    assert.equal(result.code, 0, result.raw);
    return { records: planned.records, result: result.records.find((r) => r.Applied !== undefined) as Rec, raw: result.raw };
  };
  /** What the helpdesk account plants: a user under the root carrying someone else's anchor. */
  async function plant(cn: string, anchor: string, disabled = false): Promise<string> {
    const client = await bindAsTestDcUser(helpdesk, clients);
    const dn = `CN=${cn},${root}`;
    await client.add(dn, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: cn,
      userAccountControl: disabled ? '514' : '514',
      adminDescription: anchor,
    });
    if (!disabled) {
      await client.modify(dn, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"Pl-${randomBytes(8).toString('hex')}-Aa1"`, 'utf16le')] }),
        }),
      ]);
      await client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) })]);
    }
    return dn;
  }
  const jumpcloud = () => new JumpCloudClient({ baseUrl: sb.url, apiKey: sb.apiKey, ca: readFileSync(sb.caFile, 'utf8'), timeoutMs: 10_000 });
  const read = (dn: string, attributes: string[]) => fx.read(dn, attributes);
  const snapshot = async (dn: string) =>
    JSON.stringify(
      await fx.session.readObject(dn, ['cn', 'sAMAccountName', 'userAccountControl', 'adminDescription', 'memberOf', 'givenName', 'sn', 'whenChanged']),
    );
  const members = async (group: string) => [(await read(`CN=${group},${root}`, ['member']))?.member ?? []].flat().map(String);
  const skipsFor = (records: Rec[], code: string) => records.filter((r) => r.Operation === 'skip' && r.Code === code);

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture(`trusta-${tag}`);
    root = `OU=Root,${fx.rootDN}`;
    outside = `OU=Elsewhere,${fx.rootDN}`;
    for (const dn of [root, outside]) await fx.session.ldapClient.add(dn, { objectClass: ['top', 'organizationalUnit'] });
    // The sync's service account and a helpdesk account, both with the wizard's delegation on the root.
    for (const [account, given] of [
      [sync, 'Sync'],
      [helpdesk, 'Helpdesk'],
    ] as const) {
      const created = await engine('service-account-create', {
        dc: adminDc(),
        container: adi(fx.rootDN),
        samAccountName: account.sam,
        givenName: `${given}${tag}`,
        password: account.password,
      });
      assert.equal(created.code, 0, created.raw);
      const granted = await engine('delegation-grant', { dc: adminDc(), rootUserDN: adi(root), serviceAccount: account.sam });
      assert.equal(granted.code, 0, granted.raw);
    }
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: `Staff-${tag}`, description: 'staff', bindToDomain: DOMAIN });
    const users: Array<[string, Rec]> = [
      ['alice', {}],
      ['victim1', {}],
      ['victim2', { lastname: undefined }],
      ['victim3', {}],
      ['outsider', { noBind: true }],
    ];
    for (const [name, over] of users) {
      const body: Rec = {
        username: `tr.${name}.${tag}`.slice(0, 20),
        email: `${name}.${tag}@example.com`,
        firstname: `F${name}`,
        lastname: `L${name}`,
        groups: over.noBind ? [] : [`Staff-${tag}`],
      };
      if ('lastname' in over) delete body.lastname;
      const created = await sb.admin('POST', '/users', body);
      ids[name] = String(created._id ?? created.id);
    }
  });

  after(async () => {
    for (const client of clients) await client.unbind().catch(() => undefined);
    await fx?.close();
    await sb?.close();
  });

  it('refuses a malformed anchor key with a clear error, writing nothing', async () => {
    const result = await engine('sync', syncParams({ anchorKey: 'not-a-key' }));
    assert.equal(result.code, 2, result.raw);
    assert.match(String(result.error?.message), /anchor key/);
    assert.equal(result.raw.includes('not-a-key'), false, 'the key text is never echoed');
    assert.deepEqual(await fx.session.search(root, { scope: 'one', filter: '(objectClass=user)', attributes: ['cn'] }), []);
  });

  it('the sync, bound as its service account with the key, creates proven anchors', async () => {
    const result = await runSync();
    const alice = (await fx.session.search(root, { scope: 'one', filter: `(sAMAccountName=tr.alice.${tag})`, attributes: ['adminDescription'] }))[0];
    assert.match(String(first(alice?.adminDescription)), new RegExp(`^JumpCloud:${ids.alice};proof=[A-Za-z0-9_-]{22}$`));
    const group = await read(`CN=Staff-${tag},${root}`, ['adminDescription']);
    assert.match(String(first(group?.adminDescription)), new RegExp(`;proof=[A-Za-z0-9_-]{22}$`));
    assert.ok(result.records.some((r) => r.Operation === 'createUser'));
    assert.equal(result.result.Failed, 0, result.raw);
    const again = await engine('sync-plan', syncParams({ anchorKey: key }));
    assert.deepEqual(
      again.records.filter((r) => r.Operation !== 'skip'),
      [],
      'a second run plans nothing',
    );
  });

  it('planted by a second delegated account: victim without an AD account, victim skipped, or a copied proof: reported, nothing written', async () => {
    // Start again from a victim with no AD account: remove the one the sync made.
    const victim1Dn = String(
      first((await fx.session.search(root, { scope: 'one', filter: `(adminDescription=JumpCloud:${ids.victim1};*)`, attributes: ['cn'] }))[0]?.dn ?? ''),
    );
    if (victim1Dn) await fx.session.ldapClient.del(victim1Dn);
    const aliceAnchor = String(
      first(
        (await fx.session.search(root, { scope: 'one', filter: `(adminDescription=JumpCloud:${ids.alice};*)`, attributes: ['adminDescription'] }))[0]
          ?.adminDescription,
      ),
    );
    const evil1 = await plant(`evil1${tag}`, `JumpCloud:${ids.victim1}`);
    const evil2 = await plant(`evil2${tag}`, `JumpCloud:${ids.victim2}`);
    const evilCopy = await plant(`evilc${tag}`, aliceAnchor); // the real proof, copied onto another object
    const before = await Promise.all([evil1, evil2, evilCopy].map(snapshot));

    const result = await runSync();
    const untrusted = skipsFor(result.records, 'UntrustedAnchor');
    assert.deepEqual(untrusted.map((r) => r.DN).sort(), [evil1, evil2, evilCopy].sort(), JSON.stringify(untrusted));
    assert.deepEqual(await Promise.all([evil1, evil2, evilCopy].map(snapshot)), before, 'not renamed, not changed');
    const staff = (await members(`Staff-${tag}`)).map((m) => m.toLowerCase());
    for (const dn of [evil1, evil2, evilCopy]) assert.equal(staff.includes(dn.toLowerCase()), false, `${dn} was given no membership`);
    assert.ok(
      skipsFor(result.records, 'MissingName').some((r) => r.JumpCloudId === ids.victim2),
      'victim2 is skipped for its missing last name',
    );
    // victim1 got an account of its own, with a proven anchor; the planted object stays as it was.
    const victim1 = await fx.session.search(root, { scope: 'one', filter: `(adminDescription=JumpCloud:${ids.victim1};proof=*)`, attributes: ['cn'] });
    assert.equal(victim1.length, 1);
    assert.notEqual(victim1[0]?.dn.toLowerCase(), evil1.toLowerCase());
  });

  it('a planted disabled object never offboards (suspends) the JumpCloud user it names', async () => {
    const evil3 = await plant(`evil3${tag}`, `JumpCloud:${ids.victim3}`, true);
    const session = await AdSession.open(adminDc({ bindDN: `${sync.sam}@example.com`, bindPassword: sync.password }));
    const client = jumpcloud();
    try {
      const users = await changedManagedUsers(session, root, 'adminDescription', null, parseAnchorKey(key));
      const planted = users.find((u) => u.dn.toLowerCase() === evil3.toLowerCase());
      assert.equal(planted?.proven, false);
      const journal = memoryJournal();
      const domain = await findDomain(client, DOMAIN);
      const done = await offboard(users, {
        client,
        writer: new AdWriter(session, 'adminDescription', parseAnchorKey(key)),
        journal,
        log: () => undefined,
        inScope: () => gatherScope(client, domain.id),
      });
      assert.equal(done.offboarded, 0);
      const victim3 = await sb.admin('GET', `/users/${ids.victim3}`);
      assert.notEqual(victim3.suspended, true, 'victim3 is not suspended in JumpCloud');
      assert.equal(first((await read(evil3, ['adminDescription']))?.adminDescription), `JumpCloud:${ids.victim3}`, 'not marked offboarded');
    } finally {
      client.close();
      await session.close();
    }
  });

  it("offboarding suspends only ids in the domain's scope (an install without a key)", async () => {
    const stray = await plant(`stray${tag}`, `JumpCloud:${ids.outsider}`, true);
    const session = await AdSession.open(adminDc());
    const client = jumpcloud();
    try {
      const users = (await changedManagedUsers(session, root, 'adminDescription', null)).filter((u) => u.dn.toLowerCase() === stray.toLowerCase());
      assert.equal(users.length, 1);
      const domain = await findDomain(client, DOMAIN);
      const journal = memoryJournal();
      const done = await offboard(users, {
        client,
        writer: new AdWriter(session, 'adminDescription'),
        journal,
        log: () => undefined,
        inScope: () => gatherScope(client, domain.id),
      });
      assert.equal(done.offboarded, 0);
      assert.notEqual((await sb.admin('GET', `/users/${ids.outsider}`)).suspended, true, 'the user outside the scope is not suspended');
    } finally {
      client.close();
      await session.close();
    }
  });

  it('an account moved out of the root keeps its group memberships while the conflict is reported', async () => {
    const aliceDn = `CN=tr.alice.${tag},${root}`; // by name: the planted copy carries the same anchor
    const movedDn = aliceDn.replace(root, outside);
    await fx.session.ldapClient.modifyDN(aliceDn, movedDn);
    assert.ok(await read(movedDn, ['cn']), `${aliceDn} moved to ${movedDn}`);
    const result = await runSync();
    const reported = skipsFor(result.records, 'MovedOutOfRoot');
    assert.equal(reported.length, 1, JSON.stringify(result.records.filter((r) => r.Operation === 'skip')));
    assert.equal(String(reported[0]?.DN).toLowerCase(), movedDn.toLowerCase());
    assert.ok(
      (await members(`Staff-${tag}`)).some((m) => m.toLowerCase() === movedDn.toLowerCase()),
      'still a member of Staff',
    );
    await fx.session.ldapClient.modifyDN(movedDn, aliceDn);
  });

  it('a group leaving the scope keeps its objectSid, loses only managed members, and gets them back when bound again', async () => {
    const groupDn = `CN=Staff-${tag},${root}`;
    const sidOf = async () =>
      (
        await fx.session.search(groupDn, { scope: 'base', filter: '(objectClass=group)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] })
      )[0]?.objectSid as Buffer;
    const sid = await sidOf();
    const before = (await members(`Staff-${tag}`)).map((m) => m.toLowerCase()).sort();
    const managed = before.filter((m) => !m.includes('evil'));
    assert.ok(managed.length >= 2, JSON.stringify(before));
    await sb.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'remove', type: 'user_group', target: `Staff-${tag}` });
    await runSync();
    assert.ok(Buffer.isBuffer(sid) && Buffer.compare(await sidOf(), sid) === 0, 'the same group, the same SID');
    assert.deepEqual(
      (await members(`Staff-${tag}`)).map((m) => m.toLowerCase()).sort(),
      before.filter((m) => !managed.includes(m)),
      'only the members the sync manages are gone',
    );
    assert.match(String(first((await read(groupDn, ['adminDescription']))?.adminDescription)), /;unbound;proof=/);
    assert.deepEqual(
      (await engine('sync-plan', syncParams({ anchorKey: key }))).records.filter((r) => r.Operation !== 'skip'),
      [],
      'marked: nothing more to do',
    );

    await sb.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'add', type: 'user_group', target: `Staff-${tag}` });
    const rebound = await runSync();
    assert.ok(rebound.records.some((r) => r.Operation === 'rebindGroup'));
    assert.ok(Buffer.compare(await sidOf(), sid) === 0);
    const after = (await members(`Staff-${tag}`)).map((m) => m.toLowerCase());
    for (const m of managed) assert.ok(after.includes(m), `${m} is a member again`);
    assert.doesNotMatch(String(first((await read(groupDn, ['adminDescription']))?.adminDescription)), /unbound/);
  });

  it('Remove-JCSyncGroup (group-remove): refuses a bound group, lists what it would delete, deletes only when asked', async () => {
    const groupDn = `CN=Staff-${tag},${root}`;
    const params = (extra: Rec = {}) => ({ dc: adminDc(), rootUserDN: adi(root), group: `Staff-${tag}`, anchorKey: key, ...extra });
    const bound = await engine('group-remove', params());
    assert.equal(bound.code, 5, bound.raw);
    assert.equal(bound.error?.id, 'Group.StillBound');
    const missing = await engine('group-remove', params({ group: `NoSuch-${tag}` }));
    assert.equal(missing.error?.id, 'Group.NotFound');
    await sb.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'remove', type: 'user_group', target: `Staff-${tag}` });
    await runSync();
    const left = await members(`Staff-${tag}`);
    const whatIf = await engine('group-remove', params({ whatIf: true }));
    assert.equal(whatIf.code, 0, whatIf.raw);
    const listed = whatIf.records[0] as Rec;
    assert.equal(listed.Action, 'WouldRemove');
    assert.equal(listed.DistinguishedName, groupDn);
    assert.match(String(listed.ObjectSid), /^S-1-5-21-/);
    assert.deepEqual((listed.Members as string[]).map((m) => m.toLowerCase()).sort(), left.map((m) => m.toLowerCase()).sort());
    assert.ok(await read(groupDn, ['cn']), 'whatIf deleted nothing');
    const removed = await engine('group-remove', params());
    assert.equal(removed.code, 0, removed.raw);
    assert.equal((removed.records[0] as Rec).Action, 'Removed');
    assert.equal(await read(groupDn, ['cn']), null);
    // Bound again later, the sync creates it anew (a new SID: that is what deleting means).
    await sb.admin('POST', `/domains/${encodeURIComponent(DOMAIN)}/bindings`, { op: 'add', type: 'user_group', target: `Staff-${tag}` });
    await runSync();
    assert.ok(await read(groupDn, ['cn']));
  });

  it('anchors written without a key are sealed by a reviewed -AdoptExisting run: same objects, same names', async () => {
    const legacyUser = await sb.admin('POST', '/users', {
      username: `tr.legacy.${tag}`,
      email: `legacy.${tag}@example.com`,
      firstname: 'Leg',
      lastname: 'Acy',
      groups: [`Staff-${tag}`],
    });
    ids.legacy = String(legacyUser._id ?? legacyUser.id);
    // What a sync before anchor keys wrote: the account and its membership, the anchor without a proof
    // (the writer without a key, bound as the service account).
    const dn = `CN=tr.legacy.${tag},${root}`;
    const legacySession = await AdSession.open(adminDc({ bindDN: `${sync.sam}@example.com`, bindPassword: sync.password }));
    try {
      const oldWriter = new AdWriter(legacySession, 'adminDescription', null);
      const name = `tr.legacy.${tag}`;
      const attributes = {
        cn: name,
        sAMAccountName: name,
        userPrincipalName: `${name}@example.com`,
        givenName: 'Leg',
        sn: 'Acy',
        displayName: 'Leg Acy',
        mail: `legacy.${tag}@example.com`,
      };
      await oldWriter.createUser(dn, ids.legacy, attributes, `Lg-${randomBytes(8).toString('hex')}-Aa1`, true);
      await oldWriter.changeMembers(`CN=Staff-${tag},${root}`, [dn], 'add');
    } finally {
      await legacySession.close();
    }
    const guid = (
      await fx.session.search(dn, { scope: 'base', filter: '(objectClass=user)', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] })
    )[0]?.objectGUID;
    assert.equal(first((await read(dn, ['adminDescription']))?.adminDescription), `JumpCloud:${ids.legacy}`, 'no key, no proof');
    const withKey = await engine('sync-plan', syncParams({ anchorKey: key }));
    assert.ok(
      skipsFor(withKey.records, 'UntrustedAnchor').some((r) => String(r.DN).toLowerCase() === dn.toLowerCase()),
      'with the key it is not vouched for',
    );
    assert.equal(withKey.records.filter((r) => String(r.DN ?? '').toLowerCase() === dn.toLowerCase() && r.Operation !== 'skip').length, 0);
    const adopt = await engine('sync-plan', syncParams({ anchorKey: key, adoptExisting: true }));
    const adoptOps = adopt.records.filter((r) => r.Adopt === true);
    assert.deepEqual(
      adoptOps.map((r) => String(r.DN).toLowerCase()),
      [dn.toLowerCase()],
      'the review list names exactly the legacy object',
    );
    await runSync({ adoptExisting: true });
    const sealed = await fx.session.search(dn, {
      scope: 'base',
      filter: '(objectClass=user)',
      attributes: ['objectGUID', 'adminDescription'],
      explicitBufferAttributes: ['objectGUID'],
    });
    assert.match(String(first(sealed[0]?.adminDescription)), new RegExp(`^JumpCloud:${ids.legacy};proof=`));
    assert.ok(Buffer.compare(sealed[0]?.objectGUID as Buffer, guid as Buffer) === 0, 'not re-created');
    assert.ok(
      (await members(`Staff-${tag}`)).some((m) => m.toLowerCase() === dn.toLowerCase()),
      'memberships kept',
    );
  });

  it('JumpCloud user guest with -AdoptExisting leaves the built-in Guest untouched', async () => {
    await sb.admin('POST', '/users', { username: 'guest', email: `guest.${tag}@example.com`, firstname: 'Guest', lastname: 'User', bindToDomain: DOMAIN });
    const guestDn = `CN=Guest,CN=Users,${info.baseDN}`;
    const watched = ['cn', 'sAMAccountName', 'adminDescription', 'userAccountControl', 'givenName', 'sn', 'whenChanged', 'userPrincipalName'];
    const before = JSON.stringify(await fx.session.readObject(guestDn, watched));
    // Root CN=Users, only the user guest (so nothing else in the shared container is planned), as an administrator.
    const params = { ...syncParams({ rootUserDN: adi(`CN=Users,${info.baseDN}`), user: 'guest', adoptExisting: true }), dc: adminDc() };
    const planned = await engine('sync-plan', params);
    assert.equal(planned.code, 0, planned.raw);
    assert.deepEqual(
      planned.records.map((r) => [r.Operation, r.Code]),
      [['skip', 'Protected']],
    );
    assert.match(String(planned.records[0]?.Reason), /critical system object/);
    const applied = await engine('sync', params);
    assert.equal(applied.code, 0, applied.raw);
    assert.equal(JSON.stringify(await fx.session.readObject(guestDn, watched)), before);
  });
});
