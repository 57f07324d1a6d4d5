// Test helper: an LDAPS relay in front of the test DC that answers multi-valued attributes the
// way Windows Server does and Samba does not: range retrieval with MaxValRange = 1,500 values
// (MS-ADTS 3.1.1.3.1.3.3; the LDAP policy's MaxValRange default). Everything else passes through.
//
// - A search entry with more than 1,500 values of an attribute that was not asked for with a
//   range comes back as `attr;range=0-1499` holding the first 1,500 values.
// - An attribute asked for as `attr;range=LOW-HIGH` or `attr;range=LOW-*` is fetched whole from
//   the DC and answered with values LOW..min(HIGH, LOW+1499), named `attr;range=LOW-END`, or
//   `attr;range=LOW-*` when the slice reaches the last value (so the last slice of a
//   3,000-member group read from 1500 is `member;range=1500-*`).
//
// The relay terminates TLS with its own CA (relay.caFile: the client trusts it, nothing turns
// verification off) and speaks LDAPS to the DC with the DC's CA. It parses just enough BER to
// find LDAPMessage boundaries, search requests' attribute lists and search entries' attributes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { ensureTlsMaterial } from '../../../engine/src/sandbox/tls';

export const MAX_VAL_RANGE = 1500;

interface Tlv {
  tag: number;
  /** Offset of the tag, of the value (after tag and length) and of its end, in the buffer read. */
  offset: number;
  start: number;
  end: number;
}

/** Reads the TLV at `offset`; null when the buffer does not hold all of it yet. */
function readTlv(buf: Buffer, offset: number): Tlv | null {
  if (offset + 2 > buf.length) return null;
  const tag = buf[offset] as number;
  let length = buf[offset + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error(`unsupported BER length form 0x${length.toString(16)}`);
    if (offset + 2 + bytes > buf.length) return null;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (buf[offset + 2 + i] as number);
    header += bytes;
  }
  const start = offset + header;
  if (start + length > buf.length) return null;
  return { tag, offset, start, end: start + length };
}

