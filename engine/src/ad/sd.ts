// Self-relative security descriptors (MS-DTYP 2.4.6) as AD stores nTSecurityDescriptor: parse
// into plain objects and encode back. Pure. The parser is total over any byte string: malformed
// input (truncated, offsets out of range, sizes or counts that do not fit) raises a
// SecurityDescriptorError naming the problem and the byte offset; the work is bounded by the
// input length, whatever the counts claim.
import { BoundedReader, guidFromBytes, guidToBytes, readSid, SecurityDescriptorError, sidToBytes } from './binary';

const SE_DACL_PRESENT = 0x0004;
const SE_SACL_PRESENT = 0x0010;
const SE_SELF_RELATIVE = 0x8000;

export const ACE_TYPE = {
  AccessAllowed: 0x00,
  AccessDenied: 0x01,
  SystemAudit: 0x02,
  AccessAllowedObject: 0x05,
  AccessDeniedObject: 0x06,
  SystemAuditObject: 0x07,
  AccessAllowedCallback: 0x09,
  AccessDeniedCallback: 0x0a,
  AccessAllowedCallbackObject: 0x0b,
  AccessDeniedCallbackObject: 0x0c,
} as const;

export const ACE_FLAG = {
  ObjectInherit: 0x01,
  ContainerInherit: 0x02,
  NoPropagateInherit: 0x04,
  InheritOnly: 0x08,
  Inherited: 0x10,
  SuccessfulAccess: 0x40,
  FailedAccess: 0x80,
} as const;

const OBJECT_TYPE_PRESENT = 0x1;
const INHERITED_OBJECT_TYPE_PRESENT = 0x2;
const OBJECT_ACE_TYPES = new Set<number>([0x05, 0x06, 0x07, 0x0b, 0x0c]);
const MASK_SID_ACE_TYPES = new Set<number>([0x00, 0x01, 0x02, 0x09, 0x0a, 0x05, 0x06, 0x07, 0x0b, 0x0c]);
const HEADER_SIZE = 20;
const ACL_HEADER_SIZE = 8;
const ACE_HEADER_SIZE = 4;

export interface Ace {
  type: number;
  flags: number;
  mask: number;
  /** S-1-… string. */
  sid: string;
  /** Object ACEs: the object type GUID (class, attribute, property set or extended right). */
  objectType: string | null;
  /** Object ACEs: only objects of this class inherit the ACE. */
  inheritedObjectType: string | null;
  /** Bytes after the SID inside the ACE (callback application data, padding); kept for re-encoding. */
  extra: Buffer;
}

/** An ACE of a type this engine does not interpret; kept verbatim so a DACL round-trips. */
interface OpaqueAce {
  type: number;
  flags: number;
  raw: Buffer;
}

export type AnyAce = Ace | OpaqueAce;

export interface Acl {
  revision: number;
  aces: AnyAce[];
}

export interface SecurityDescriptor {
  revision: number;
  control: number;
  owner: string | null;
  group: string | null;
  /** null when absent; a present but NULL DACL (grants everyone everything) has `daclIsNull`. */
  sacl: Acl | null;
  dacl: Acl | null;
  daclIsNull: boolean;
  /** SE_SACL_PRESENT with no SACL offset. */
  saclIsNull: boolean;
}

export function isParsedAce(ace: AnyAce): ace is Ace {
  return 'sid' in ace;
}

export function isObjectAceType(type: number): boolean {
  return OBJECT_ACE_TYPES.has(type);
}

