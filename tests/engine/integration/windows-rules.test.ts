// Windows AD rules Samba does not enforce, against the real test DC (docs/windows-vs-samba.md):
// forest-wide UPN uniqueness through the global catalog, schema attribute limits, and a "must
// change password at next logon" account re-enabled with its password kept.
//
// The test forest has one domain, so the global catalog is forced on (dc.globalCatalog: always)
// and the UPN holder is planted in the same domain outside the root: the GC (ldaps, port 3269)
// answers for it like it answers for any domain of the forest. What a real multi-domain forest
// adds: the holder sits in another domain's naming context, which only the GC (not the domain
// search) can see; the unit tests (windows-rules.test.ts) cover that merge.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change, Client } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import { globalCatalogDc, lookupForestUpns } from '../../../engine/src/ad/global-catalog';
import { AdSession } from '../../../engine/src/ad/session';
import { AdWriter } from '../../../engine/src/ad/writer';
import { apply } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredState, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, testDc } from '../helpers/testdc';

const tag = randomBytes(3).toString('hex');
const id = (n: number) => `${tag}${n.toString(16).padStart(18, '0')}`;
const user = (n: number, over: Partial<DesiredUser> = {}): DesiredUser => ({
  jcId: id(n),
  username: `winad${n}-${tag}`,
  firstName: `First${n}`,
  lastName: `Last${n}`,
  email: null,
  suspended: false,
  ...over,
});
const first = (v: unknown) => String(Array.isArray(v) ? v[0] : v);
const skipOf = (ops: PlanOp[]) => ops.find((o): o is Extract<PlanOp, { kind: 'skip' }> => o.kind === 'skip');

