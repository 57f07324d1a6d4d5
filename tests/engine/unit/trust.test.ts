// What the sync vouches for: anchors with a valid proof (keyed MAC of objectGUID + id), never
// critical system objects, never accounts moved out of the root (their memberships included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anchorProof, parseAnchorKey, proofMatches, newAnchorKey } from '../../../engine/src/ad/anchorproof';
import { decodeAnchor, encodeAnchor } from '../../../engine/src/ad/names';
import type { ActualState, AdGroup, AdUser } from '../../../engine/src/ad/model';
import { DEFAULT_PLAN_OPTIONS, type DesiredUser, type PlanOp } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';

const ROOT = 'OU=Corp,DC=example,DC=com';
const id = (n: number) => n.toString(16).padStart(24, '0');
const guid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const jcUser = (n: number, over: Partial<DesiredUser> = {}): DesiredUser => ({
  jcId: id(n),
  username: `user${n}`,
  firstName: `F${n}`,
  lastName: `L${n}`,
  email: null,
  suspended: false,
  ...over,
});
function adUser(n: number, over: Partial<AdUser> = {}): AdUser {
  return {
    dn: `CN=user${n},${ROOT}`,
    anchor: { jcId: id(n), syncDisabled: false, offboarded: false },
    foreignAnchor: false,
    cn: `user${n}`,
    sAMAccountName: `user${n}`,
    userPrincipalName: `user${n}@example.com`,
    givenName: `F${n}`,
    sn: `L${n}`,
    displayName: `F${n} L${n}`,
    mail: '',
    disabled: false,
    passwordSet: true,
    protected: false,
    critical: false,
    proof: 'valid',
    ...over,
  };
}
const adGroup = (name: string, jcId: string, members: string[], over: Partial<AdGroup> = {}): AdGroup => ({
  dn: `CN=${name},${ROOT}`,
  anchor: { jcId, syncDisabled: false, offboarded: false },
  foreignAnchor: false,
  cn: name,
  sAMAccountName: name,
  description: '',
  members,
  protected: false,
  critical: false,
  proof: 'valid',
  ...over,
});
function actual(users: AdUser[], groups: AdGroup[] = [], extra: Partial<ActualState> = {}): ActualState {
  const accountNames = new Map<string, string>([...users, ...groups].map((o) => [o.sAMAccountName.toLowerCase(), o.dn]));
  return {
    rootDN: ROOT,
    upnSuffix: 'example.com',
    users,
    groups,
    accountNames,
    principalNames: new Map(users.map((u) => [u.userPrincipalName.toLowerCase(), u.dn])),
    ...extra,
  };
}
const kinds = (ops: PlanOp[]) => ops.map((o) => o.kind);
const skips = (ops: PlanOp[]) => ops.filter((o): o is Extract<PlanOp, { kind: 'skip' }> => o.kind === 'skip');