function children(buf: Buffer, tlv: Tlv): Tlv[] {
  const list: Tlv[] = [];
  let at = tlv.start;
  while (at < tlv.end) {
    const child = readTlv(buf, at);
    if (!child) throw new Error('truncated BER element');
    list.push(child);
    at = child.end;
  }
  return list;
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
const raw = (buf: Buffer, t: Tlv) => buf.subarray(t.offset, t.end);

interface RangeAsk {
  low: number;
  high: number | null;
}

const RANGE = /^([^;]+)(;.*)?;range=(\d+)-(\d+|\*)$/i;

/** One relayed connection's memory: the ranges each search (by messageID) asked for. */
type Asks = Map<number, Map<string, RangeAsk>>;

function messageIdOf(buf: Buffer, message: Tlv): number {
  const [id] = children(buf, message);
  if (!id) return -1;
  let value = 0;
  for (let i = id.start; i < id.end; i++) value = value * 256 + (buf[i] as number);
  return value;
}

/** Client → DC: strips `;range=` from a search's attribute list and remembers what was asked. */
function rewriteRequest(buf: Buffer, message: Tlv, asks: Asks): Buffer {
  const parts = children(buf, message);
  const op = parts[1];
  if (!op || op.tag !== 0x63) return raw(buf, message);
  const fields = children(buf, op);
  const attributes = fields[fields.length - 1];
  if (!attributes || attributes.tag !== 0x30) return raw(buf, message);
  const wanted = new Map<string, RangeAsk>();
  const names = children(buf, attributes).map((a) => {
    const name = buf.subarray(a.start, a.end).toString('utf8');
    const m = RANGE.exec(name);
    if (!m) return name;
    wanted.set((m[1] as string).toLowerCase(), { low: Number(m[3]), high: m[4] === '*' ? null : Number(m[4]) });
    return m[1] as string;
  });
  if (wanted.size === 0) return raw(buf, message);
  asks.set(messageIdOf(buf, message), wanted);
  const newAttributes = tlv(0x30, Buffer.concat(names.map((n) => tlv(0x04, Buffer.from(n, 'utf8')))));
  const newOp = tlv(0x63, Buffer.concat([...fields.slice(0, -1).map((f) => raw(buf, f)), newAttributes]));
  return tlv(0x30, Buffer.concat([raw(buf, parts[0] as Tlv), newOp, ...parts.slice(2).map((p) => raw(buf, p))]));
}

export interface RelayStats {
  /** Attribute names the relay answered with a range, in order (e.g. member;range=0-1499). */
  rangesServed: string[];
}

/** DC → client: slices attributes of search entries the way Windows does. */
function rewriteResponse(buf: Buffer, message: Tlv, asks: Asks, stats: RelayStats): Buffer {
  const parts = children(buf, message);
  const op = parts[1];
  const id = messageIdOf(buf, message);
  if (op && op.tag === 0x65) asks.delete(id); // SearchResultDone: the search is over.
  if (!op || op.tag !== 0x64) return raw(buf, message);
  const [name, attributes] = children(buf, op);
  if (!name || !attributes) return raw(buf, message);
  const wanted = asks.get(id);
  let changed = false;
  const rebuilt = children(buf, attributes).map((attribute) => {
    const [type, values] = children(buf, attribute);
    if (!type || !values) return raw(buf, attribute);
    const typeName = buf.subarray(type.start, type.end).toString('utf8');
    const list = children(buf, values);
    const ask = wanted?.get(typeName.toLowerCase());
    if (!ask && list.length <= MAX_VAL_RANGE) return raw(buf, attribute);
    const low = ask?.low ?? 0;
    const last = list.length - 1;
    const high = Math.min(ask?.high ?? Number.POSITIVE_INFINITY, low + MAX_VAL_RANGE - 1, last);
    const served = `${typeName};range=${low}-${high >= last ? '*' : high}`;
    stats.rangesServed.push(served);
    changed = true;
    const slice = list.slice(low, high + 1).map((v) => raw(buf, v));
    return tlv(0x30, Buffer.concat([tlv(0x04, Buffer.from(served, 'utf8')), tlv(0x31, Buffer.concat(slice))]));
  });
  if (!changed) return raw(buf, message);
  const newOp = tlv(0x64, Buffer.concat([raw(buf, name), tlv(0x30, Buffer.concat(rebuilt))]));
  return tlv(0x30, Buffer.concat([raw(buf, parts[0] as Tlv), newOp, ...parts.slice(2).map((p) => raw(buf, p))]));
}

/** Splits a stream into whole LDAPMessages and passes each through `rewrite`. */
function messagePump(rewrite: (buf: Buffer, message: Tlv) => Buffer, write: (chunk: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    const out: Buffer[] = [];
    for (;;) {
      const message = readTlv(pending, offset);
      if (!message) break;
      out.push(rewrite(pending, message));
      offset = message.end;
    }
    pending = pending.subarray(offset);
    if (out.length > 0) write(Buffer.concat(out));
  };
}

export interface SlicingRelay {
  host: string;
  port: number;
  /** The relay's CA: the client's dc.caFile. */
  caFile: string;
  stats: RelayStats;
  close(): Promise<void>;
}

export async function startSlicingRelay(upstream: { host: string; port: number; caFile: string }): Promise<SlicingRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-relay-'));
  const material = ensureTlsMaterial(dir, '127.0.0.1');
  const upstreamCa = readFileSync(upstream.caFile);
  const stats: RelayStats = { rangesServed: [] };
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ cert: material.certPem, key: material.keyPem, minVersion: 'TLSv1.2' }, (client) => {
    // Verified like any client: the DC's CA, and its certificate must name upstream.host.
    const dc = tls.connect({ host: upstream.host, port: upstream.port, ca: upstreamCa, minVersion: 'TLSv1.2' });
    sockets.add(client);
    sockets.add(dc);
    const asks: Asks = new Map();
    const toDc = messagePump(
      (b, m) => rewriteRequest(b, m, asks),
      (c) => dc.write(c),
    );
    const toClient = messagePump(
      (b, m) => rewriteResponse(b, m, asks, stats),
      (c) => client.write(c),
    );
    const end = () => {
      client.destroy();
      dc.destroy();
      sockets.delete(client);
      sockets.delete(dc);
    };
    // A message the relay cannot parse ends the connection (the client sees it lost), never the test process.
    const guarded = (pump: (chunk: Buffer) => void) => (chunk: Buffer) => {
      try {
        pump(chunk);
      } catch {
        end();
      }
    };
    client.on('data', guarded(toDc));
    dc.on('data', guarded(toClient));
    client.on('close', end);
    dc.on('close', end);
    client.on('error', end);
    dc.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    caFile: material.caFile,
    stats,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
