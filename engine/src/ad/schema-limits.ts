// Attribute length limits from the schema. Windows refuses a value longer than the attribute's
// rangeUpper (givenName and sn 64 characters, displayName and mail 256, cn 64, description 1024);
// JumpCloud allows longer names, and Samba may accept them. The limits of every attribute the
// sync writes are read once per run (the agent keeps them for its whole life: the schema changes
// only by an administrator's extension), and the planner turns an over-long value into a reported
// skip naming the attribute, the length and the limit. Never truncated. docs/windows-vs-samba.md.
import { escapeFilterValue } from './escape';
import { type AdSession, type RootDse } from './session';
import { textAttribute } from './entry';

/** Every attribute the sync writes a string value to. */
const WRITTEN_ATTRIBUTES = ['cn', 'sAMAccountName', 'userPrincipalName', 'givenName', 'sn', 'displayName', 'mail', 'description'] as const;

/** rangeUpper by lDAPDisplayName (as the schema spells it); an attribute without one has no limit. */
export type AttributeLimits = ReadonlyMap<string, number>;

export interface OverLimit {
  attribute: string;
  length: number;
  limit: number;
}

/** The schema naming context: the rootDSE names the configuration one; the schema sits under it. */
function schemaNamingContext(dse: Pick<RootDse, 'configurationNamingContext'>): string {
  return `CN=Schema,${dse.configurationNamingContext}`;
}

/** Reads rangeUpper of WRITTEN_ATTRIBUTES (one search). */
export async function readAttributeLimits(session: AdSession, dse: Pick<RootDse, 'configurationNamingContext'>): Promise<AttributeLimits> {
  const terms = WRITTEN_ATTRIBUTES.map((a) => `(lDAPDisplayName=${escapeFilterValue(a)})`).join('');
  const entries = await session.search(
    schemaNamingContext(dse),
    { scope: 'one', filter: `(&(objectClass=attributeSchema)(|${terms}))`, attributes: ['lDAPDisplayName', 'rangeUpper'] },
    'read attribute limits from the schema',
  );
  const limits = new Map<string, number>();
  for (const entry of entries) {
    const name = textAttribute(entry, 'lDAPDisplayName');
    const upper = Number.parseInt(textAttribute(entry, 'rangeUpper'), 10);
    if (name && Number.isFinite(upper) && upper > 0) limits.set(name.toLowerCase(), upper);
  }
  return limits;
}

/**
 * Values longer than their attribute's limit (pure). The length is counted in UTF-16 code units,
 * as AD counts the characters of a Unicode string attribute.
 */
export function valuesOverLimit<T extends { [K in keyof T]: string }>(values: T, limits: AttributeLimits | undefined): OverLimit[] {
  if (!limits) return [];
  const over: OverLimit[] = [];
  // A reconcile asks this for every user it plans: no entry arrays, each name lower-cased once.
  for (const attribute in values) {
    const value: string = values[attribute];
    const limit = limits.get(lowerName(attribute));
    if (limit !== undefined && value.length > limit) over.push({ attribute, length: value.length, limit });
  }
  return over;
}

const lowerNames = new Map<string, string>();
function lowerName(attribute: string): string {
  let name = lowerNames.get(attribute);
  if (name === undefined) lowerNames.set(attribute, (name = attribute.toLowerCase()));
  return name;
}

/** "givenName has 65 characters, the schema allows 64; mail has 300 characters, the schema allows 256" */
export function describeOverLimit(over: OverLimit[]): string {
  return over.map((o) => `${o.attribute} has ${o.length} characters, the schema allows ${o.limit}`).join('; ');
}