function parseAce(reader: BoundedReader, offset: number, aclEnd: number): { ace: AnyAce; size: number } {
  const type = reader.u8(offset, 'ACE header');
  const flags = reader.u8(offset + 1, 'ACE header');
  const size = reader.u16(offset + 2, 'ACE header');
  if (size < ACE_HEADER_SIZE) throw new SecurityDescriptorError('BadAceSize', `an ACE claims ${size} bytes (at least ${ACE_HEADER_SIZE})`, offset);
  if (offset + size > aclEnd) throw new SecurityDescriptorError('BadAceSize', `an ACE of ${size} bytes runs past the end of its ACL`, offset);
  if (!MASK_SID_ACE_TYPES.has(type)) return { ace: { type, flags, raw: Buffer.from(reader.bytes(offset, size, 'ACE')) }, size };

  const ace = new BoundedReader(reader.buffer, offset, offset + size);
  const mask = ace.u32(offset + 4, 'ACE access mask');
  let at = offset + 8;
  let objectType: string | null = null;
  let inheritedObjectType: string | null = null;
  if (OBJECT_ACE_TYPES.has(type)) {
    const objectFlags = ace.u32(at, 'object ACE flags');
    at += 4;
    if (objectFlags & OBJECT_TYPE_PRESENT) {
      objectType = guidFromBytes(ace.bytes(at, 16, 'object type GUID'));
      at += 16;
    }
    if (objectFlags & INHERITED_OBJECT_TYPE_PRESENT) {
      inheritedObjectType = guidFromBytes(ace.bytes(at, 16, 'inherited object type GUID'));
      at += 16;
    }
  }
  const { sid, length } = readSid(ace, at, 'ACE SID');
  at += length;
  const extra = Buffer.from(ace.bytes(at, offset + size - at, 'ACE trailing data'));
  return { ace: { type, flags, mask, sid, objectType, inheritedObjectType, extra }, size };
}

function parseAcl(reader: BoundedReader, offset: number, what: string): Acl {
  const revision = reader.u8(offset, `${what} header`);
  if (revision !== 2 && revision !== 4) throw new SecurityDescriptorError('BadRevision', `${what} has revision ${revision} (expected 2 or 4)`, offset);
  const size = reader.u16(offset + 2, `${what} header`);
  const count = reader.u16(offset + 4, `${what} header`);
  if (size < ACL_HEADER_SIZE) throw new SecurityDescriptorError('BadAclSize', `${what} claims ${size} bytes (at least ${ACL_HEADER_SIZE})`, offset);
  if (offset + size > reader.end)
    throw new SecurityDescriptorError('BadAclSize', `${what} claims ${size} bytes but only ${reader.end - offset} remain`, offset);
  // Each ACE takes at least 4 bytes: a count the size cannot hold is refused before any loop.
  if (count * ACE_HEADER_SIZE > size - ACL_HEADER_SIZE) {
    throw new SecurityDescriptorError('BadAceCount', `${what} claims ${count} ACEs, more than its ${size} bytes can hold`, offset);
  }
  const aclEnd = offset + size;
  const aces: AnyAce[] = [];
  let at = offset + ACL_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const { ace, size: aceSize } = parseAce(reader, at, aclEnd);
    aces.push(ace);
    at += aceSize;
  }
  return { revision, aces };
}

function offsetOf(reader: BoundedReader, field: number, what: string): number {
  const value = reader.u32(field, `${what} offset`);
  if (value !== 0 && (value < HEADER_SIZE || value >= reader.end)) {
    throw new SecurityDescriptorError('BadOffset', `the ${what} offset ${value} is outside the descriptor (${reader.end} bytes)`, field);
  }
  return value;
}

export function parseSecurityDescriptor(data: Buffer | Uint8Array): SecurityDescriptor {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const reader = new BoundedReader(buffer);
  reader.need(0, HEADER_SIZE, 'security descriptor header');
  const revision = reader.u8(0, 'security descriptor header');
  if (revision !== 1) throw new SecurityDescriptorError('BadRevision', `the security descriptor has revision ${revision} (expected 1)`, 0);
  const control = reader.u16(2, 'security descriptor header');
  if (!(control & SE_SELF_RELATIVE))
    throw new SecurityDescriptorError('BadRevision', 'the security descriptor is not self-relative (SE_SELF_RELATIVE is not set)', 2);
  const ownerOffset = offsetOf(reader, 4, 'owner');
  const groupOffset = offsetOf(reader, 8, 'group');
  const saclOffset = offsetOf(reader, 12, 'SACL');
  const daclOffset = offsetOf(reader, 16, 'DACL');
  const daclPresent = (control & SE_DACL_PRESENT) !== 0;
  const saclPresent = (control & SE_SACL_PRESENT) !== 0;
  return {
    revision,
    control,
    owner: ownerOffset ? readSid(reader, ownerOffset, 'owner SID').sid : null,
    group: groupOffset ? readSid(reader, groupOffset, 'group SID').sid : null,
    sacl: saclPresent && saclOffset ? parseAcl(reader, saclOffset, 'SACL') : null,
    dacl: daclPresent && daclOffset ? parseAcl(reader, daclOffset, 'DACL') : null,
    daclIsNull: daclPresent && daclOffset === 0,
    saclIsNull: saclPresent && saclOffset === 0,
  };
}

