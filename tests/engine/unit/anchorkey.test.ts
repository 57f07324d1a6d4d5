// The anchor key kept in AD (engine/src/ad/anchorkey.ts): the security descriptor a new key
// object gets passes the check, and every way of letting someone else read or change the key
// fails it; the pending proof an add writes fits only the DN it was made for; a key that fits no
// proof is told apart from one that fits some.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyDescriptorProblem, keyFitsNoProof, newKeyDescriptor, type KeyReader } from '../../../engine/src/ad/anchorkey';
import { anchorProof, newAnchorKey, pendingAnchorProof, proofFitsEntry, proofFitsObject } from '../../../engine/src/ad/anchorproof';
import { ACE_TYPE, ACE_FLAG, parseSecurityDescriptor, type Ace, type SecurityDescriptor } from '../../../engine/src/ad/sd';
import { unprovenAnchorsMessage } from '../../../engine/src/sync/trust';
import type { ActualState } from '../../../engine/src/ad/model';

const DOMAIN = 'S-1-5-21-1-2-3';
const SVC = `${DOMAIN}-1601`;
const HELPDESK = `${DOMAIN}-1602`;
const service: KeyReader = { sid: SVC, isAdmin: false, domainSid: DOMAIN };
const administrator: KeyReader = { sid: `${DOMAIN}-1100`, isAdmin: true, domainSid: DOMAIN };
const allow = (sid: string, mask = 0x000f01ff, flags = 0): Ace => ({
  type: ACE_TYPE.AccessAllowed,
  flags,
  mask,
  sid,
  objectType: null,
  inheritedObjectType: null,
  extra: Buffer.alloc(0),
});
const made = (reader: KeyReader): SecurityDescriptor => parseSecurityDescriptor(newKeyDescriptor(reader));
const withAces = (sd: SecurityDescriptor, aces: Ace[]): SecurityDescriptor => ({ ...sd, dacl: { revision: 2, aces: [...(sd.dacl?.aces ?? []), ...aces] } });

describe('the anchor key object: its security descriptor', () => {
  it('made by the service account: protected, owned by it, full control for it and the administrators only; it passes', () => {
    const sd = made(service);
    assert.ok(sd.control & 0x1000, 'SE_DACL_PROTECTED');
    assert.equal(sd.owner, SVC);
    assert.deepEqual((sd.dacl?.aces as Ace[]).map((a) => a.sid).sort(), [SVC, `${DOMAIN}-512`, `${DOMAIN}-519`, 'S-1-5-18', 'S-1-5-32-544'].sort());
    assert.equal(keyDescriptorProblem(sd, service), null);
    assert.equal(keyDescriptorProblem(sd, administrator), null, 'an administrator accepts the one service account');
  });

  it('made by an administrator: owned by Domain Admins, no ACE for the administrator account itself; the service account reads it once granted', () => {
    const sd = made(administrator);
    assert.equal(sd.owner, `${DOMAIN}-512`);
    assert.equal(keyDescriptorProblem(sd, administrator), null);
    assert.equal(keyDescriptorProblem(withAces(sd, [allow(SVC)]), service), null);
  });

  it('refuses a DACL that inherits, a NULL DACL, another account with any right, an owner outside the set', () => {
    const sd = made(service);
    assert.match(String(keyDescriptorProblem({ ...sd, control: sd.control & ~0x1000 }, service)), /inherits/);
    assert.match(String(keyDescriptorProblem({ ...sd, dacl: null, daclIsNull: true }, service)), /no DACL/);
    assert.match(String(keyDescriptorProblem(withAces(sd, [allow('S-1-5-11', 0x10)]), service)), /S-1-5-11/, 'Authenticated Users, read property only');
    assert.match(String(keyDescriptorProblem(withAces(sd, [allow('S-1-5-32-554', 0x20000)]), service)), /S-1-5-32-554/, 'Pre-Windows 2000, read control only');
    assert.match(String(keyDescriptorProblem(withAces(sd, [allow(HELPDESK, 0x10, ACE_FLAG.Inherited)]), service)), new RegExp(HELPDESK));
    assert.match(String(keyDescriptorProblem({ ...sd, owner: HELPDESK }, service)), new RegExp(HELPDESK), 'an owner may always rewrite the DACL');
  });

  it('the service account accepts no other non-administrator; an administrator accepts one, never two', () => {
    const planted = { ...made(service), owner: HELPDESK, dacl: { revision: 2, aces: [allow(HELPDESK), allow(`${DOMAIN}-512`)] } };
    assert.match(String(keyDescriptorProblem(planted, service)), new RegExp(HELPDESK), 'a key the helpdesk made is refused by the service account');
    assert.match(String(keyDescriptorProblem(withAces(made(service), [allow(HELPDESK)]), administrator)), /more than one/);
  });

  it('a deny ACE for anyone is fine: it takes rights away', () => {
    const deny: Ace = { ...allow('S-1-1-0'), type: ACE_TYPE.AccessDenied };
    assert.equal(keyDescriptorProblem(withAces(made(service), [deny]), service), null);
  });
});

