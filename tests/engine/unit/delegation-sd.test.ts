// Security descriptors: SIDs, GUIDs, the binary parser and encoder, SDDL, and malformed input.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { guidFromBytes, guidToBytes, ridFromBytes, SecurityDescriptorError, sidFromBytes, sidToBytes } from '../../../engine/src/ad/binary';
import { GUID } from '../../../engine/src/delegation/rights';
import { encodeAcl, encodeSecurityDescriptor, isParsedAce, parseSecurityDescriptor, type Ace } from '../../../engine/src/ad/sd';
import { aceFromSddl, aceToSddl } from '../../../engine/src/delegation/sddl';
import { sdFixture as fixture } from '../helpers/sdfixture';

const DOMAIN = 'S-1-5-21-3539100292-922284603-2239075526';
const ACCOUNT = `${DOMAIN}-4671`;

function expectSdError(data: Buffer, problem: string): void {
  assert.throws(
    () => parseSecurityDescriptor(data),
    (err: unknown) => err instanceof SecurityDescriptorError && err.problem === problem,
    `expected a ${problem} error`,
  );
}

describe('SIDs and GUIDs', () => {
  it('reads the binary SID of a domain account (docs/delegation.md layout)', () => {
    const bytes = Buffer.from('0105000000000005150000008462f2d23bf2f836c69475853f120000', 'hex');
    assert.equal(sidFromBytes(bytes), ACCOUNT);
    assert.deepEqual(sidToBytes(ACCOUNT), bytes);
  });

  it('round-trips well-known SIDs', () => {
    for (const sid of ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-544', 'S-1-3-0', 'S-1-5-18']) assert.equal(sidFromBytes(sidToBytes(sid)), sid);
  });

  it('reads the RID of a binary SID as its text form ends, and refuses what sidFromBytes refuses', () => {
    for (const sid of [ACCOUNT, 'S-1-5-21-1-2-3-500', 'S-1-5-21-1-2-3-4294967295', 'S-1-5-32-544', 'S-1-5-18', 'S-1-1-0', 'S-1-5'])
      assert.equal(ridFromBytes(sidToBytes(sid)), Number(sid.split('-').pop()), sid);
    assert.throws(() => ridFromBytes(Buffer.from('0205000000000005', 'hex')), /revision 2/);
    assert.throws(() => ridFromBytes(Buffer.from('0105000000000005150000', 'hex')), SecurityDescriptorError);
    assert.throws(() => ridFromBytes(Buffer.from('01020000000000051500000020020000ff', 'hex')), SecurityDescriptorError);
  });

  it('refuses malformed SIDs', () => {
    assert.throws(() => sidToBytes('S-1-5-x'), SecurityDescriptorError);
    assert.throws(() => sidToBytes('S-1-5-4294967296'), SecurityDescriptorError);
    assert.throws(() => sidFromBytes(Buffer.from('0205000000000005', 'hex')), /revision 2/);
    assert.throws(() => sidFromBytes(Buffer.from('01ff000000000005', 'hex')), /255 sub-authorities/);
    assert.throws(() => sidFromBytes(Buffer.from('0105000000000005150000', 'hex')), SecurityDescriptorError);
  });

  it('stores the user class GUID with its first three fields little-endian (docs/delegation.md)', () => {
    const bytes = guidToBytes(GUID.userClass);
    assert.equal(bytes.toString('hex'), 'ba7a96bfe60dd011a28500aa003049e2');
    assert.equal(guidFromBytes(bytes), GUID.userClass);
    assert.throws(() => guidToBytes('not-a-guid'), SecurityDescriptorError);
    assert.throws(() => guidFromBytes(Buffer.alloc(15)), SecurityDescriptorError);
  });

  it('writes any 16 bytes as GUID text, each text its own string', () => {
    const texts = Array.from({ length: 200 }, () => {
      const bytes = randomBytes(16);
      const reversed = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).reverse().toString('hex');
      const expected = `${reversed(0, 4)}-${reversed(4, 6)}-${reversed(6, 8)}-${bytes.subarray(8, 10).toString('hex')}-${bytes.subarray(10).toString('hex')}`;
      const text = guidFromBytes(bytes);
      assert.equal(text, expected);
      assert.deepEqual(guidToBytes(text), bytes);
      return { text, expected };
    });
    // guidFromBytes writes into one scratch buffer: an earlier text must not change with a later call.
    for (const { text, expected } of texts) assert.equal(text, expected);
  });
});

