// Password delivery crypto of the agent channel (see engine/src/sandbox/AGENT-CHANNEL.md):
// a sealed box to the agent's own X25519 key. The sender makes an ephemeral X25519 key pair,
// derives an AES-256-GCM key with HKDF-SHA256 from the shared secret, and binds the event id,
// agent id and user id as additional authenticated data, so a ciphertext cannot be replayed for
// another user, event or agent. Only the agent's private key opens it.
import {
  createPrivateKey,
  createPublicKey,
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export const SEAL_ALGORITHM = 'X25519-HKDF-SHA256-A256GCM';
const HKDF_INFO = Buffer.from('jcadi-password-v1', 'utf8');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  alg: typeof SEAL_ALGORITHM;
  /** The sender's ephemeral X25519 public key, raw 32 bytes, base64url. */
  epk: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

/** What the ciphertext is bound to; both sides rebuild the same string. */
export interface SealContext {
  eventId: string;
  agentId: string;
  userId: string;
}

export interface AgentKeyPair {
  /** Raw 32-byte X25519 public key, base64url: what the agent sends at exchange. */
  publicKey: string;
  /** PKCS#8 PEM: what the agent keeps (encrypted at rest by the agent's config layer). */
  privateKeyPem: string;
}

export function generateAgentKeyPair(): AgentKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: rawPublicKey(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Imports a raw base64url X25519 public key; throws on anything else. */
function importAgentPublicKey(raw: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new Error('an X25519 public key is 32 bytes, base64url (43 characters)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw }, format: 'jwk' });
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x) throw new Error('not an X25519 key');
  return jwk.x;
}

function aad(context: SealContext): Buffer {
  return Buffer.from(`${SEAL_ALGORITHM}|${context.eventId}|${context.agentId}|${context.userId}`, 'utf8');
}

function deriveKey(shared: Buffer, epk: string, recipient: string): Buffer {
  const salt = Buffer.concat([Buffer.from(epk, 'base64url'), Buffer.from(recipient, 'base64url')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, HKDF_INFO, 32));
}

/** Encrypts `secret` to the agent's public key (raw base64url). */
export function sealToAgent(secret: string, agentPublicKey: string, context: SealContext): SealedSecret {
  const recipient = importAgentPublicKey(agentPublicKey);
  const ephemeral = generateKeyPairSync('x25519');
  const epk = rawPublicKey(ephemeral.publicKey);
  const key = deriveKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), epk, agentPublicKey);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(context));
  const plaintext = Buffer.from(secret, 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  key.fill(0);
  return {
    alg: SEAL_ALGORITHM,
    epk,
    nonce: nonce.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** Decodes a base64url field that must be exactly `bytes` long (GCM accepts shorter tags: never here). */
function exactBytes(value: unknown, bytes: number, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]*$/.test(value)) throw new Error(`the sealed secret's ${field} is not base64url`);
  const decoded = Buffer.from(value, 'base64url');
  if (decoded.length !== bytes || decoded.toString('base64url') !== value)
    throw new Error(`the sealed secret's ${field} must be exactly ${bytes} bytes, not ${decoded.length}`);
  return decoded;
}

/** Opens a sealed secret with the agent's private key; throws if it was altered or not for this agent. */
export function openSealed(sealed: SealedSecret, privateKeyPem: string | KeyObject, context: SealContext): string {
  if (sealed.alg !== SEAL_ALGORITHM) throw new Error(`unsupported sealing algorithm '${String(sealed.alg)}'`);
  const nonce = exactBytes(sealed.nonce, NONCE_BYTES, 'nonce');
  const tag = exactBytes(sealed.tag, TAG_BYTES, 'tag');
  if (typeof sealed.ciphertext !== 'string' || !/^[A-Za-z0-9_-]+$/.test(sealed.ciphertext)) throw new Error("the sealed secret's ciphertext is not base64url");
  const privateKey = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  const ownPublic = rawPublicKey(createPublicKey(privateKey));
  const key = deriveKey(diffieHellman({ privateKey, publicKey: importAgentPublicKey(sealed.epk) }), sealed.epk, ownPublic);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(context));
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64url')), decipher.final()]);
  key.fill(0);
  const text = plain.toString('utf8');
  plain.fill(0);
  return text;
}