describe('Windows rules Samba does not enforce (test DC)', () => {
  let fx: AdFixture;
  let gcSession: AdSession;
  const elsewhere = `OU=winad-elsewhere-${tag},${testDc().baseDN}`;
  const holderDn = `CN=Holder ${tag},${elsewhere}`;
  const takenUpn = `winad9-${tag}@example.com`;

  /** Reader → planner → applier with the global catalog forced on, as a multi-domain forest would. */
  const readForest = (desired: DesiredState) => readActualState(gcSession, { rootDN: fx.rootDN, candidateNames: desired.users.map((u) => u.username) });
  const sync = async (desired: DesiredState, password = 'Winad-Passw0rd!1') => {
    const actual = await readForest(desired);
    const p = plan(desired, actual, { ...DEFAULT_PLAN_OPTIONS, force: true });
    const outcome = await apply(p, { writer: new AdWriter(gcSession, 'adminDescription'), journal: memoryJournal(), initialPassword: () => password });
    return { actual, plan: p, outcome };
  };

  before(async () => {
    fx = await openFixture('winad');
    gcSession = await AdSession.open(adminDc({ globalCatalog: 'always' }));
    await fx.session.ldapClient.add(elsewhere, { objectClass: ['top', 'organizationalUnit'] });
    await fx.session.ldapClient.add(holderDn, {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: [`wh-${tag}`],
      userPrincipalName: [takenUpn],
      userAccountControl: ['514'],
    });
  });
  after(async () => {
    await fx?.session.ldapClient.del(holderDn).catch(() => undefined);
    await fx?.session.ldapClient.del(elsewhere).catch(() => undefined);
    await gcSession?.close();
    await fx?.close();
  });

  it('the global catalog (ldaps 3269) finds the UPN holder from the forest root', async () => {
    const gc = await AdSession.open(globalCatalogDc(adminDc(), testDc().host));
    try {
      assert.equal(gc.port, 3269);
      const holders = await lookupForestUpns(gc, [takenUpn.toUpperCase(), `nobody-${tag}@example.com`]);
      assert.deepEqual([...holders], [[takenUpn.toLowerCase(), holderDn]]);
    } finally {
      await gc.close();
    }
  });

  it('a UPN held outside the root is a skip naming the holder, not a failure; the check went through the GC', async () => {
    const desired = { users: [user(9)], groups: [] };
    const { actual, plan: p, outcome } = await sync(desired);
    assert.equal(actual.upnScope?.scope, 'forest');
    assert.match(actual.upnScope?.server ?? '', /:3269$/);
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['skip'],
    );
    assert.equal(skipOf(p.operations)?.code, 'NameTaken');
    assert.match(skipOf(p.operations)?.reason ?? '', new RegExp(`used by ${holderDn} elsewhere in the forest`));
    assert.equal(outcome.failed, 0);
    assert.equal(await fx.read(`CN=winad9-${tag},${fx.rootDN}`, ['cn']), null);
  });

  it('a rename onto that UPN is a skip: the account keeps its DN and both logon names', async () => {
    const created = await sync({ users: [user(1)], groups: [] });
    assert.equal(created.outcome.failed, 0, JSON.stringify(created.outcome.failures.map((f) => f.error.message)));
    const { plan: p, outcome } = await sync({ users: [user(1, { username: `winad9-${tag}` })], groups: [] });
    assert.equal(skipOf(p.operations)?.code, 'NameTaken');
    assert.ok(!p.operations.some((o) => o.kind === 'renameUser'));
    assert.equal(outcome.failed, 0);
    const still = await fx.read(`CN=winad1-${tag},${fx.rootDN}`, ['sAMAccountName', 'userPrincipalName']);
    assert.deepEqual([first(still?.sAMAccountName), first(still?.userPrincipalName)], [`winad1-${tag}`, `winad1-${tag}@example.com`]);
  });

  it('a rename the DC refuses (a logon name the plan did not know was taken) leaves no half-renamed account', async () => {
    // The plan is made blind to the holder, as if a new holder appeared after the read: the DC
    // itself refuses the logon names (sAMAccountName is unique on Samba too), and the DN stays.
    const desired = { users: [user(1, { username: `wh-${tag}` })], groups: [] };
    const actual = await readForest(desired);
    actual.accountNames.delete(`wh-${tag}`);
    const p = plan(desired, actual, { ...DEFAULT_PLAN_OPTIONS, force: true });
    const rename = p.operations.find((o): o is Extract<PlanOp, { kind: 'renameUser' }> => o.kind === 'renameUser');
    assert.equal(rename?.logonNames?.after.sAMAccountName, `wh-${tag}`);
    const outcome = await apply(p, { writer: new AdWriter(gcSession, 'adminDescription'), journal: memoryJournal(), initialPassword: () => 'unused' });
    assert.equal(outcome.failed, 1);
    assert.equal(outcome.failures[0]?.kind, 'renameUser');
    const still = await fx.read(`CN=winad1-${tag},${fx.rootDN}`, ['sAMAccountName', 'userPrincipalName']);
    assert.deepEqual([first(still?.sAMAccountName), first(still?.userPrincipalName)], [`winad1-${tag}`, `winad1-${tag}@example.com`]);
    assert.equal(await fx.read(`CN=wh-${tag},${fx.rootDN}`, ['cn']), null);
  });

  it('a 65-character first name is a skip naming givenName and the schema limit 64', async () => {
    const { actual, plan: p, outcome } = await sync({ users: [user(2, { firstName: 'F'.repeat(65) })], groups: [] });
    assert.equal(actual.attributeLimits?.get('givenname'), 64, 'rangeUpper read from the schema');
    assert.equal(skipOf(p.operations)?.code, 'ValueTooLong');
    assert.match(skipOf(p.operations)?.reason ?? '', /givenName has 65 characters, the schema allows 64/);
    assert.equal(outcome.failed, 0);
    assert.equal(await fx.read(`CN=winad2-${tag},${fx.rootDN}`, ['cn']), null, 'nothing written, nothing truncated');
  });

  it('a "must change at next logon" account disabled and re-enabled keeps its password and pwdLastSet=0', async () => {
    const password = `Keep-${tag}-Pw!7`;
    const created = await sync({ users: [user(3)], groups: [] }, password);
    assert.equal(created.outcome.failed, 0);
    const dn = `CN=winad3-${tag},${fx.rootDN}`;
    // An administrator ticks "User must change password at next logon".
    await fx.session.ldapClient.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['0'] }) })]);
    await sync({ users: [user(3, { suspended: true })], groups: [] }, 'Other-Passw0rd!2');
    assert.equal(Number(first((await fx.read(dn, ['userAccountControl']))?.userAccountControl)) & 2, 2, 'disabled');
    const { plan: p } = await sync({ users: [user(3)], groups: [] }, 'Other-Passw0rd!2');
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['enableUser'],
    );
    const after = await fx.read(dn, ['userAccountControl', 'pwdLastSet']);
    assert.equal(Number(first(after?.userAccountControl)) & 2, 0, 'enabled');
    assert.equal(first(after?.pwdLastSet), '0', 'still "must change at next logon"');

    // A must-change account may refuse a simple bind with 49 and data 773 ("must change"),
    // which AD says only for the right password; a wrong one gets data 52e.
    const info = testDc();
    const bind = async (secret: string): Promise<string> => {
      const client = new Client({
        url: `ldaps://${info.host}:${info.port}`,
        tlsOptions: { ca: [readFileSync(info.caFile)] },
        timeout: 5000,
        connectTimeout: 5000,
      });
      try {
        await client.bind(`winad3-${tag}@example.com`, secret);
        return 'ok';
      } catch (err) {
        const data = /data ([0-9a-f]+)/i.exec((err as Error).message)?.[1];
        return `refused ${(err as { code?: number }).code} ${data ?? ''}`.trim();
      } finally {
        await client.unbind().catch(() => undefined);
      }
    };
    const withKept = await bind(password);
    assert.ok(withKept === 'ok' || withKept === 'refused 49 773', `the kept password binds (or is "must change"): ${withKept}`);
    const withOther = await bind('Other-Passw0rd!2');
    assert.ok(withOther.startsWith('refused 49') && !withOther.endsWith('773'), `the password a re-enable would have set does not work: ${withOther}`);
  });
});
