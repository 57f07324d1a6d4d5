// Rules Windows AD enforces and Samba does not (docs/windows-vs-samba.md), as the pure parts see
// them: attribute limits from the schema, forest-wide UPN holders, a rename whose logon names and
// DN change together, and when the global catalog is asked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry, SearchOptions } from 'ldapts';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import { type ActualState, type AdUser } from '../../../engine/src/ad/model';
import { readActualState } from '../../../engine/src/ad/directory';
import { chooseUpnScope, findGlobalCatalog, lookupForestUpns } from '../../../engine/src/ad/global-catalog';
import { describeOverLimit, valuesOverLimit } from '../../../engine/src/ad/schema-limits';
import type { AdSession } from '../../../engine/src/ad/session';
import type { DcConfig } from '../../../engine/src/config/request';
import { apply, type DirectoryWriter } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';

const ROOT = 'OU=Staff,DC=example,DC=com';
const JC = '0123456789abcdef01234567';
/** The limits a Windows Server 2019 schema (and Samba's) gives the attributes the sync writes. */
const LIMITS = new Map([
  ['cn', 64],
  ['samaccountname', 256],
  ['userprincipalname', 1024],
  ['givenname', 64],
  ['sn', 64],
  ['displayname', 256],
  ['mail', 256],
  ['description', 1024],
]);

const jcUser = (over: Partial<DesiredUser> = {}): DesiredUser => ({
  jcId: JC,
  username: 'ann',
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann@example.com',
  suspended: false,
  ...over,
});
const adUser = (over: Partial<AdUser> = {}): AdUser => ({
  dn: `CN=ann,${ROOT}`,
  anchor: { jcId: JC, syncDisabled: false, offboarded: false },
  foreignAnchor: false,
  cn: 'ann',
  sAMAccountName: 'ann',
  userPrincipalName: 'ann@example.com',
  givenName: 'Ann',
  sn: 'Lee',
  displayName: 'Ann Lee',
  mail: 'ann@example.com',
  disabled: false,
  passwordSet: true,
  protected: false,
  ...over,
});
const actual = (users: AdUser[], over: Partial<ActualState> = {}): ActualState => ({
  rootDN: ROOT,
  upnSuffix: 'example.com',
  users,
  groups: [],
  accountNames: new Map(users.map((u) => [u.sAMAccountName, u.dn])),
  principalNames: new Map(users.map((u) => [u.userPrincipalName, u.dn])),
  attributeLimits: LIMITS,
  ...over,
});
const run = (users: DesiredUser[], a: ActualState) => plan({ users, groups: [] }, a, DEFAULT_PLAN_OPTIONS).operations;
const skipOf = (ops: PlanOp[]) => ops.find((o): o is Extract<PlanOp, { kind: 'skip' }> => o.kind === 'skip');

describe('attribute limits (schema rangeUpper)', () => {
  it('a 65-character first name is a skip naming givenName, 65 and 64; never truncated', () => {
    const ops = run([jcUser({ firstName: 'A'.repeat(65) })], actual([]));
    assert.deepEqual(
      ops.map((o) => o.kind),
      ['skip'],
    );
    assert.equal(skipOf(ops)?.code, 'ValueTooLong');
    assert.match(skipOf(ops)?.reason ?? '', /givenName has 65 characters, the schema allows 64/);
  });

  it('64 characters pass; an existing user with a too-long new value keeps its account and its memberships', () => {
    assert.deepEqual(
      run([jcUser({ firstName: 'A'.repeat(64), lastName: 'B'.repeat(64) })], actual([])).map((o) => o.kind),
      ['createUser'],
    );
    const ops = run([jcUser({ email: `${'m'.repeat(250)}@example.com` })], actual([adUser()]));
    assert.deepEqual(
      ops.map((o) => o.kind),
      ['skip'],
    );
    assert.equal(skipOf(ops)?.dn, `CN=ann,${ROOT}`);
    assert.match(skipOf(ops)?.reason ?? '', /mail has 262 characters, the schema allows 256/);
  });

  it('a group description over 1024 characters is a skip; without limits nothing is checked', () => {
    const group = { jcId: 'a'.repeat(24), name: 'Team', description: 'd'.repeat(1025), memberJcIds: [] };
    const ops = plan({ users: [], groups: [group] }, actual([]), DEFAULT_PLAN_OPTIONS).operations;
    assert.equal(skipOf(ops)?.code, 'ValueTooLong');
    assert.match(skipOf(ops)?.reason ?? '', /description has 1025 characters, the schema allows 1024/);
    assert.deepEqual(valuesOverLimit({ givenName: 'x'.repeat(500) }, undefined), []);
    assert.equal(describeOverLimit(valuesOverLimit({ sn: 'é'.repeat(65), GIVENNAME: 'ok' }, LIMITS)), 'sn has 65 characters, the schema allows 64');
  });
});

