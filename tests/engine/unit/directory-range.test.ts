// The reader follows AD's range retrieval of `member`: Windows returns at most MaxValRange (1,500)
// values of a multi-valued attribute per search, as `member;range=0-1499`, and the client asks for
// the next slice (`member;range=1500-*`) until a slice ends in `-*`. Samba returns every value at
// once, so the directory below plays Windows: a group of 5,000 members must come back whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attribute, BerReader, BerWriter, SearchEntry, type Entry, type SearchOptions } from 'ldapts';
import { isProtectedEntry, readActualState } from '../../../engine/src/ad/directory';
import { withBinaryAttributes, type AdSession, type RootDse } from '../../../engine/src/ad/session';
import { attributeValue, binaryAttribute, rangedKey, textAttribute } from '../../../engine/src/ad/entry';
import { isDisabled, UAC_NORMAL_ACCOUNT, uacOf } from '../../../engine/src/ad/uac';
import { binaryValues, firstBinaryValue, sidToBytes } from '../../../engine/src/ad/binary';

const BASE = 'DC=example,DC=com';
const ROOT = `OU=Range,${BASE}`;
const MAX_VAL_RANGE = 1500;

interface FakeGroup {
  dn: string;
  members: string[];
}

/** A directory that answers like Windows AD: attribute values in slices of MAX_VAL_RANGE. */
function windowsLikeSession(groups: FakeGroup[]) {
  const rangeRequests: string[] = [];
  const slice = (group: FakeGroup, from: number): Entry => {
    const to = Math.min(group.members.length, from + MAX_VAL_RANGE) - 1;
    const last = to === group.members.length - 1;
    return { dn: group.dn, [`member;range=${from}-${last ? '*' : to}`]: group.members.slice(from, to + 1) };
  };
  const groupEntry = (group: FakeGroup): Entry => {
    const base: Entry = {
      dn: group.dn,
      cn: group.dn.slice(3, group.dn.indexOf(',')),
      sAMAccountName: 'g',
      description: '',
      adminDescription: 'JumpCloud:0123456789abcdef01234567',
    };
    if (group.members.length === 0) return base;
    if (group.members.length <= MAX_VAL_RANGE) return { ...base, member: group.members };
    return { ...base, ...slice(group, 0) };
  };
  const session = {
    rangeRequests,
    async rootDse(): Promise<Partial<RootDse>> {
      return { defaultNamingContext: BASE };
    },
    async *searchPaged(_base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
      if (String(options.filter).includes('objectClass=group')) yield groups.map(groupEntry);
      else yield [];
    },
    async search(base: string, options: SearchOptions): Promise<Entry[]> {
      const wanted = (options.attributes ?? []).find((a) => /^member;range=/i.test(a));
      const group = groups.find((g) => g.dn === base);
      if (!wanted || !group) return [];
      rangeRequests.push(wanted);
      const from = Number(/^member;range=(\d+)-\*$/i.exec(wanted)?.[1]);
      return [slice(group, from)];
    },
  };
  return session;
}

const membersNamed = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `CN=${prefix}${i},${ROOT}`);

describe('readActualState: range retrieval of member', () => {
  it('collects all 5,000 members of a group that AD returns in slices of 1,500', async () => {
    const big = { dn: `CN=All Staff,${ROOT}`, members: membersNamed('u', 5000) };
    const session = windowsLikeSession([big]);
    const actual = await readActualState(session as unknown as AdSession, { rootDN: ROOT });
    const [group] = actual.groups;
    assert.equal(group?.members.length, 5000);
    assert.deepEqual(group?.members, big.members, 'every member, in order, none twice');
    assert.deepEqual(session.rangeRequests, ['member;range=1500-*', 'member;range=3000-*', 'member;range=4500-*']);
  });

  it('stops after one extra slice when the count is just above the limit, and asks nothing for small or empty groups', async () => {
    const groups = [
      { dn: `CN=Edge,${ROOT}`, members: membersNamed('e', MAX_VAL_RANGE + 1) },
      { dn: `CN=Exact,${ROOT}`, members: membersNamed('x', MAX_VAL_RANGE) },
      { dn: `CN=Small,${ROOT}`, members: membersNamed('s', 3) },
      { dn: `CN=Empty,${ROOT}`, members: [] },
    ];
    const session = windowsLikeSession(groups);
    const actual = await readActualState(session as unknown as AdSession, { rootDN: ROOT });
    assert.deepEqual(
      actual.groups.map((g) => g.members.length),
      [MAX_VAL_RANGE + 1, MAX_VAL_RANGE, 3, 0],
    );
    assert.deepEqual(session.rangeRequests, ['member;range=1500-*'], 'only the group over the limit needed a second search');
  });
});