describe('SDDL of single ACEs', () => {
  it('parses the wizard ACEs of docs/delegation.md with S for the account', () => {
    const ace = aceFromSddl(`(OA;CIIO;RPWP;${GUID.pwdLastSet};${GUID.userClass};S)`, ACCOUNT);
    assert.equal(ace.type, 0x05);
    assert.equal(ace.flags, 0x02 | 0x08);
    assert.equal(ace.mask, 0x30);
    assert.equal(ace.objectType, GUID.pwdLastSet);
    assert.equal(ace.inheritedObjectType, GUID.userClass);
    assert.equal(ace.sid, ACCOUNT);
    assert.equal(aceToSddl(ace), `(OA;CIIO;RPWP;${GUID.pwdLastSet};${GUID.userClass};${ACCOUNT})`);
  });

  it('knows aliases, hex masks and writes full control as GA', () => {
    assert.equal(aceFromSddl('(A;;LCRPLORC;;;AU)').sid, 'S-1-5-11');
    assert.equal(aceFromSddl('(D;;0x100;;;WD)').mask, 0x100);
    assert.equal(aceToSddl({ ...aceFromSddl('(A;CI;GA;;;BA)'), mask: 0x000f01ff }), '(A;CI;GA;;;S-1-5-32-544)');
  });

  it('refuses what is not an ACE, naming the problem', () => {
    assert.throws(() => aceFromSddl('OA;;CC;;;S'), /parentheses/);
    assert.throws(() => aceFromSddl('(OA;;CC;;S)'), /5 fields/);
    assert.throws(() => aceFromSddl('(ZZ;;CC;;;WD)'), /unknown ACE type/);
    assert.throws(() => aceFromSddl('(A;XX;CC;;;WD)'), /unknown flag/);
    assert.throws(() => aceFromSddl('(A;;CC;;;nobody)'), /trustee/);
    assert.throws(() => aceFromSddl(`(A;;CC;${GUID.userClass};;WD)`), /cannot name object types/);
    assert.throws(() => aceFromSddl('(OA;;CC;1234;;WD)'), /not a GUID/);
  });
});

describe('parsing descriptors Samba returned', () => {
  it('reads the DACL-only descriptor (SD_FLAGS 4) with the granted object ACEs', () => {
    const sd = parseSecurityDescriptor(fixture('ou-dacl-granted.hex'));
    assert.equal(sd.owner, null);
    assert.equal(sd.group, null);
    assert.equal(sd.sacl, null);
    assert.ok(sd.dacl);
    assert.equal(sd.dacl.aces.length, 37);
    const sddl = sd.dacl.aces.map(aceToSddl);
    assert.ok(sddl.includes(`(OA;CI;CCDC;${GUID.userClass};;${ACCOUNT})`));
    assert.ok(sddl.includes(`(OA;CIIO;CR;${GUID.resetPassword};${GUID.userClass};${ACCOUNT})`));
    assert.ok(sddl.includes(`(OA;CIIO;GA;;${GUID.groupClass};${ACCOUNT})`));
    assert.ok(sddl.includes('(A;;LCRPLORC;;;S-1-5-11)'));
  });

  it('encodes the DACL-only descriptor back to the same bytes', () => {
    const raw = fixture('ou-dacl-granted.hex');
    assert.deepEqual(encodeSecurityDescriptor(parseSecurityDescriptor(raw)), raw);
  });

  it('reads owner and group (SD_FLAGS 7) and survives a re-encode', () => {
    const sd = parseSecurityDescriptor(fixture('ou-owner-group-dacl-granted.hex'));
    assert.equal(sd.owner, `${DOMAIN}-512`);
    assert.equal(sd.group, `${DOMAIN}-512`);
    assert.deepEqual(parseSecurityDescriptor(encodeSecurityDescriptor(sd)), sd);
  });

  it('keeps ACE types it does not interpret verbatim', () => {
    // A mandatory-label ACE (type 0x11): header, then 16 bytes this engine does not read.
    const opaque = Buffer.concat([Buffer.from([0x11, 0x00, 20, 0]), Buffer.from('0100000001010000000000100030000000', 'hex').subarray(0, 16)]);
    const acl = Buffer.concat([Buffer.from([4, 0, 28, 0, 1, 0, 0, 0]), opaque]);
    const header = Buffer.alloc(20);
    header.writeUInt8(1, 0);
    header.writeUInt16LE(0x8004, 2);
    header.writeUInt32LE(20, 16);
    const sd = parseSecurityDescriptor(Buffer.concat([header, acl]));
    const ace = sd.dacl?.aces[0];
    assert.ok(ace && !isParsedAce(ace));
    assert.equal(ace.type, 0x11);
    assert.deepEqual(encodeSecurityDescriptor(sd), Buffer.concat([header, acl]));
  });
});