describe('attribute limits: read once', () => {
  it('reads rangeUpper from the schema when not given, and not at all when the caller (the agent) holds them', async () => {
    const bases: string[] = [];
    const session = {
      async rootDse() {
        return { defaultNamingContext: 'DC=example,DC=com', configurationNamingContext: 'CN=Configuration,DC=example,DC=com' };
      },
      async *searchPaged(): AsyncGenerator<Entry[]> {
        yield [];
      },
      async search(base: string, options: SearchOptions): Promise<Entry[]> {
        bases.push(base);
        assert.match(String(options.filter), /\(lDAPDisplayName=givenName\)/);
        return [{ dn: 'CN=Given-Name,CN=Schema,CN=Configuration,DC=example,DC=com', lDAPDisplayName: 'givenName', rangeUpper: '64' }];
      },
    } as unknown as AdSession;
    const first = await readActualState(session, { rootDN: ROOT });
    assert.deepEqual(bases, ['CN=Schema,CN=Configuration,DC=example,DC=com']);
    assert.equal(first.attributeLimits?.get('givenname'), 64);
    const again = await readActualState(session, { rootDN: ROOT, attributeLimits: first.attributeLimits });
    assert.equal(bases.length, 1, 'no second schema read');
    assert.equal(again.attributeLimits, first.attributeLimits);
  });
});

describe('forest-wide UPN', () => {
  it('a UPN held in another domain of the forest is a skip naming its holder', () => {
    const holder = 'CN=Ann Other,OU=People,DC=emea,DC=example,DC=com';
    const a = actual([], {
      principalNames: new Map([['ann@example.com', holder]]),
      upnScope: { scope: 'forest', server: 'dc1:3269', why: 'the forest has 2 domains' },
    });
    const ops = run([jcUser()], a);
    assert.equal(skipOf(ops)?.code, 'NameTaken');
    assert.match(skipOf(ops)?.reason ?? '', new RegExp(`used by ${holder} elsewhere in the forest`));
  });

  it('a rename onto a UPN held elsewhere is one skip: neither the DN nor the logon names change', () => {
    const holder = 'CN=x,DC=emea,DC=example,DC=com';
    const a = actual([adUser()]);
    a.principalNames.set('bob@example.com', holder);
    const ops = run([jcUser({ username: 'bob', lastName: 'Lee-Smith' })], a);
    assert.deepEqual(
      ops.map((o) => o.kind),
      ['updateUser', 'skip'],
    );
    const update = ops[0] as Extract<PlanOp, { kind: 'updateUser' }>;
    assert.deepEqual(
      update.changes.map((c) => c.attribute),
      ['sn', 'displayName'],
    );
  });

  it('asks the global catalog when the forest has more domains, when it cannot tell, or when forced', () => {
    assert.equal(chooseUpnScope('auto', ['DC=example,DC=com']).forest, false);
    assert.equal(chooseUpnScope('auto', ['DC=example,DC=com', 'DC=emea,DC=example,DC=com']).forest, true);
    assert.match(chooseUpnScope('auto', null).why, /could not be read/);
    assert.equal(chooseUpnScope('auto', null).forest, true);
    assert.equal(chooseUpnScope('always', ['DC=example,DC=com']).forest, true);
    assert.equal(chooseUpnScope('never', ['a', 'b']).forest, false);
  });

  it('finds the GC: this DC when it is one (3269 for ldaps, 3268 for StartTLS), else DNS _gc._tcp of the forest', async () => {
    const dc = {
      host: 'dc1.example.com',
      mode: 'ldaps',
      bindDN: 'x',
      bindPassword: 'y',
      timeoutMs: 1000,
      allowInsecure: false,
      insecureRiskAcknowledged: false,
    } as DcConfig;
    assert.equal((await findGlobalCatalog(dc, { isGlobalCatalogReady: true }, async () => 'example.com'))?.port, 3269);
    assert.equal((await findGlobalCatalog({ ...dc, mode: 'starttls' }, { isGlobalCatalogReady: true }, async () => 'example.com'))?.port, 3268);
    const asked: string[] = [];
    const srv = async (name: string) => {
      asked.push(name);
      return [
        { name: 'gc2.example.com', port: 3268, priority: 10, weight: 0 },
        { name: 'gc1.example.com', port: 3268, priority: 0, weight: 100 },
      ];
    };
    const found = await findGlobalCatalog(dc, { isGlobalCatalogReady: false }, async () => 'example.com', srv);
    assert.deepEqual([found?.host, found?.port, asked], ['gc1.example.com', 3269, ['_gc._tcp.example.com']]);
    assert.equal(
      await findGlobalCatalog(
        dc,
        { isGlobalCatalogReady: false },
        async () => 'example.com',
        async () => [],
      ),
      null,
    );
    assert.equal(
      (await findGlobalCatalog({ ...dc, globalCatalogHost: 'gc9', globalCatalogPort: 13269 }, { isGlobalCatalogReady: false }, async () => 'x'))?.port,
      13269,
    );
  });

  it('looks UPNs up from the forest root (base "") in chunks, escaped', async () => {
    const searches: Array<{ base: string; filter: string }> = [];
    const gc = {
      async *searchPaged(base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
        searches.push({ base, filter: String(options.filter) });
        yield [{ dn: 'CN=a,DC=emea,DC=example,DC=com', userPrincipalName: 'A*1@example.com' }];
      },
    } as unknown as AdSession;
    const upns = Array.from({ length: 150 }, (_, i) => `u${i}@example.com`).concat('a*1@example.com');
    const holders = await lookupForestUpns(gc, upns);
    assert.equal(searches.length, 2);
    assert.ok(searches.every((s) => s.base === ''));
    assert.match(searches[1]?.filter ?? '', /\(userPrincipalName=a\\2a1@example\.com\)/);
    assert.equal(holders.get('a*1@example.com'), 'CN=a,DC=emea,DC=example,DC=com');
  });
});