describe('readActualState: attribute names', () => {
  it('reads attributes a server names in another case than asked, and a well-known RID as critical', async () => {
    const sid = (rid: number) =>
      Buffer.from(`010500000000000515000000010000000200000003000000${Buffer.from(new Uint32Array([rid]).buffer).toString('hex')}`, 'hex');
    const user = (name: string, rid: number): Entry => ({
      dn: `CN=${name},${ROOT}`,
      CN: name,
      samaccountname: name,
      USERPRINCIPALNAME: `${name}@example.com`,
      givenname: 'Given',
      SN: 'Family',
      mail: `${name}@example.com`,
      userAccountControl: '514',
      ADMINDESCRIPTION: 'JumpCloud:0123456789abcdef01234567;syncDisabled',
      objectsid: sid(rid),
    });
    const session = {
      async rootDse(): Promise<Partial<RootDse>> {
        return { defaultNamingContext: BASE };
      },
      async *searchPaged(_base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
        yield String(options.filter).includes('objectClass=user') ? [user('jdoe', 1105), user('guest', 501)] : [];
      },
      async search(): Promise<Entry[]> {
        return [];
      },
    };
    const actual = await readActualState(session as unknown as AdSession, { rootDN: ROOT });
    const [jdoe, guest] = actual.users;
    assert.deepEqual(
      { cn: jdoe?.cn, sam: jdoe?.sAMAccountName, upn: jdoe?.userPrincipalName, given: jdoe?.givenName, sn: jdoe?.sn, disabled: jdoe?.disabled },
      { cn: 'jdoe', sam: 'jdoe', upn: 'jdoe@example.com', given: 'Given', sn: 'Family', disabled: true },
    );
    assert.deepEqual(jdoe?.anchor, { jcId: '0123456789abcdef01234567', syncDisabled: true, offboarded: false });
    assert.equal(jdoe?.critical, false);
    assert.equal(guest?.critical, true, 'RID 501 (Guest) is one of the well-known accounts');
  });
});