describe('malformed descriptors: typed errors', () => {
  const good = fixture('ou-dacl-granted.hex');
  const patched = (offset: number, write: (b: Buffer) => void) => {
    const copy = Buffer.from(good);
    write(copy);
    return copy.subarray(0, Math.max(offset, copy.length));
  };

  it('too short for a header', () => expectSdError(good.subarray(0, 19), 'Truncated'));
  it('wrong revision', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt8(2, 0)),
      'BadRevision',
    ));
  it('not self-relative', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(0x0004, 2)),
      'BadRevision',
    ));
  it('DACL offset beyond the end', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt32LE(0xfffffff0, 16)),
      'BadOffset',
    ));
  it('DACL offset inside the header', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt32LE(4, 16)),
      'BadOffset',
    ));
  it('owner offset beyond the end', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt32LE(good.length + 100, 4)),
      'BadOffset',
    ));
  it('ACL size larger than the data', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(0xffff, 22)),
      'BadAclSize',
    ));
  it('ACL size below its header', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(4, 22)),
      'BadAclSize',
    ));
  it('a huge ACE count', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(0xffff, 24)),
      'BadAceCount',
    ));
  it('an ACE of size 0 (would loop forever)', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(0, 30)),
      'BadAceSize',
    ));
  it('an ACE running past its ACL', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt16LE(0xfff0, 30)),
      'BadAceSize',
    ));
  it('a truncated descriptor', () => expectSdError(good.subarray(0, good.length - 7), 'BadAclSize'));

  it('an ACL whose revision is unknown', () =>
    expectSdError(
      patched(0, (b) => b.writeUInt8(9, 20)),
      'BadRevision',
    ));

  it('an object ACE too short for its GUIDs', () => {
    const ace: Ace = aceFromSddl(`(OA;CIIO;RP;${GUID.pwdLastSet};${GUID.userClass};WD)`);
    const acl = encodeAcl({ revision: 4, aces: [ace] });
    const aceSize = 4 + 4 + 4 + 16 + 8;
    acl.writeUInt16LE(aceSize, 8 + 2);
    acl.writeUInt16LE(8 + aceSize, 2);
    const header = Buffer.alloc(20);
    header.writeUInt8(1, 0);
    header.writeUInt16LE(0x8004, 2);
    header.writeUInt32LE(20, 16);
    expectSdError(Buffer.concat([header, acl.subarray(0, 8 + aceSize)]), 'Truncated');
  });

  it('a SID claiming too many sub-authorities', () => {
    const raw = Buffer.from(good);
    // The first ACE (allowed, 0x14 bytes) is at 28; its SID starts at 36.
    raw.writeUInt8(200, 37);
    expectSdError(raw, 'BadSid');
  });
});

describe('fuzz: random and mutated descriptors', () => {
  // Deterministic PRNG so a failure can be replayed.
  function prng(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function mutate(base: Buffer, random: () => number): Buffer {
    const out = Buffer.from(base);
    const kind = Math.floor(random() * 6);
    const at = Math.floor(random() * out.length);
    switch (kind) {
      case 0:
        return out.subarray(0, at);
      case 1:
        out[at] = (out[at] as number) ^ (1 << Math.floor(random() * 8));
        return out;
      case 2:
        if (at + 2 <= out.length) out.writeUInt16LE(Math.floor(random() * 0x10000), at);
        return out;
      case 3:
        if (at + 4 <= out.length) out.writeUInt32LE(Math.floor(random() * 0x100000000), at);
        return out;
      case 4: {
        // Header fields and the ACL header are where lengths and offsets live.
        const field = [2, 4, 8, 12, 16, 22, 24, 30][Math.floor(random() * 8)] as number;
        if (field + 4 <= out.length) out.writeUInt32LE([0, 0xffffffff, 1, 20, out.length, 0xffff][Math.floor(random() * 6)] as number, field);
        return out;
      }
      default:
        return Buffer.concat([out, Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)))]);
    }
  }

  it('never crashes or hangs on 6,000 malformed inputs: parses or throws SecurityDescriptorError', (t) => {
    const random = prng(0x5eed);
    const bases = [fixture('ou-dacl-granted.hex'), fixture('ou-owner-group-dacl-granted.hex')];
    let parsed = 0;
    let refused = 0;
    let slowest = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < 6000; i++) {
      let input: Buffer;
      if (i % 3 === 0) input = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      else {
        input = bases[i % 2] as Buffer;
        for (let m = 1 + Math.floor(random() * 3); m > 0; m--) input = mutate(input, random);
      }
      if (i % 3 === 0 && input.length >= 4 && random() < 0.5) {
        // Random bytes behind a plausible header reach deeper into the parser.
        input.writeUInt8(1, 0);
        input.writeUInt16LE(0x8004, 2);
      }
      const t0 = process.hrtime.bigint();
      let sd: ReturnType<typeof parseSecurityDescriptor> | null = null;
      try {
        sd = parseSecurityDescriptor(input);
      } catch (err) {
        if (!(err instanceof SecurityDescriptorError)) throw new Error(`input #${i} (${input.toString('hex')}) raised ${String(err)}`);
      }
      slowest = Math.max(slowest, Number(process.hrtime.bigint() - t0) / 1e6);
      if (sd === null) {
        refused++;
        continue;
      }
      parsed++;
      // Whatever parses must encode and parse back to the same thing.
      assert.deepEqual(parseSecurityDescriptor(encodeSecurityDescriptor(sd)), sd);
    }
    const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
    t.diagnostic(`fuzz: ${parsed} parsed, ${refused} refused, slowest ${slowest.toFixed(2)} ms, total ${totalMs.toFixed(0)} ms`);
    assert.equal(parsed + refused, 6000);
    assert.ok(refused > 3000, `most inputs are malformed (refused ${refused})`);
    assert.ok(parsed > 100, `some mutations stay valid (parsed ${parsed})`);
    assert.ok(slowest < 250, `no input takes long to parse (slowest ${slowest.toFixed(1)} ms)`);
    assert.ok(totalMs < 20_000, `the run is bounded (${totalMs.toFixed(0)} ms)`);
  });
});
