// Effective privilege against the real Samba DC (which has no SDProp: adminCount is never set
// there). A managed user an administrator put into Domain Admins a moment ago, and a managed group
// nested into Domain Admins, are held back from every write, and reported with the membership path;
// a password from JumpCloud is refused for that user. A group on the deny list counts as privileged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change } from 'ldapts';
import { PrivilegeChecker } from '../../../engine/src/ad/privilege';
import { readActualState } from '../../../engine/src/ad/directory';
import { applyPasswordEvent } from '../../../engine/src/agent/passwords';
import { generateAgentKeyPair, sealToAgent } from '../../../engine/src/jumpcloud/agent-crypto';
import { apply } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredGroup, type DesiredState, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { screenPrivileged } from '../../../engine/src/sync/privilege-gate';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { testDc, testDcClient } from '../helpers/testdc';

const id = (n: number) => n.toString(16).padStart(24, 'd');
const user = (n: number, over: Partial<DesiredUser> = {}): DesiredUser => ({
  jcId: id(n),
  username: `prv-u${n}`,
  firstName: `F${n}`,
  lastName: `L${n}`,
  email: null,
  suspended: false,
  ...over,
});
const group = (n: number, members: number[]): DesiredGroup => ({ jcId: id(100 + n), name: `prv-g${n}`, description: '', memberJcIds: members.map(id) });
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const member = (operation: 'add' | 'delete', dn: string) => new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });

