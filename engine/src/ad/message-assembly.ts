// LDAP messages put together from the socket's chunks in one copy.
//
// ldapts' MessageParser.read joins each chunk to what it holds of an unfinished message with
// Buffer.concat, so a message that arrives in n chunks is copied n times: a group of 6,000 members
// (about 400 KB, in TLS records of a few KB) made tens of MB of short-lived buffers at the end of
// every full reconcile's AD read, most of the spread of its peak memory (docs/memory.md). Here the
// chunks of an unfinished message are kept in a list until its length (from its BER header) has
// arrived, then joined once and handed to ldapts' own read, which parses as before.
import { MessageParser } from 'ldapts';

/** What the override touches of a parser: ldapts' start of an unfinished message. */
interface Parser {
  buffer?: Buffer;
}
type Read = (this: Parser, data: Buffer, details: unknown) => void;
interface Pending {
  chunks: Buffer[];
  bytes: number;
  /** The whole message's length once its header is in; null before (or for a length form it does not know). */
  needed: number | null;
}

const LENGTH_LONG_FORM = 0x80;
const MAX_LENGTH_BYTES = 4;

/**
 * A BER element's full length (tag, length octets, contents) from its first bytes; null while the
 * header is incomplete, or for the indefinite form or a length over 4 bytes (left to ldapts).
 */
export function berElementLength(head: Buffer): number | null {
  if (head.length < 2) return null;
  const first = head[1] as number;
  if ((first & LENGTH_LONG_FORM) === 0) return 2 + first;
  const count = first & ~LENGTH_LONG_FORM;
  if (count === 0 || count > MAX_LENGTH_BYTES || head.length < 2 + count) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (head[2 + i] as number);
  return 2 + count + length;
}

const pendingOf = new WeakMap<Parser, Pending>();
const parserPrototype = MessageParser.prototype as unknown as { read: Read };
const ldaptsRead = parserPrototype.read;

parserPrototype.read = function (data, details) {
  let pending = pendingOf.get(this);
  if (pending) {
    pending.chunks.push(data);
    pending.bytes += data.length;
    if (pending.needed === null) {
      // The header is a few bytes: joining the chunks that hold it costs nothing.
      if ((pending.chunks[0] as Buffer).length < 8 && pending.chunks.length > 1) pending.chunks = [Buffer.concat(pending.chunks, pending.bytes)];
      pending.needed = berElementLength(pending.chunks[0] as Buffer);
    }
    if (pending.needed !== null && pending.bytes < pending.needed) return;
    data = pending.chunks.length === 1 ? (pending.chunks[0] as Buffer) : Buffer.concat(pending.chunks, pending.bytes);
    pendingOf.delete(this);
  }
  ldaptsRead.call(this, data, details);
  // ldapts keeps the start of an unfinished message in `buffer` and joins the next chunk to it:
  // taken over here, so it is joined once, when complete.
  if (this.buffer && !pendingOf.has(this)) {
    const rest = this.buffer;
    delete this.buffer;
    pending = { chunks: [rest], bytes: rest.length, needed: berElementLength(rest) };
    pendingOf.set(this, pending);
  }
};
