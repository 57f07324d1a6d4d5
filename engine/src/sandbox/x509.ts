// Just enough X.509 to make the sandbox's own CA and server certificate with node:crypto alone
// (no openssl binary on Windows, no extra package in the single executable): a DER writer and
// ECDSA P-256 / SHA-256 certificates with basicConstraints, keyUsage, extKeyUsage,
// subjectAltName, key identifiers and, for the CA, name constraints (RFC 5280 4.2.1.10).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// ---- DER ------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (content: Buffer) => tlv(0x04, content);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && (v[1] as number) < 0x80) v = v.subarray(1);
  if ((v[0] as number) >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (parts[0] as number) + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  // UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

// ---- certificates ---------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function name(commonName: string, organization: string): Buffer {
  return seq(set(seq(oid(OID.organization), utf8(organization))), set(seq(oid(OID.commonName), utf8(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // For P-256 the BIT STRING is the last 66 bytes: 03 42 00 + 65-byte point.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

function subjectAltNames(names: string[]): Buffer {
  const entries = names.map((n) => {
    if (isIP(n) === 4) return tlv(0x87, Buffer.from(n.split('.').map(Number)));
    if (isIP(n) === 6) return tlv(0x87, ipv6Bytes(n));
    return tlv(0x82, Buffer.from(n, 'ascii'));
  });
  return seq(...entries);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.flatMap((g) => [(parseInt(g, 16) >> 8) & 0xff, parseInt(g, 16) & 0xff]));
}

/**
 * permittedSubtrees for these names (a CA that can vouch for them and nothing else): a DNS name
 * covers itself and its subdomains, an IP address exactly itself (a /32 or /128 mask).
 */
function nameConstraints(names: string[]): Buffer {
  return seq(tlv(0xa0, Buffer.concat(names.map(permittedSubtree))));
}

/** One GeneralSubtree of the constraints, as DER (what a CA made for `name` contains). */
export function permittedSubtree(name: string): Buffer {
  if (isIP(name) === 4) return seq(tlv(0x87, Buffer.concat([Buffer.from(name.split('.').map(Number)), Buffer.alloc(4, 0xff)])));
  if (isIP(name) === 6) return seq(tlv(0x87, Buffer.concat([ipv6Bytes(name), Buffer.alloc(16, 0xff)])));
  return seq(tlv(0x82, Buffer.from(name, 'ascii')));
}

/** Does this certificate (PEM or DER) carry a name constraints extension? */
export function hasNameConstraints(der: Buffer): boolean {
  return der.includes(oid(OID.nameConstraints));
}

export interface CertificateRequest {
  commonName: string;
  organization: string;
  publicKey: KeyObject;
  /** Signer: the CA's key (or the subject's own, for a self-signed CA). */
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  issuer: { commonName: string; organization: string };
  isCa: boolean;
  subjectAltNames?: string[];
  /** CA only: the only names it may vouch for (critical name constraints). */
  permittedNames?: string[];
  notBefore: Date;
  notAfter: Date;
}

export function makeCertificate(req: CertificateRequest): string {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, req.isCa ? seq(bool(true)) : seq()),
    // CA: keyCertSign + cRLSign; leaf: digitalSignature.
    extension(OID.keyUsage, true, req.isCa ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(req.publicKey))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(req.issuerPublicKey)))),
  ];
  if (req.isCa && req.permittedNames) extensions.push(extension(OID.nameConstraints, true, nameConstraints(req.permittedNames)));
  if (!req.isCa) {
    extensions.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))));
    extensions.push(extension(OID.subjectAltName, false, subjectAltNames(req.subjectAltNames ?? [])));
  }
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name(req.issuer.commonName, req.issuer.organization),
    seq(time(req.notBefore), time(req.notAfter)),
    name(req.commonName, req.organization),
    req.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, req.issuerKey); // DER-encoded ECDSA signature
  const der = seq(tbs, algorithm, bitString(signature));
  const base64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

export function newEcKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}