describe('effective privilege (Samba)', () => {
  let fx: AdFixture;
  let domainAdmins: string;
  const nested: string[] = [];
  before(async () => {
    fx = await openFixture('jcadi-privilege');
    domainAdmins = `CN=Domain Admins,CN=Users,${testDc().baseDN}`;
  });
  after(async () => {
    // Never leave a test object in Domain Admins on the shared DC.
    for (const dn of nested) await fx.session.ldapClient.modify(domainAdmins, [member('delete', dn)]).catch(() => undefined);
    await fx?.close();
  });

  async function screenedSync(desired: DesiredState, denyList: string[] = []) {
    const actual = await readActualState(fx.session, {
      rootDN: fx.rootDN,
      candidateNames: desired.users.map((u) => u.username).concat(desired.groups.map((g) => g.name)),
    });
    const screened = await screenPrivileged(plan(desired, actual, DEFAULT_PLAN_OPTIONS), new PrivilegeChecker(fx.session, denyList));
    const outcome = await apply(screened, { writer: fx.writer, journal: memoryJournal(), initialPassword: () => 'Unused-Passw0rd!1' });
    return { plan: screened, outcome };
  }
  const skips = (ops: PlanOp[]) => ops.filter((o): o is Extract<PlanOp, { kind: 'skip' }> => o.kind === 'skip');

  it('a managed user put into Domain Admins is neither changed nor given a password, and is reported with the path', async () => {
    await fx.sync({ users: [user(1), user(2)], groups: [] });
    const dn = `CN=prv-u1,${fx.rootDN}`;
    await fx.session.ldapClient.modify(domainAdmins, [member('add', dn)]);
    nested.push(dn);
    // What SDProp would set (and Samba never does): cleared, so only effective privilege can tell.
    await fx.set(dn, 'adminCount', []).catch(() => undefined);
    assert.equal(first((await fx.read(dn, ['adminCount']))?.adminCount), undefined);
    const before = await fx.read(dn, ['sn', 'userAccountControl', 'pwdLastSet', 'whenChanged']);

    const { plan: p, outcome } = await screenedSync({
      users: [user(1, { lastName: 'Changed', suspended: true }), user(2, { lastName: 'Changed' })],
      groups: [],
    });
    assert.equal(outcome.failed, 0, JSON.stringify(outcome.failures));
    const reported = skips(p.operations).filter((s) => s.jcId === id(1));
    assert.equal(reported.length, 1, 'reported once');
    assert.equal(reported[0]?.code, 'Protected');
    assert.match(reported[0]?.reason ?? '', /prv-u1 → Domain Admins/);
    assert.ok(!p.operations.some((o) => o.kind !== 'skip' && 'jcId' in o && o.jcId === id(1)), 'no operation on the privileged user');
    const after = await fx.read(dn, ['sn', 'userAccountControl', 'pwdLastSet']);
    assert.equal(first(after?.sn), first(before?.sn));
    assert.equal(first(after?.userAccountControl), first(before?.userAccountControl));
    assert.equal(first((await fx.read(`CN=prv-u2,${fx.rootDN}`, ['sn']))?.sn), 'Changed', 'the unprivileged user is still synced');

    // A password from JumpCloud for that user is refused, and not written.
    const keys = generateAgentKeyPair();
    const agentId = 'a'.repeat(24);
    const eventId = 'evt-privileged-1';
    const password = 'FromJumpCloud-Passw0rd!7';
    const event = {
      id: eventId,
      seq: 1,
      type: 'user.password_changed',
      at: new Date().toISOString(),
      data: { userId: id(1), username: 'prv-u1' },
      password: { ...sealToAgent(password, keys.publicKey, { eventId, agentId, userId: id(1) }) },
    };
    const journal = memoryJournal();
    const result = await applyPasswordEvent(event, {
      session: fx.session,
      rootDN: fx.rootDN,
      anchorAttribute: 'adminDescription',
      agentId,
      privateKeyPem: keys.privateKeyPem,
      journal,
    });
    assert.equal(result.outcome, 'rejected');
    assert.match(result.ack?.reason ?? '', /privileged \(prv-u1 → Domain Admins\)/);
    assert.equal(first((await fx.read(dn, ['pwdLastSet']))?.pwdLastSet), first(before?.pwdLastSet), 'the password was not set');
    const client = testDcClient(5000);
    await assert.rejects(client.bind('prv-u1@example.com', password));
    await client.unbind().catch(() => undefined);
  });

  it('a managed group nested into Domain Admins gets no membership change, and is reported with the path', async () => {
    const desired = { users: [user(1), user(2, { lastName: 'Changed' }), user(3)], groups: [group(1, [2]), group(2, [2])] };
    const first1 = await screenedSync(desired);
    assert.equal(first1.outcome.failed, 0, JSON.stringify(first1.outcome.failures));
    const g1 = `CN=prv-g1,${fx.rootDN}`;
    await fx.session.ldapClient.modify(domainAdmins, [member('add', g1)]);
    nested.push(g1);
    const membersBefore = (await fx.read(g1, ['member']))?.member;

    const { plan: p, outcome } = await screenedSync({ ...desired, groups: [group(1, [3]), group(2, [3])] });
    assert.equal(outcome.failed, 0, JSON.stringify(outcome.failures));
    const reported = skips(p.operations).filter((s) => s.objectType === 'group');
    assert.equal(reported.length, 1);
    assert.match(reported[0]?.reason ?? '', /prv-g1 → Domain Admins/);
    assert.ok(!p.operations.some((o) => (o.kind === 'addMember' || o.kind === 'removeMember') && o.groupDn.toLowerCase() === g1.toLowerCase()));
    assert.deepEqual((await fx.read(g1, ['member']))?.member, membersBefore, 'the nested group kept its members');
    // The other group still follows JumpCloud: prv-u3 is added. prv-u2 stays a member: it is now
    // privileged itself (through prv-g1), and privileged accounts are never changed, their
    // memberships included. (Samba returns member values in no fixed order: compare sorted.)
    const g2 = await fx.read(`CN=prv-g2,${fx.rootDN}`, ['member']);
    assert.deepEqual([g2?.member].flat().map(String).sort(), [`CN=prv-u2,${fx.rootDN}`, `CN=prv-u3,${fx.rootDN}`]);
  });

  it('a group on the deny list makes its members privileged too', async () => {
    const custom = `CN=prv-deny,${fx.rootDN}`;
    await fx.session.ldapClient.add(custom, { objectClass: ['top', 'group'], sAMAccountName: 'prv-deny-x' });
    await fx.session.ldapClient.modify(custom, [member('add', `CN=prv-u3,${fx.rootDN}`)]);
    const desired = { users: [user(3, { lastName: 'Denied' })], groups: [] };
    const plain = await screenPrivileged(await fx.planOnly(desired), new PrivilegeChecker(fx.session, []));
    assert.ok(
      plain.operations.some((o) => o.kind === 'updateUser' && o.jcId === id(3)),
      'without the deny list the user is synced',
    );
    const denied = await screenPrivileged(await fx.planOnly(desired), new PrivilegeChecker(fx.session, ['prv-deny-x']));
    assert.ok(!denied.operations.some((o) => o.kind === 'updateUser'));
    assert.match(skips(denied.operations).find((s) => s.jcId === id(3))?.reason ?? '', /prv-u3 → prv-deny/);
  });
});