describe('the pending proof an add writes', () => {
  const key = newAnchorKey();
  const dn = 'CN=ann,OU=Corp,DC=example,DC=com';
  const id = 'a'.repeat(24);
  const guid = '01020304-0506-4708-890a-0b0c0d0e0f10';
  it('fits the object at the DN it was made for (any case, spaces after commas), not at another DN, and not under another key', () => {
    const proof = pendingAnchorProof(key, dn, id);
    assert.ok(proofFitsObject(key, { objectGuid: guid, dn }, id, proof));
    assert.ok(proofFitsObject(key, { objectGuid: guid, dn: 'cn=ann, ou=Corp, dc=example, dc=com' }, id, proof));
    assert.equal(proofFitsObject(key, { objectGuid: guid, dn: 'CN=evil,OU=Corp,DC=example,DC=com' }, id, proof), false);
    assert.equal(proofFitsObject(key, { objectGuid: guid, dn }, 'b'.repeat(24), proof), false);
    assert.equal(proofFitsObject(newAnchorKey(), { objectGuid: guid, dn }, id, proof), false);
    assert.ok(
      proofFitsObject(key, { objectGuid: guid, dn: 'CN=moved,OU=Corp,DC=example,DC=com' }, id, anchorProof(key, guid, id)),
      'the objectGUID proof follows the object',
    );
  });
  it('an LDAP entry is judged by the same rule (the password path, offboarding and Remove-JCSyncGroup use it)', () => {
    const objectGUID = Buffer.from('0403020106050847890a0b0c0d0e0f10', 'hex');
    assert.ok(proofFitsEntry(key, { dn, objectGUID }, id, anchorProof(key, guid, id)));
    assert.ok(
      proofFitsEntry(key, { dn, objectGUID }, id, pendingAnchorProof(key, dn, id)),
      'a pending proof still fits after a kill between the add and its proof',
    );
    assert.equal(proofFitsEntry(key, { dn: 'CN=evil,OU=Corp,DC=example,DC=com', objectGUID }, id, pendingAnchorProof(key, dn, id)), false);
    assert.equal(proofFitsEntry(key, { dn }, id, anchorProof(key, guid, id)), false, 'no objectGUID read: no GUID proof fits');
  });
});

describe('a key that fits no proof; anchors without one', () => {
  it('is told apart: none valid and some invalid', () => {
    assert.equal(keyFitsNoProof([{ proof: 'invalid' }, { proof: 'missing' }]), true);
    assert.equal(keyFitsNoProof([{ proof: 'invalid' }, { proof: 'valid' }]), false);
    assert.equal(keyFitsNoProof([{ proof: 'missing' }]), false, 'an install from before the key is not a mismatch');
    assert.equal(keyFitsNoProof([]), false);
  });

  it('anchors without a proof get one message naming the cmdlets to run', () => {
    const base = { objectGuid: '', critical: false, foreignAnchor: false, protected: false };
    const actual = {
      users: [{ ...base, dn: 'CN=a,OU=C', anchor: { jcId: 'x', syncDisabled: false, offboarded: false }, proof: 'missing' }],
      groups: [{ ...base, dn: 'CN=g,OU=C', anchor: { jcId: 'y', syncDisabled: false, offboarded: false }, proof: 'valid' }],
    } as unknown as ActualState;
    const said = unprovenAnchorsMessage(actual);
    assert.equal(said?.count, 1);
    assert.match(String(said?.message), /Get-JCSyncPlan -AdoptExisting.*Invoke-JCSync -AdoptExisting/);
    assert.equal(unprovenAnchorsMessage({ ...actual, users: [] } as ActualState), null);
  });
});
