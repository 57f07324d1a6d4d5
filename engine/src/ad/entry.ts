// Reading an LDAP entry's attributes: by name in any case, the first value as text or bytes, every
// value as text, and the key of a ranged answer. Every reader of entries goes through these, so
// no module reads `entry.name` itself. Pure: the session (./session.ts) makes the entries.
import type { Entry } from 'ldapts';
import { firstBinaryValue } from './binary';

/**
 * An attribute of an entry by name, in any case: servers return the names as asked (the schema's
 * own case) but may use another. Looked up as asked first, without making a list of the keys or a
 * lower-case copy of each (a 20,000-user read asks 300,000 times).
 */
export function attributeValue(entry: Entry | null | undefined, name: string): Entry[string] | undefined {
  if (!entry) return undefined;
  if (Object.hasOwn(entry, name)) return entry[name];
  const wanted = name.toLowerCase();
  for (const key in entry) if (key.length === name.length && key.toLowerCase() === wanted) return entry[key];
  return undefined;
}

const rangedPatterns = new Map<string, RegExp>();

/**
 * The key a multi-valued attribute came under when AD answered it in ranges (`member;range=0-1499`:
 * over 1,500 values on Windows; Samba sends all at once); undefined when it came whole or not at all.
 */
export function rangedKey(entry: Entry, name: string): string | undefined {
  let pattern = rangedPatterns.get(name);
  if (!pattern) rangedPatterns.set(name, (pattern = new RegExp(`^${name};range=`, 'i')));
  for (const key in entry) if (pattern.test(key)) return key;
  return undefined;
}

/** The first value of a binary attribute (objectGUID, objectSid, nTSecurityDescriptor), by name in any case; undefined without an entry. */
export function binaryAttribute(entry: Entry | null | undefined, name: string): Buffer | undefined {
  return firstBinaryValue(attributeValue(entry, name));
}

/** The first value of an attribute as text, by name in any case; '' when it is missing or without an entry. */
export function textAttribute(entry: Entry | null | undefined, name: string): string {
  return firstString(attributeValue(entry, name));
}

/** The first value of an attribute as a decimal integer; 0 when it is missing (AD leaves unset counters out). */
export function intAttribute(entry: Entry | null | undefined, name: string): number {
  return Number.parseInt(textAttribute(entry, name) || '0', 10);
}

export function firstString(value: Entry[string] | undefined): string {
  if (value === undefined) return '';
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

export function allStrings(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}
