// The anchor key kept in AD (ad/anchorkey.ts), against the real Samba DC and the JumpCloud
// sandbox, through the engine's sync command bound as a delegated service account, without
// -AnchorKey: the first sync makes CN=jcsync-anchor-key with a protected DACL and proves every
// anchor with it; a second delegated account (the wizard's delegation on the same root) cannot
// read it; a key object planted with a readable DACL is refused; a deleted key is never made anew
// while proofs exist (AnchorKey.Missing) and -AdoptExisting is the reviewed way back; an install
// from before the key (anchors without proofs) is migrated without re-creating or renaming anything.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'ldapts';
import { anchorKeyDn } from '../../../engine/src/ad/anchorkey';
import { guidText, parseAnchorKey, proofMatches } from '../../../engine/src/ad/anchorproof';
import { sidFromBytes } from '../../../engine/src/ad/binary';
import { parseSecurityDescriptor } from '../../../engine/src/ad/sd';
import { SD_FLAG, SdFlagsControl } from '../../../engine/src/ad/security';
import { AdSession } from '../../../engine/src/ad/session';
import { AdWriter } from '../../../engine/src/ad/writer';
import { exec } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, bindAsTestDcUser, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

type Rec = Record<string, unknown>;
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const adi = (dn: string) => dn.replace(/,/g, ';');
const DOMAIN = 'DC=example;DC=com';
const SE_DACL_PROTECTED = 0x1000;