describe('anchor proof', () => {
  it('fits only the object and the id it was made for, and only under its key', () => {
    const key = newAnchorKey();
    const proof = anchorProof(key, guid(1), id(1));
    assert.match(proof, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(proofMatches(key, guid(1), id(1), proof));
    assert.ok(proofMatches(key, guid(1).toUpperCase(), id(1), proof), 'GUID case does not matter');
    assert.equal(proofMatches(key, guid(2), id(1), proof), false, 'copied onto another object');
    assert.equal(proofMatches(key, guid(1), id(2), proof), false, 'another id on the same object');
    assert.equal(proofMatches(newAnchorKey(), guid(1), id(1), proof), false, 'another key');
    assert.equal(proofMatches(key, guid(1), id(1), undefined), false);
    assert.equal(proofMatches(key, '', id(1), proof), false);
  });

  it('travels in the anchor after the flags, and the codec keeps it', () => {
    const anchor = { jcId: id(7), syncDisabled: true, offboarded: true, unbound: true, proof: 'A'.repeat(22) };
    const text = encodeAnchor(anchor);
    assert.equal(text, `JumpCloud:${id(7)};syncDisabled;offboarded;unbound;proof=${'A'.repeat(22)}`);
    assert.deepEqual(decodeAnchor(text), anchor);
    assert.equal(decodeAnchor(`JumpCloud:${id(7)};proof=short`), 'foreign');
    assert.equal(decodeAnchor(`JumpCloud:${id(7)};proof=${'A'.repeat(22)};syncDisabled`), 'foreign', 'the proof comes last');
  });

  it('parses a key in base64 or base64url form, and refuses anything else', () => {
    const key = newAnchorKey();
    assert.deepEqual(parseAnchorKey(key.toString('base64')), key);
    assert.deepEqual(parseAnchorKey(key.toString('base64url')), key);
    assert.equal(parseAnchorKey('short'), null);
    assert.equal(parseAnchorKey(Buffer.alloc(31).toString('base64')), null);
  });
});

describe("planner: anchors without a valid proof are never the sync's", () => {
  const group = (members: number[]) => ({ jcId: id(900), name: 'Staff', description: '', memberJcIds: members.map(id) });
  for (const proof of ['missing', 'invalid'] as const) {
    it(`victim without an AD account (${proof}): the planted object is reported, never renamed or given members; the victim gets an account of its own`, () => {
      const planted = adUser(50, {
        dn: `CN=evil,${ROOT}`,
        cn: 'evil',
        sAMAccountName: 'evil',
        userPrincipalName: 'evil@example.com',
        anchor: { jcId: id(1), syncDisabled: false, offboarded: false },
        proof,
      });
      const p = plan({ users: [jcUser(1)], groups: [group([1])] }, actual([planted], [adGroup('Staff', id(900), [])]), DEFAULT_PLAN_OPTIONS);
      const report = skips(p.operations).find((s) => s.code === 'UntrustedAnchor');
      assert.equal(report?.dn, planted.dn);
      assert.equal(report?.jcId, id(1));
      assert.ok(
        p.operations.every((o) => !('dn' in o) || o.kind === 'skip' || o.dn !== planted.dn),
        'nothing written to the planted object',
      );
      assert.ok(p.operations.every((o) => o.kind !== 'addMember' || o.memberDn !== planted.dn));
      assert.deepEqual(
        kinds(p.operations).filter((k) => k !== 'skip'),
        ['createUser', 'addMember'],
      );
    });
  }

  it('victim skipped (no last name): the planted object gets no memberships', () => {
    const planted = adUser(50, {
      dn: `CN=evil,${ROOT}`,
      cn: 'evil',
      sAMAccountName: 'evil',
      anchor: { jcId: id(1), syncDisabled: false, offboarded: false },
      proof: 'missing',
    });
    const p = plan({ users: [jcUser(1, { lastName: '' })], groups: [group([1])] }, actual([planted], [adGroup('Staff', id(900), [])]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(p.operations), ['skip', 'skip']);
    assert.deepEqual(
      skips(p.operations)
        .map((s) => s.code)
        .sort(),
      ['MissingName', 'UntrustedAnchor'],
    );
  });

  it("a planted object already in a managed group is left there (not the sync's to remove), and never disabled when out of scope", () => {
    const planted = adUser(50, {
      dn: `CN=evil,${ROOT}`,
      cn: 'evil',
      sAMAccountName: 'evil',
      anchor: { jcId: id(1), syncDisabled: false, offboarded: false },
      proof: 'invalid',
    });
    const p = plan({ users: [], groups: [group([])] }, actual([planted], [adGroup('Staff', id(900), [planted.dn])]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(p.operations), ['skip']);
  });

  it('a proven object and a planted copy of its anchor: the proven one is managed, the copy reported', () => {
    const real = adUser(1);
    const copy = adUser(50, {
      dn: `CN=evil,${ROOT}`,
      cn: 'evil',
      sAMAccountName: 'evil',
      anchor: { ...real.anchor!, proof: 'x'.repeat(22) },
      proof: 'invalid',
    });
    const p = plan({ users: [jcUser(1, { lastName: 'New' })], groups: [] }, actual([copy, real]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(p.operations), ['updateUser', 'skip']);
    assert.equal((p.operations[0] as { dn: string }).dn, real.dn);
  });

  it('-AdoptExisting adopts an unproven object by name (the explicit migration), which writes a proven anchor', () => {
    const legacy = adUser(1, { proof: 'missing' });
    const without = plan({ users: [jcUser(1)], groups: [] }, actual([legacy]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(without.operations), ['skip', 'skip'], 'nothing written without the explicit choice');
    assert.deepEqual(
      skips(without.operations).map((s) => s.code),
      ['UntrustedAnchor', 'Protected'],
    );
    assert.match(skips(without.operations)[1]?.reason ?? '', /anchor without a valid proof/);
    const adopted = plan({ users: [jcUser(1)], groups: [] }, actual([legacy]), { ...DEFAULT_PLAN_OPTIONS, adoptUnanchored: true });
    assert.deepEqual(kinds(adopted.operations), ['updateUser']);
    assert.equal((adopted.operations[0] as { adopt: boolean }).adopt, true);
  });

  it('without an anchor key, anchors are unchecked and count as before', () => {
    const p = plan({ users: [jcUser(1, { lastName: 'New' })], groups: [] }, actual([adUser(1, { proof: 'unchecked' })]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(p.operations), ['updateUser']);
  });
});

describe('planner: critical system objects and accounts outside the root', () => {
  it('the built-in Guest is protected and not adoptable, -AdoptExisting included', () => {
    const guest = adUser(501, {
      dn: `CN=Guest,${ROOT}`,
      cn: 'Guest',
      sAMAccountName: 'Guest',
      userPrincipalName: '',
      anchor: null,
      critical: true,
      proof: 'unchecked',
    });
    for (const adoptUnanchored of [false, true]) {
      const p = plan({ users: [jcUser(1, { username: 'guest' })], groups: [] }, actual([guest]), { ...DEFAULT_PLAN_OPTIONS, adoptUnanchored });
      assert.deepEqual(kinds(p.operations), ['skip']);
      const [report] = skips(p.operations);
      assert.equal(report?.code, 'Protected');
      assert.match(report?.reason ?? '', /critical system object/);
      assert.doesNotMatch(report?.reason ?? '', /AdoptExisting\) or/);
    }
  });

  it('a critical object carrying an anchor is still never managed', () => {
    const p = plan({ users: [jcUser(1, { lastName: 'X', suspended: true })], groups: [] }, actual([adUser(1, { critical: true })]), DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(kinds(p.operations), ['skip']);
    assert.equal(skips(p.operations)[0]?.code, 'Protected');
  });

  it('a managed account moved out of the root is reported and keeps its group memberships', () => {
    const outside = 'CN=user1,OU=Elsewhere,DC=example,DC=com';
    const a = actual([adUser(2)], [adGroup('Staff', id(900), [outside, `CN=user2,${ROOT}`])], {
      accountNames: new Map([
        ['user1', outside],
        ['user2', `CN=user2,${ROOT}`],
        ['staff', `CN=Staff,${ROOT}`],
      ]),
      anchoredOutside: new Map([[outside.toLowerCase(), id(1)]]),
    });
    const p = plan(
      { users: [jcUser(1), jcUser(2)], groups: [{ jcId: id(900), name: 'Staff', description: '', memberJcIds: [id(2)] }] },
      a,
      DEFAULT_PLAN_OPTIONS,
    );
    assert.deepEqual(kinds(p.operations), ['skip']);
    assert.equal(skips(p.operations)[0]?.code, 'MovedOutOfRoot');
    assert.equal(skips(p.operations)[0]?.dn, outside);
  });
});