describe('LDAP search entries as the engine reads them (ldapts parse, made lean: ad/session.ts)', () => {
  /** A search entry's BER as a DC sends it, parsed by ldapts' SearchEntry and made an Entry. */
  const entryOf = (attributes: Array<{ type: string; values: Array<string | Buffer> }>, requested: string[] = [], explicit: string[] = []) => {
    const writer = new BerWriter();
    writer.writeString('CN=a,DC=example,DC=com');
    writer.startSequence();
    // A list may mix text and bytes here (a value that is not UTF-8 among text); Attribute writes each as it is.
    for (const { type, values } of attributes) new Attribute({ type, values: values as string[] }).write(writer);
    writer.endSequence();
    const message = new SearchEntry({ messageId: 1 });
    message.parseMessage(new BerReader(writer.buffer));
    return message.toObject(requested, explicit);
  };
  const parsed = (type: string, value: Buffer) => entryOf([{ type, values: [value] }])[type];

  it('takes the binary attributes the engine reads as binary, in any case, without trying them as text', () => {
    // A GUID whose 16 bytes happen to be valid UTF-8: ldapts alone would have made it a string.
    const utf8Guid = Buffer.from('41424344454647484950515253545556', 'hex');
    for (const type of ['objectGUID', 'OBJECTSID', 'nTSecurityDescriptor', 'tokengroups', 'invocationID'])
      assert.ok(Buffer.isBuffer(parsed(type, utf8Guid)), type);
  });

  it("keeps ldapts' own rule: an attribute asked with the ;binary option is binary", () => {
    const utf8 = Buffer.from('certificate');
    assert.ok(Buffer.isBuffer(parsed('userCertificate;binary', utf8)));
    assert.ok(Buffer.isBuffer(parsed('userCertificate;BINARY', utf8)));
    assert.equal(parsed('userCertificate;binaryX', utf8), 'certificate');
  });

  it('asks ldapts for every binary attribute a search names as a buffer, as asked and as AD spells it', () => {
    const options = withBinaryAttributes({
      scope: 'sub',
      attributes: ['cn', 'objectguid', 'objectSid', 'member;range=0-*'],
      explicitBufferAttributes: ['thumbnailPhoto'],
    });
    assert.deepEqual(new Set(options.explicitBufferAttributes), new Set(['thumbnailPhoto', 'objectguid', 'objectGUID', 'objectSid']));
    assert.deepEqual(options.attributes, ['cn', 'objectguid', 'objectSid', 'member;range=0-*'], 'the attributes asked for are unchanged');
    const text = { scope: 'base' as const, attributes: ['cn', 'mail'] };
    assert.equal(withBinaryAttributes(text), text, 'a search of text attributes is passed on as it is');
  });

  it('still reads every other attribute as text, and a value that is not UTF-8 as its bytes', () => {
    assert.equal(parsed('cn', Buffer.from('Zo\u00eb')), 'Zo\u00eb');
    assert.equal(parsed('objectGUIDs', Buffer.from('abc')), 'abc');
    assert.ok(Buffer.isBuffer(parsed('description', Buffer.from('ff00fe', 'hex'))));
  });

  it("gives ldapts' entry: the DN, one value alone, several as a list, none as [], and every value as bytes when one is not UTF-8", () => {
    const guid = Buffer.alloc(16, 0xc3);
    const notUtf8 = Buffer.from('ff00', 'hex');
    const entry = entryOf([
      { type: 'sAMAccountName', values: ['jdoe'] },
      { type: 'member', values: ['CN=a', 'CN=b'] },
      { type: 'description', values: [] },
      { type: 'objectGUID', values: [guid] },
      { type: 'otherMailbox', values: ['ok', notUtf8] },
    ]);
    assert.equal(entry.dn, 'CN=a,DC=example,DC=com');
    assert.equal(entry.sAMAccountName, 'jdoe');
    assert.deepEqual(entry.member, ['CN=a', 'CN=b']);
    assert.deepEqual(entry.description, []);
    assert.deepEqual(entry.objectGUID, guid);
    assert.deepEqual(entry.otherMailbox, [Buffer.from('ok'), notUtf8]);
  });

  it('adds [] for an attribute asked for and not returned (in any case), and bytes for explicit buffer attributes', () => {
    const photo = Buffer.from('not really a photo');
    const entry = entryOf(
      [
        { type: 'sAMAccountName', values: ['jdoe'] },
        { type: 'thumbnailPhoto', values: [photo] },
        { type: 'otherTelephone', values: ['1', '2'] },
      ],
      ['samaccountname', 'mail', 'thumbnailPhoto'],
      ['thumbnailPhoto', 'otherTelephone'],
    );
    assert.deepEqual(entry.mail, []);
    assert.equal(entry.samaccountname, undefined, 'returned under its own spelling: nothing added for it');
    assert.deepEqual(entry.thumbnailPhoto, photo);
    assert.deepEqual(entry.otherTelephone, [Buffer.from('1'), Buffer.from('2')]);
  });
});