describe('the anchor key kept in AD', () => {
  const info = testDc();
  const work = mkdtempSync(join(tmpdir(), 'jcadi-akey-'));
  const tag = randomBytes(3).toString('hex');
  let sb: TestSandbox;
  let fx: AdFixture;
  const roots: Record<'main' | 'planted' | 'legacy', string> = { main: '', planted: '', legacy: '' };
  const sync = { sam: `aksync${tag}`, password: `Ak-${randomBytes(9).toString('base64url')}-1a`, sid: '' };
  const helpdesk = { sam: `akhelp${tag}`, password: `Ak-${randomBytes(9).toString('base64url')}-2b`, sid: '' };
  const ids: Record<string, string> = {};
  const clients: Client[] = [];

  const engine = (command: string, params: Rec) => exec(command, params, join(work, 'engine.log'));
  const syncParams = (root: string, extra: Rec = {}) => ({
    jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
    dc: adminDc({ bindDN: `${sync.sam}@example.com`, bindPassword: sync.password }),
    domain: DOMAIN,
    rootUserDN: adi(root),
    journalFile: join(work, 'journal.jsonl'),
    force: true,
    ...extra,
  });
  /** The key object as an administrator sees it: its key and its security descriptor. */
  async function keyObject(root: string) {
    const [entry] = await fx.session
      .search(
        anchorKeyDn(root),
        { scope: 'base', filter: '(objectClass=*)', attributes: ['info', 'nTSecurityDescriptor'], explicitBufferAttributes: ['nTSecurityDescriptor'] },
        'read',
        [new SdFlagsControl(SD_FLAG.Owner | SD_FLAG.Group | SD_FLAG.Dacl)],
      )
      .catch(() => []);
    if (!entry) return null;
    return { key: parseAnchorKey(String(first(entry.info))), sd: parseSecurityDescriptor(first(entry.nTSecurityDescriptor) as Buffer) };
  }
  async function userEntry(root: string, sam: string) {
    const [entry] = await fx.session.search(root, {
      scope: 'one',
      filter: `(sAMAccountName=${sam})`,
      attributes: ['adminDescription', 'objectGUID', 'whenChanged', 'cn', 'userAccountControl', 'memberOf'],
      explicitBufferAttributes: ['objectGUID'],
    });
    return entry;
  }
  const sidOf = async (sam: string) => {
    const [entry] = await fx.session.search(info.baseDN, {
      scope: 'sub',
      filter: `(sAMAccountName=${sam})`,
      attributes: ['objectSid'],
      explicitBufferAttributes: ['objectSid'],
    });
    return sidFromBytes(entry?.objectSid as Buffer);
  };

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture(`akey-${tag}`);
    roots.main = `OU=Main,${fx.rootDN}`;
    roots.planted = `OU=Planted,${fx.rootDN}`;
    roots.legacy = `OU=Legacy,${fx.rootDN}`;
    for (const dn of Object.values(roots)) await fx.session.ldapClient.add(dn, { objectClass: ['top', 'organizationalUnit'] });
    // The sync's service account and a helpdesk account, both with the wizard's delegation on every root.
    for (const account of [sync, helpdesk]) {
      const created = await engine('service-account-create', {
        dc: adminDc(),
        container: adi(fx.rootDN),
        samAccountName: account.sam,
        givenName: account.sam,
        password: account.password,
      });
      assert.equal(created.code, 0, created.raw);
      for (const root of Object.values(roots)) {
        const granted = await engine('delegation-grant', { dc: adminDc(), rootUserDN: adi(root), serviceAccount: account.sam });
        assert.equal(granted.code, 0, granted.raw);
      }
      account.sid = await sidOf(account.sam);
    }
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: `Ak-${tag}`, description: 'ak', bindToDomain: DOMAIN });
    for (const name of ['ann', 'bob']) {
      const created = await sb.admin('POST', '/users', {
        username: `ak.${name}.${tag}`,
        email: `${name}.${tag}@example.com`,
        firstname: `F${name}`,
        lastname: `L${name}`,
        groups: [`Ak-${tag}`],
      });
      ids[name] = String(created._id ?? created.id);
    }
  });

  after(async () => {
    for (const client of clients) await client.unbind().catch(() => undefined);
    await fx?.close();
    await sb?.close();
  });

  it('the first sync without -AnchorKey makes the key object, protected, and proves every anchor with it', async () => {
    const plan = await engine('sync-plan', syncParams(roots.main));
    assert.equal(plan.code, 0, plan.raw);
    assert.equal(await keyObject(roots.main), null, 'a plan makes no key');
    const result = await engine('sync', syncParams(roots.main));
    assert.equal(result.code, 0, result.raw);
    assert.ok(result.logs.some((l) => l.includes('Created the anchor key')));
    const made = await keyObject(roots.main);
    assert.ok(made?.key, 'the key object holds a 32-byte key');
    assert.ok(made.sd.control & SE_DACL_PROTECTED, 'its DACL inherits nothing');
    assert.equal(made.sd.owner, sync.sid, 'owned by the account that made it');
    const holders = (made.sd.dacl?.aces ?? []).map((a) => ('sid' in a ? a.sid : '?'));
    assert.ok(holders.includes(sync.sid));
    assert.equal(holders.includes(helpdesk.sid), false);
    assert.equal(holders.includes('S-1-5-11'), false, 'not Authenticated Users');
    const ann = await userEntry(roots.main, `ak.ann.${tag}`);
    const proof = /;proof=([A-Za-z0-9_-]{22})$/.exec(String(first(ann?.adminDescription)))?.[1];
    assert.ok(proofMatches(made.key, guidText(ann?.objectGUID as Buffer), ids.ann as string, proof), 'the proof is made with the key in AD');
    const again = await engine('sync-plan', syncParams(roots.main));
    assert.deepEqual(
      again.records.filter((r) => r.Operation !== 'skip'),
      [],
      'the next run reads the same key: nothing to do',
    );
  });

  it('a second delegated account cannot read the key (Samba enforces read ACLs)', async () => {
    const client = await bindAsTestDcUser(helpdesk, clients);
    const base = await client.search(anchorKeyDn(roots.main), { scope: 'base', attributes: ['info'] }).catch(() => ({ searchEntries: [] }));
    assert.deepEqual(
      base.searchEntries.flatMap((e) => [e.info].flat().filter((v) => v !== undefined && String(v) !== '')),
      [],
      'the key object shows it no info value',
    );
    const listed = await client.search(roots.main, { scope: 'sub', filter: '(info=*)', attributes: ['info'] });
    assert.equal(
      listed.searchEntries.some((e) => String(first(e.info)).length > 0),
      false,
      'no info value under the root is visible to it',
    );
  });

  it('a key object planted by the second delegated account with a readable DACL is refused, nothing written', async () => {
    const client = await bindAsTestDcUser(helpdesk, clients);
    const dn = anchorKeyDn(roots.planted);
    // The container's inherited permissions: the helpdesk account (and the sync's) may read it.
    await client.add(dn, { objectClass: ['top', 'group'], sAMAccountName: `akp${tag}`, groupType: '2', info: randomBytes(32).toString('base64') });
    for (const command of ['sync-plan', 'sync']) {
      const result = await engine(command, syncParams(roots.planted));
      assert.equal(result.code, 5, result.raw);
      assert.equal(result.error?.id, 'AnchorKey.Unsafe', result.raw);
      assert.match(String(result.error?.message), /inherits permissions|grants access/);
    }
    const objects = await fx.session.search(roots.planted, { scope: 'one', filter: '(objectClass=*)', attributes: ['cn'] });
    assert.deepEqual(
      objects.map((o) => o.dn.toLowerCase()),
      [dn.toLowerCase()],
      'nothing created',
    );
  });

  it('a deleted key is never made anew while proofs exist; -AdoptExisting, reviewed, is the way back', async () => {
    const before = await userEntry(roots.main, `ak.ann.${tag}`);
    // The helpdesk account may delete groups under the root: it deletes the key object.
    const client = await bindAsTestDcUser(helpdesk, clients);
    await client.del(anchorKeyDn(roots.main));
    const refused = await engine('sync', syncParams(roots.main));
    assert.equal(refused.code, 5, refused.raw);
    assert.equal(refused.error?.id, 'AnchorKey.Missing', refused.raw);
    assert.equal(await keyObject(roots.main), null, 'no new key');
    assert.equal(String(first((await userEntry(roots.main, `ak.ann.${tag}`))?.whenChanged)), String(first(before?.whenChanged)), 'nothing written');

    const review = await engine('sync-plan', syncParams(roots.main, { adoptExisting: true }));
    assert.equal(review.code, 0, review.raw);
    const adopts = review.records
      .filter((r) => r.Adopt === true)
      .map((r) => String(r.Target))
      .sort();
    assert.deepEqual(adopts, [`Ak-${tag}`, `ak.ann.${tag}`, `ak.bob.${tag}`].sort(), 'the review lists every object to seal again');
    const sealed = await engine('sync', syncParams(roots.main, { adoptExisting: true }));
    assert.equal(sealed.code, 0, sealed.raw);
    const made = await keyObject(roots.main);
    assert.ok(made?.key);
    const ann = await userEntry(roots.main, `ak.ann.${tag}`);
    assert.ok(Buffer.compare(ann?.objectGUID as Buffer, before?.objectGUID as Buffer) === 0, 'the same object');
    const proof = /;proof=([A-Za-z0-9_-]{22})$/.exec(String(first(ann?.adminDescription)))?.[1];
    assert.ok(proofMatches(made.key, guidText(ann?.objectGUID as Buffer), ids.ann as string, proof), 'sealed with the new key');
    const after = await engine('sync-plan', syncParams(roots.main));
    assert.deepEqual(
      after.records.filter((r) => r.Operation !== 'skip'),
      [],
    );
  });

  it('an install from before the key: nothing re-created or renamed; anchors left alone and named until reviewed and sealed', async () => {
    const guidOf = async (dn: string) =>
      (await fx.session.search(dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] }))[0]?.objectGUID as Buffer;
    // What a sync before anchor keys wrote: anchors without a proof, and no key object.
    const session = await AdSession.open(adminDc({ bindDN: `${sync.sam}@example.com`, bindPassword: sync.password }));
    const old = new AdWriter(session, 'adminDescription', null);
    const created: string[] = [];
    try {
      for (const name of ['cal', 'dee']) {
        const sam = `ak.${name}.${tag}`;
        const user = await sb.admin('POST', '/users', {
          username: sam,
          email: `${name}.${tag}@example.com`,
          firstname: `F${name}`,
          lastname: `L${name}`,
          bindToDomain: DOMAIN,
        });
        ids[name] = String(user._id ?? user.id);
        const dn = `CN=${sam},${roots.legacy}`;
        const attributes = {
          cn: sam,
          sAMAccountName: sam,
          userPrincipalName: `${sam}@example.com`,
          givenName: `F${name}`,
          sn: `L${name}`,
          displayName: `F${name} L${name}`,
          mail: `${name}.${tag}@example.com`,
        };
        await old.createUser(dn, ids[name] as string, attributes, `Lg-${randomBytes(8).toString('hex')}-Aa1`, true);
        created.push(dn);
      }
    } finally {
      await session.close();
    }
    const watched = ['cn', 'sAMAccountName', 'adminDescription', 'userAccountControl', 'whenChanged'];
    const before = await Promise.all(created.map((dn) => fx.session.readObject(dn, watched)));
    const guids = await Promise.all(created.map(guidOf));

    const plan = await engine('sync-plan', syncParams(roots.legacy));
    assert.equal(plan.code, 0, plan.raw);
    const warning = plan.logs.find((l) => l.includes('without a proof'));
    assert.ok(
      warning && /Get-JCSyncPlan -AdoptExisting/.test(warning) && /Invoke-JCSync -AdoptExisting/.test(warning),
      'the plan names the cause and the cmdlets',
    );
    const untrusted = plan.records.filter((r) => r.Code === 'UntrustedAnchor').map((r) => String(r.DN).toLowerCase());
    for (const dn of created) assert.ok(untrusted.includes(dn.toLowerCase()), `${dn} is left alone until reviewed`);

    const run = await engine('sync', syncParams(roots.legacy));
    assert.equal(run.code, 0, run.raw);
    assert.ok((await keyObject(roots.legacy))?.key, 'the key is made: no proof existed under this root yet');
    assert.deepEqual(await Promise.all(created.map((dn) => fx.session.readObject(dn, watched))), before, 'nothing written to the old objects');

    const review = await engine('sync-plan', syncParams(roots.legacy, { adoptExisting: true }));
    const adopts = review.records.filter((r) => r.Adopt === true).map((r) => String(r.DN).toLowerCase());
    for (const dn of created) assert.ok(adopts.includes(dn.toLowerCase()), `${dn} is in the review list`);
    const sealed = await engine('sync', syncParams(roots.legacy, { adoptExisting: true }));
    assert.equal(sealed.code, 0, sealed.raw);
    const key = (await keyObject(roots.legacy))?.key as Buffer;
    for (const [i, dn] of created.entries()) {
      const entry = (
        await fx.session.search(dn, { scope: 'base', attributes: ['adminDescription', 'objectGUID'], explicitBufferAttributes: ['objectGUID'] })
      )[0];
      assert.ok(entry, `${dn} is still there, not renamed`);
      assert.ok(Buffer.compare(entry.objectGUID as Buffer, guids[i] as Buffer) === 0, 'not re-created');
      const anchor = String(first(entry.adminDescription));
      const proof = /;proof=([A-Za-z0-9_-]{22})$/.exec(anchor)?.[1];
      assert.ok(proofMatches(key, guidText(entry.objectGUID as Buffer), ids[i === 0 ? 'cal' : 'dee'] as string, proof), `${dn} sealed with the key in AD`);
    }
  });
});
