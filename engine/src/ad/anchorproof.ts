// The anchor's proof: a keyed MAC (HMAC-SHA256) of the object's objectGUID and its JumpCloud id,
// written next to the id in the anchor (JumpCloud:<id>;...;proof=<mac>). objectGUID is chosen by
// the DC at creation (nobody can add an object with a given objectGUID; Samba answers
// "replmd_add: it's not allowed to add an object with objectGUID"), and the key lives only in the
// sync's protected configuration, so an account that may create or edit objects under the root
// can copy a proof but never make one that fits another object. Why not the owner SID: on Samba
// a delegated non-admin may set any owner on an object it created (docs/anchor-trust.md).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Entry } from 'ldapts';
import { guidFromBytes } from './binary';
import { binaryAttribute } from './entry';

const ANCHOR_KEY_BYTES = 32;
/** 128 bits of the MAC, base64url: 22 characters. */
const PROOF_CHARS = 22;
const DOMAIN_SEPARATOR = 'JumpCloudADI anchor proof v1';

export function newAnchorKey(): Buffer {
  return randomBytes(ANCHOR_KEY_BYTES);
}

/** The key from its text form (base64 or base64url of 32 bytes); null when the text is not one. */
export function parseAnchorKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === ANCHOR_KEY_BYTES ? key : null;
}

/** objectGUID bytes → canonical lower-case text; '' when the value is not 16 bytes. */
export function guidText(bytes: Buffer | undefined): string {
  return bytes && bytes.length === 16 ? guidFromBytes(bytes) : '';
}

/** Why a key text is not usable, for request validation. */
export const ANCHOR_KEY_PROBLEM = 'must be an anchor key: 32 random bytes in base64 (New-JCSyncAnchorKey makes one)';

export function anchorProof(key: Buffer, objectGuid: string, jcId: string): string {
  if (objectGuid === '') throw new Error('an anchor proof needs the objectGUID');
  return createHmac('sha256', key).update(`${DOMAIN_SEPARATOR}\0${objectGuid.toLowerCase()}\0${jcId}`).digest('base64url').slice(0, PROOF_CHARS);
}

export function proofMatches(key: Buffer, objectGuid: string, jcId: string, proof: string | undefined): boolean {
  if (!proof || proof.length !== PROOF_CHARS || objectGuid === '') return false;
  return timingSafeEqual(Buffer.from(anchorProof(key, objectGuid, jcId)), Buffer.from(proof));
}

const PENDING_SEPARATOR = 'JumpCloudADI pending anchor proof v1';

/** A DN as the proof reads it: lower case, no spaces around the separators. */
function dnForProof(dn: string): string {
  return dn.toLowerCase().replace(/\s*([,=])\s*/g, '$1');
}

/**
 * The proof an object carries between its add and the moment its objectGUID is known (the write
 * right after the add replaces it): bound to the DN the sync added it at. It keeps an object the
 * sync created and was stopped on (a crash, a kill) its own; it stops fitting once the object is
 * moved or renamed. Copying it needs the DN, so the sync's own object deleted first.
 */
export function pendingAnchorProof(key: Buffer, dn: string, jcId: string): string {
  return createHmac('sha256', key)
    .update(`${PENDING_SEPARATOR}\0${dnForProof(dn)}\0${jcId}`)
    .digest('base64url')
    .slice(0, PROOF_CHARS);
}

/** The proof fits the object: made for its objectGUID, or the pending proof of its DN. */
export function proofFitsObject(key: Buffer, object: { objectGuid: string; dn: string }, jcId: string, proof: string | undefined): boolean {
  if (proofMatches(key, object.objectGuid, jcId, proof)) return true;
  return !!proof && proof.length === PROOF_CHARS && timingSafeEqual(Buffer.from(pendingAnchorProof(key, object.dn, jcId)), Buffer.from(proof));
}

/** proofFitsObject for an LDAP entry read with objectGUID: the one rule every reader of anchors applies. */
export function proofFitsEntry(key: Buffer, entry: Entry, jcId: string, proof: string | undefined): boolean {
  return proofFitsObject(key, { objectGuid: guidText(binaryAttribute(entry, 'objectGUID')), dn: entry.dn }, jcId, proof);
}