describe('reading an attribute of an entry', () => {
  const guid = Buffer.alloc(16, 1);
  const entry: Entry = { dn: 'CN=a,DC=example,DC=com', sAMAccountName: 'a', ADMINDESCRIPTION: 'JumpCloud:x', objectGUID: [guid], objectSid: ['S-1-text'] };

  it('finds a name in the case asked or in any other, and nothing for a name it merely starts', () => {
    assert.equal(attributeValue(entry, 'sAMAccountName'), 'a');
    assert.equal(attributeValue(entry, 'samaccountname'), 'a');
    assert.equal(attributeValue(entry, 'adminDescription'), 'JumpCloud:x');
    assert.equal(attributeValue(entry, 'adminDescriptions'), undefined);
    assert.equal(attributeValue(entry, 'admin'), undefined);
    assert.equal(attributeValue(entry, 'mail'), undefined);
    assert.equal(attributeValue(undefined, 'mail'), undefined, 'a search that found nothing');
    assert.equal(binaryAttribute(null, 'objectGUID'), undefined);
  });

  it('takes only the values that came back as bytes', () => {
    assert.equal(firstBinaryValue(entry.objectGUID), guid);
    assert.equal(firstBinaryValue(guid), guid);
    assert.equal(firstBinaryValue(entry.objectSid), undefined, 'a value that came back as text is not binary');
    assert.equal(firstBinaryValue(undefined), undefined);
    assert.deepEqual(binaryValues([guid, 'text', guid]), [guid, guid]);
    assert.deepEqual(binaryValues(undefined), []);
  });

  it('reads a binary attribute by name in any case, and only when it came back as bytes', () => {
    assert.equal(binaryAttribute(entry, 'objectguid'), guid);
    assert.equal(binaryAttribute({ dn: 'CN=b', OBJECTGUID: guid }, 'objectGUID'), guid);
    assert.equal(binaryAttribute(entry, 'objectSid'), undefined);
    assert.equal(binaryAttribute(entry, 'nTSecurityDescriptor'), undefined);
  });

  it("finds the key a ranged answer came under, in any case, and not another attribute's", () => {
    assert.equal(rangedKey({ dn: 'CN=g', 'member;range=0-1499': ['CN=a'] }, 'member'), 'member;range=0-1499');
    assert.equal(rangedKey({ dn: 'CN=g', 'Member;Range=1500-*': ['CN=a'] }, 'member'), 'Member;Range=1500-*');
    assert.equal(rangedKey({ dn: 'CN=u', 'memberOf;range=0-1499': ['CN=g'] }, 'member'), undefined);
    assert.equal(rangedKey({ dn: 'CN=u', 'memberOf;range=0-1499': ['CN=g'] }, 'memberOf'), 'memberOf;range=0-1499');
    assert.equal(rangedKey({ dn: 'CN=g', member: ['CN=a'] }, 'member'), undefined, 'all values at once');
  });

  it('reads the first value as text, and userAccountControl as a number with a fallback for a missing or broken one', () => {
    assert.equal(textAttribute(entry, 'samAccountName'), 'a');
    assert.equal(textAttribute(entry, 'mail'), '');
    assert.equal(textAttribute(null, 'mail'), '', 'a search that found nothing');
    assert.equal(uacOf({ dn: 'CN=u', userAccountControl: '514' }), 514);
    assert.equal(uacOf({ dn: 'CN=u', USERACCOUNTCONTROL: ['66050'] }), 66050, 'its name in any case');
    assert.equal(uacOf({ dn: 'CN=u' }), 0);
    assert.equal(uacOf(undefined, UAC_NORMAL_ACCOUNT), UAC_NORMAL_ACCOUNT, 'the writer sets one bit and writes the rest back');
    assert.equal(uacOf({ dn: 'CN=u', userAccountControl: 'not a number' }, UAC_NORMAL_ACCOUNT), UAC_NORMAL_ACCOUNT);
    assert.equal(isDisabled(uacOf({ dn: 'CN=u', userAccountControl: '514' })), true);
    assert.equal(isDisabled(uacOf({ dn: 'CN=u', userAccountControl: '66048' })), false);
  });
});

describe('a protected entry: never touched by the password, offboarding and removal paths', () => {
  const domainSid = 'S-1-5-21-1004336348-1177238915-682003330';
  it('is one with adminCount=1, isCriticalSystemObject TRUE or a well-known RID, the names in any case', () => {
    assert.equal(isProtectedEntry({ dn: 'CN=a', adminCount: '1' }), true);
    assert.equal(isProtectedEntry({ dn: 'CN=a', ADMINCOUNT: '1' }), true);
    assert.equal(isProtectedEntry({ dn: 'CN=a', isCriticalSystemObject: 'TRUE' }), true);
    assert.equal(isProtectedEntry({ dn: 'CN=a', iscriticalsystemobject: 'true' }), true);
    assert.equal(isProtectedEntry({ dn: 'CN=Domain Admins', objectSid: sidToBytes(`${domainSid}-512`) }), true);
  });
  it('is not an ordinary account or group: adminCount 0, an ordinary RID, nothing said', () => {
    assert.equal(isProtectedEntry({ dn: 'CN=a', adminCount: '0', isCriticalSystemObject: 'FALSE', objectSid: sidToBytes(`${domainSid}-1105`) }), false);
    assert.equal(isProtectedEntry({ dn: 'CN=a' }), false);
  });
});