// ---- encoding -----------------------------------------------------------------------------

function encodeAce(ace: AnyAce): Buffer {
  if (!isParsedAce(ace)) {
    const raw = Buffer.from(ace.raw);
    raw.writeUInt8(ace.type, 0);
    raw.writeUInt8(ace.flags, 1);
    return raw;
  }
  const parts: Buffer[] = [];
  const mask = Buffer.alloc(4);
  mask.writeUInt32LE(ace.mask >>> 0, 0);
  parts.push(mask);
  if (OBJECT_ACE_TYPES.has(ace.type)) {
    const objectFlags = Buffer.alloc(4);
    objectFlags.writeUInt32LE((ace.objectType ? OBJECT_TYPE_PRESENT : 0) | (ace.inheritedObjectType ? INHERITED_OBJECT_TYPE_PRESENT : 0), 0);
    parts.push(objectFlags);
    if (ace.objectType) parts.push(guidToBytes(ace.objectType));
    if (ace.inheritedObjectType) parts.push(guidToBytes(ace.inheritedObjectType));
  } else if (ace.objectType || ace.inheritedObjectType) {
    throw new SecurityDescriptorError('BadSddl', `ACE type 0x${ace.type.toString(16)} cannot carry object type GUIDs`);
  }
  parts.push(sidToBytes(ace.sid), ace.extra);
  const body = Buffer.concat(parts);
  const size = ACE_HEADER_SIZE + body.length;
  if (size > 0xffff) throw new SecurityDescriptorError('BadAceSize', `an ACE of ${size} bytes does not fit in 16 bits`);
  const header = Buffer.alloc(ACE_HEADER_SIZE);
  header.writeUInt8(ace.type, 0);
  header.writeUInt8(ace.flags, 1);
  header.writeUInt16LE(size, 2);
  return Buffer.concat([header, body]);
}

export function encodeAcl(acl: Acl): Buffer {
  const aces = acl.aces.map(encodeAce);
  const size = ACL_HEADER_SIZE + aces.reduce((n, a) => n + a.length, 0);
  if (size > 0xffff) throw new SecurityDescriptorError('BadAclSize', `an ACL of ${size} bytes does not fit in 16 bits`);
  if (acl.aces.length > 0xffff) throw new SecurityDescriptorError('BadAceCount', `an ACL cannot hold ${acl.aces.length} ACEs`);
  // Object ACEs need ACL revision 4 (ACL_REVISION_DS).
  const revision = acl.aces.some((a) => OBJECT_ACE_TYPES.has(a.type)) ? 4 : acl.revision;
  const header = Buffer.alloc(ACL_HEADER_SIZE);
  header.writeUInt8(revision, 0);
  header.writeUInt16LE(size, 2);
  header.writeUInt16LE(acl.aces.length, 4);
  return Buffer.concat([header, ...aces]);
}

/** Self-relative form: header, then SACL, DACL, owner and group (the order Windows writes). */
export function encodeSecurityDescriptor(sd: SecurityDescriptor): Buffer {
  let control = (sd.control | SE_SELF_RELATIVE) & ~(SE_DACL_PRESENT | SE_SACL_PRESENT);
  if (sd.dacl || sd.daclIsNull) control |= SE_DACL_PRESENT;
  if (sd.sacl || sd.saclIsNull) control |= SE_SACL_PRESENT;
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(control, 2);
  const chunks: Buffer[] = [header];
  let offset = HEADER_SIZE;
  const place = (field: number, bytes: Buffer | null) => {
    if (!bytes) return;
    header.writeUInt32LE(offset, field);
    chunks.push(bytes);
    offset += bytes.length;
  };
  place(12, sd.sacl ? encodeAcl(sd.sacl) : null);
  place(16, sd.dacl ? encodeAcl(sd.dacl) : null);
  place(4, sd.owner ? sidToBytes(sd.owner) : null);
  place(8, sd.group ? sidToBytes(sd.group) : null);
  return Buffer.concat(chunks);
}
