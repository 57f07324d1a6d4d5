// SIDs and GUIDs in their binary AD forms (MS-DTYP 2.4.2.2 and 2.3.4.2), with a bounds-checked
// reader: every read past the end of the buffer is a SecurityDescriptorError, never a RangeError.

export type SdProblem = 'Truncated' | 'BadRevision' | 'BadOffset' | 'BadAclSize' | 'BadAceSize' | 'BadAceCount' | 'BadSid' | 'BadGuid' | 'BadSddl';

/** The values of an LDAP attribute that came back as bytes (one value or a list; text values are left out). */
export function binaryValues(value: unknown): Buffer[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is Buffer => Buffer.isBuffer(v));
}

/** The first value of an LDAP attribute read as binary (objectGUID, objectSid, a security descriptor), if it came back as bytes. */
export function firstBinaryValue(value: unknown): Buffer | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : undefined;
}

/** A malformed security descriptor, SID, GUID or SDDL string: a typed, catchable error. */
export class SecurityDescriptorError extends Error {
  constructor(
    readonly problem: SdProblem,
    message: string,
    readonly offset: number | null = null,
  ) {
    super(offset === null ? message : `${message} (at byte ${offset})`);
    this.name = 'SecurityDescriptorError';
  }
}

/** Reads little-endian fields from a window of a buffer, refusing to step outside it. */
export class BoundedReader {
  constructor(
    readonly buffer: Buffer,
    readonly start = 0,
    readonly end = buffer.length,
  ) {}

  need(offset: number, length: number, what: string): void {
    if (!Number.isInteger(offset) || offset < this.start || length < 0 || offset + length > this.end) {
      throw new SecurityDescriptorError(
        'Truncated',
        `${what} runs past the end of the data (needs ${length} bytes, ${Math.max(0, this.end - offset)} left)`,
        offset,
      );
    }
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.buffer.readUInt8(offset);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.buffer.readUInt16LE(offset);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.buffer.readUInt32LE(offset);
  }

  bytes(offset: number, length: number, what: string): Buffer {
    this.need(offset, length, what);
    return this.buffer.subarray(offset, offset + length);
  }
}

const MAX_SUB_AUTHORITIES = 15;

/** Reads a binary SID at `offset`; returns its string form (S-1-5-21-…) and its length in bytes. */
export function readSid(reader: BoundedReader, offset: number, what = 'SID'): { sid: string; length: number } {
  const revision = reader.u8(offset, what);
  if (revision !== 1) throw new SecurityDescriptorError('BadSid', `${what} has revision ${revision} (expected 1)`, offset);
  const count = reader.u8(offset + 1, what);
  if (count > MAX_SUB_AUTHORITIES)
    throw new SecurityDescriptorError('BadSid', `${what} claims ${count} sub-authorities (at most ${MAX_SUB_AUTHORITIES})`, offset);
  const length = 8 + 4 * count;
  reader.need(offset, length, what);
  const authorityBytes = reader.buffer.subarray(offset + 2, offset + 8);
  let authority = 0;
  for (const byte of authorityBytes) authority = authority * 256 + byte;
  const parts = [`S-1-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(reader.buffer.readUInt32LE(offset + 8 + 4 * i)));
  return { sid: parts.join('-'), length };
}

export function sidFromBytes(bytes: Buffer): string {
  const { sid, length } = readSid(new BoundedReader(bytes), 0);
  if (length !== bytes.length) throw new SecurityDescriptorError('BadSid', `the SID is ${bytes.length} bytes but its header says ${length}`);
  return sid;
}

/** The last sub-authority of a binary SID (the RID of an account's SID), read without making the SID's text. */
export function ridFromBytes(bytes: Buffer): number {
  const count = bytes.length >= 8 ? (bytes[1] as number) : 0;
  // Anything but a well-formed SID with sub-authorities is answered (or refused) as sidFromBytes does.
  if (bytes[0] !== 1 || count === 0 || bytes.length !== 8 + 4 * count) return Number(sidFromBytes(bytes).split('-').pop());
  return bytes.readUInt32LE(bytes.length - 4);
}

const SID_PATTERN = /^S-1-(\d{1,15})((?:-\d{1,10}){0,15})$/i;

export function isSidString(value: string): boolean {
  return SID_PATTERN.test(value);
}

export function sidToBytes(sid: string): Buffer {
  const match = SID_PATTERN.exec(sid.trim());
  if (!match) throw new SecurityDescriptorError('BadSid', `'${sid}' is not a SID (S-1-<authority>-<sub-authority>…)`);
  const authority = Number(match[1]);
  const subs = (match[2] ?? '').split('-').filter(Boolean).map(Number);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48)
    throw new SecurityDescriptorError('BadSid', `the authority of '${sid}' does not fit in 48 bits`);
  if (subs.some((s) => s > 0xffffffff)) throw new SecurityDescriptorError('BadSid', `a sub-authority of '${sid}' does not fit in 32 bits`);
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(1, 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => out.writeUInt32LE(s, 8 + 4 * i));
  return out;
}

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuidString(value: string): boolean {
  return GUID_PATTERN.test(value);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** A GUID's text, one entry a character pair: the byte shown there (the first three fields are little-endian), -1 a dash. */
const GUID_TEXT_LAYOUT = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];
/** Scratch space for guidFromBytes: one text made at a time, so one string allocated per GUID. */
const guidText36 = Buffer.alloc(36);

/**
 * 16 bytes → bf967aba-0de6-11d0-a285-00aa003049e2 (first three fields little-endian). Written into
 * one scratch buffer: a full reconcile turns 20,000 objectGUIDs into text, and a Buffer per field
 * was most of what its proof checks allocated (docs/memory.md).
 */
export function guidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) throw new SecurityDescriptorError('BadGuid', `a GUID is 16 bytes, not ${bytes.length}`);
  let at = 0;
  for (const index of GUID_TEXT_LAYOUT) {
    if (index < 0) {
      at = guidText36.writeUInt8(0x2d, at);
      continue;
    }
    const byte = bytes.readUInt8(index);
    at = guidText36.writeUInt8(HEX_DIGITS.readUInt8(byte >> 4), at);
    at = guidText36.writeUInt8(HEX_DIGITS.readUInt8(byte & 15), at);
  }
  return guidText36.toString('latin1');
}

export function guidToBytes(guid: string): Buffer {
  if (!GUID_PATTERN.test(guid)) throw new SecurityDescriptorError('BadGuid', `'${guid}' is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  const hex = guid.replace(/-/g, '');
  const field = (from: number, to: number) => Buffer.from(hex.slice(from, to), 'hex').reverse();
  return Buffer.concat([field(0, 8), field(8, 12), field(12, 16), Buffer.from(hex.slice(16), 'hex')]);
}