describe('rename: logon names and DN together', () => {
  function writer(refuse: (call: string) => boolean) {
    const calls: string[] = [];
    const act = async (call: string) => {
      calls.push(call);
      if (refuse(call)) throw new EngineError('AD.ConstraintViolation', `refused ${call}`, { exitCode: ExitCode.PartialFailure });
    };
    const w: DirectoryWriter = {
      createUser: () => act('createUser'),
      setPassword: () => act('setPassword'),
      updateAttributes: (dn, values) =>
        act(
          `update ${dn} ${Object.entries(values)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}`,
        ),
      rename: (dn, newDn) => act(`rename ${dn}->${newDn}`),
      setEnabled: () => act('setEnabled'),
      createGroup: () => act('createGroup'),
      deleteGroup: () => act('deleteGroup'),
      changeMembers: async () => new Map(),
      setGroupUnbound: () => act('setGroupUnbound'),
    };
    return { calls, w };
  }
  const renamePlan = () => plan({ users: [jcUser({ username: 'bob' })], groups: [] }, actual([adUser()]), DEFAULT_PLAN_OPTIONS);

  it('writes both logon names in one change, then the DN', async () => {
    const { calls, w } = writer(() => false);
    const outcome = await apply(renamePlan(), { writer: w, journal: memoryJournal(), initialPassword: () => 'x' });
    assert.equal(outcome.failed, 0);
    assert.deepEqual(calls, [`update CN=ann,${ROOT} sAMAccountName=bob,userPrincipalName=bob@example.com`, `rename CN=ann,${ROOT}->CN=bob,${ROOT}`]);
  });

  it('a refused UPN (taken in the forest) changes nothing: the DN is not touched', async () => {
    const { calls, w } = writer((c) => c.startsWith('update'));
    const outcome = await apply(renamePlan(), { writer: w, journal: memoryJournal(), initialPassword: () => 'x' });
    assert.equal(outcome.failed, 1);
    assert.deepEqual(calls, [`update CN=ann,${ROOT} sAMAccountName=bob,userPrincipalName=bob@example.com`]);
  });

  it('a refused DN change puts the previous logon names back', async () => {
    const { calls, w } = writer((c) => c.startsWith('rename'));
    const outcome = await apply(renamePlan(), { writer: w, journal: memoryJournal(), initialPassword: () => 'x' });
    assert.equal(outcome.failed, 1);
    assert.equal(calls[2], `update CN=ann,${ROOT} sAMAccountName=ann,userPrincipalName=ann@example.com`);
  });
});
