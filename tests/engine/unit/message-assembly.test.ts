// LDAP messages put together from socket chunks in one copy (engine/src/ad/message-assembly.ts):
// ldapts' MessageParser, as the session loads it, emits the same messages however the stream is
// cut, and joins a large message's chunks once instead of once per chunk.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Attribute, BerWriter, MessageParser, type SearchEntry } from 'ldapts';
import { berElementLength } from '../../../engine/src/ad/message-assembly';
import '../../../engine/src/ad/session';

const SEARCH_ENTRY = 0x64;

/** One LDAP searchResEntry message as a DC sends it. */
function searchEntryMessage(messageId: number, dn: string, attributes: Record<string, string[]>): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(SEARCH_ENTRY);
  writer.writeString(dn);
  writer.startSequence();
  for (const [type, values] of Object.entries(attributes)) new Attribute({ type, values }).write(writer);
  writer.endSequence();
  writer.endSequence();
  writer.endSequence();
  return Buffer.from(writer.buffer);
}

/** What a parser emits for a stream given in chunks, each `chunkSize(its offset)` long. */
function parse(stream: Buffer, chunkSize: (offset: number) => number): Array<{ id: number; dn: string; entry: Record<string, unknown> }> {
  const parser = new MessageParser();
  const seen: Array<{ id: number; dn: string; entry: Record<string, unknown> }> = [];
  parser.on('message', (m) => {
    const entry = m as SearchEntry;
    seen.push({ id: entry.messageId, dn: entry.name, entry: entry.toObject([], []) });
  });
  parser.on('error', (err) => assert.fail(err));
  for (let offset = 0; offset < stream.length;) {
    const size = Math.max(1, chunkSize(offset));
    parser.read(stream.subarray(offset, offset + size), new Map());
    offset += size;
  }
  return seen;
}

const members = Array.from({ length: 6000 }, (_, i) => `CN=member${i},OU=Staff,DC=example,DC=com`);
const messages = [
  searchEntryMessage(1, 'CN=jdoe,OU=Staff,DC=example,DC=com', { sn: ['Doe'], givenName: ['J\u00f6rg'] }),
  searchEntryMessage(2, 'CN=All Staff,OU=Staff,DC=example,DC=com', { cn: ['All Staff'], member: members }),
  searchEntryMessage(3, 'CN=Small,OU=Staff,DC=example,DC=com', { cn: ['Small'], member: members.slice(0, 3) }),
];
const stream = Buffer.concat(messages);
/** Where each message starts in the stream. */
const starts = messages.map((_, i) => messages.slice(0, i).reduce((sum, m) => sum + m.length, 0));
const nearAStart = (offset: number) => starts.some((start) => Math.abs(offset - start) < 12);

describe('LDAP messages put together from socket chunks (ad/message-assembly.ts)', () => {
  it('reads a BER element length from its header, short and long form, and waits for an incomplete one', () => {
    assert.equal(berElementLength(Buffer.from([0x30, 0x05])), 7);
    assert.equal(berElementLength(Buffer.from([0x30, 0x81, 0xc8])), 3 + 200);
    assert.equal(berElementLength(Buffer.from([0x30, 0x83, 0x06, 0x1a, 0x80])), 5 + 0x061a80);
    assert.equal(berElementLength(Buffer.from([0x30, 0x84, 0x00, 0x06, 0x1a, 0x80])), 6 + 0x061a80);
    assert.equal(berElementLength(Buffer.from([0x30])), null, 'no length octet yet');
    assert.equal(berElementLength(Buffer.from([0x30, 0x82, 0x01])), null, 'one of two length octets');
    assert.equal(berElementLength(Buffer.from([0x30, 0x80])), null, 'the indefinite form is left to ldapts');
    assert.equal(berElementLength(Buffer.from([0x30, 0x85, 1, 2, 3, 4, 5])), null, 'a length over 4 octets is left to ldapts');
  });

  it('emits the same messages however the stream is cut: whole, byte by byte around the headers, in TLS-sized and odd chunks', () => {
    const whole = parse(stream, () => stream.length);
    assert.deepEqual(
      whole.map((m) => m.id),
      [1, 2, 3],
    );
    assert.equal((whole[1]?.entry.member as string[]).length, 6000);
    assert.equal(whole[0]?.entry.givenName, 'J\u00f6rg');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) % 9000) + 1;
    for (const [name, sizes] of [
      ['1 byte around each header, 4 KB elsewhere', (offset: number) => (nearAStart(offset) ? 1 : 4096)],
      ['4 KB', () => 4096],
      ['16 KB', () => 16384],
      ['random', random],
      ['2 bytes at each header, then 16 KB', (offset: number) => (starts.includes(offset) ? 2 : 16384)],
    ] as const)
      assert.deepEqual(parse(stream, sizes), whole, name);
  });

  it('joins the chunks of a large message once, not once per chunk', () => {
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
      const joined = concat(list, length);
      copied += joined.length;
      return joined;
    }) as typeof Buffer.concat;
    try {
      const seen = parse(stream, () => 4096);
      assert.equal(seen.length, 3);
    } finally {
      Buffer.concat = concat;
    }
    // ldapts alone copies what it holds at each chunk: about 30 times this stream in 4 KB chunks.
    assert.ok(copied <= 2 * stream.length, `copied ${copied} bytes for a stream of ${stream.length}`);
  });
});
