// Effective privilege of an AD object, not adminCount alone: SDProp sets adminCount up to an hour
// after someone joins a protected group, never for privileged groups it does not protect
// (DnsAdmins and the like), and Samba has no SDProp at all. Before the sync writes a user or a
// group's membership it asks the DC for the object's transitive group SIDs (tokenGroups, a
// base-scope read: docs/privilege.md) and compares them with the privileged set: the well-known
// privileged groups plus an administrator's deny list. The membership path that makes an object
// privileged is found afterwards (memberOf upwards, and the primary group), for the report.
import type { Entry } from 'ldapts';
import { binaryValues, sidFromBytes } from './binary';
import { escapeFilterValue } from './escape';
import { readDomainInfo, type DomainInfo } from './security';
import { type AdSession } from './session';
import { allStrings, attributeValue, binaryAttribute, textAttribute } from './entry';

/** Built-in groups (S-1-5-32-RID): Administrators, Account/Server/Print/Backup Operators, Replicator. */
const PRIVILEGED_BUILTIN_RIDS = [544, 548, 549, 550, 551, 552];
/**
 * Domain RIDs: Administrator, krbtgt, Enterprise Read-only DCs, Domain Admins, Domain
 * Controllers, Schema Admins, Enterprise Admins, Group Policy Creator Owners, Read-only DCs, Key
 * Admins, Enterprise Key Admins. (Schema/Enterprise Admins live in the forest root domain: in a
 * child domain name them in the deny list.)
 */
const PRIVILEGED_DOMAIN_RIDS = [500, 502, 498, 512, 516, 518, 519, 520, 521, 526, 527];
/** Privileged groups without a fixed RID, found by name in the domain. */
const PRIVILEGED_GROUP_NAMES = ['DnsAdmins', 'DnsUpdateProxy'];

export interface PrivilegeFinding {
  dn: string;
  /** The privileged group (its DN, or its SID when the DC does not name it). */
  group: string;
  /** From the object up to the privileged group, e.g. [user, CN=helpdesk, CN=Domain Admins]. */
  path: string[];
}

const rdn = (dn: string) => /^[^=]+=((?:\\.|[^,])*)/.exec(dn)?.[1]?.replace(/\\(.)/g, '$1') ?? dn;

/** Says the path in words: "CN=x → CN=helpdesk → CN=Domain Admins" as "x → helpdesk → Domain Admins". */
export function describePath(finding: PrivilegeFinding): string {
  return finding.path.map(rdn).join(' → ');
}

export class PrivilegeChecker {
  #privileged: Map<string, string> | null = null;
  #domain: DomainInfo | null = null;
  /** group DN (lower case) → its memberOf, read once per checker. */
  readonly #parents = new Map<string, string[]>();
  readonly #results = new Map<string, PrivilegeFinding | null>();

  /** `denyList`: more privileged groups, each a DN, a sAMAccountName or a SID. */
  constructor(
    private readonly session: AdSession,
    private readonly denyList: readonly string[] = [],
  ) {}

  /** SID → DN (or the SID itself when it does not resolve) of every privileged group. */
  async privilegedSids(): Promise<Map<string, string>> {
    if (this.#privileged) return this.#privileged;
    const domain = (this.#domain = await readDomainInfo(this.session));
    const set = new Map<string, string>();
    for (const rid of PRIVILEGED_BUILTIN_RIDS) set.set(`S-1-5-32-${rid}`, `S-1-5-32-${rid}`);
    for (const rid of PRIVILEGED_DOMAIN_RIDS) set.set(`${domain.sid}-${rid}`, `${domain.sid}-${rid}`);
    const byName = [...PRIVILEGED_GROUP_NAMES];
    for (const entry of this.denyList) {
      const value = entry.trim();
      if (/^S-1-[0-9-]+$/i.test(value)) set.set(value.toUpperCase(), value.toUpperCase());
      else if (value !== '') byName.push(value);
    }
    const terms = byName
      .map((n) => (/^(CN|OU)=.+,/i.test(n) ? `(distinguishedName=${escapeFilterValue(n)})` : `(sAMAccountName=${escapeFilterValue(n)})`))
      .join('');
    const found = await this.session.search(
      domain.dn,
      { scope: 'sub', filter: `(&(objectClass=group)(|${terms}))`, attributes: ['objectSid'] },
      'find the privileged groups',
    );
    for (const entry of found) for (const sid of binaryValues(attributeValue(entry, 'objectSid'))) set.set(sidFromBytes(sid), entry.dn);
    // Name the well-known ones by their DN, for the report.
    const wellKnown = [...set.keys()].filter((sid) => set.get(sid) === sid);
    for (let i = 0; i < wellKnown.length; i += 50) {
      const chunk = wellKnown
        .slice(i, i + 50)
        .map((sid) => `(objectSid=${escapeFilterValue(sid)})`)
        .join('');
      const named = await this.session
        .search(domain.dn, { scope: 'sub', filter: `(|${chunk})`, attributes: ['objectSid'] }, 'name the privileged groups')
        .catch(() => [] as Entry[]);
      for (const entry of named) for (const sid of binaryValues(attributeValue(entry, 'objectSid'))) set.set(sidFromBytes(sid), entry.dn);
    }
    this.#privileged = set;
    return set;
  }

  /** The finding when `dn` is privileged (itself a privileged account or group, or a member of one, transitively); else null. */
  async check(dn: string): Promise<PrivilegeFinding | null> {
    const key = dn.toLowerCase();
    if (this.#results.has(key)) return this.#results.get(key) ?? null;
    const privileged = await this.privilegedSids();
    const [entry] = await this.session.search(
      dn,
      {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['objectSid', 'tokenGroups', 'primaryGroupID', 'memberOf'],
      },
      'read the effective group memberships',
    );
    let finding: PrivilegeFinding | null = null;
    if (entry) {
      const ownSid = binaryAttribute(entry, 'objectSid');
      const own = ownSid && sidFromBytes(ownSid);
      const memberOf = allStrings(attributeValue(entry, 'memberOf'));
      const primary = textAttribute(entry, 'primaryGroupID');
      if (own && privileged.has(own)) {
        finding = { dn, group: privileged.get(own) as string, path: [dn] };
      } else {
        const token = binaryValues(attributeValue(entry, 'tokenGroups')).map(sidFromBytes);
        const hit = token.find((sid) => privileged.has(sid));
        if (hit) finding = await this.#explain(dn, memberOf, primary, privileged.get(hit) as string, hit);
        else if (token.length === 0) finding = await this.#searchUp(dn, memberOf, privileged);
      }
    }
    this.#results.set(key, finding);
    return finding;
  }

  async #parentsOf(groupDn: string): Promise<string[]> {
    const key = groupDn.toLowerCase();
    const known = this.#parents.get(key);
    if (known) return known;
    const [entry] = await this.session
      .search(groupDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['memberOf'] }, 'read group memberships')
      .catch(() => [] as Entry[]);
    const parents = allStrings(attributeValue(entry, 'memberOf'));
    this.#parents.set(key, parents);
    return parents;
  }

  /** The shortest memberOf chain from `dn` to `target` (breadth first); the primary group when that is it. */
  async #explain(dn: string, memberOf: string[], primary: string, target: string, sid: string): Promise<PrivilegeFinding> {
    if (this.#domain && primary && `${this.#domain.sid}-${primary}` === sid) return { dn, group: target, path: [dn, target] };
    const path = await this.#bfs(dn, memberOf, (g) => g.toLowerCase() === target.toLowerCase());
    return { dn, group: target, path: path ?? [dn, target] };
  }

  /** Without tokenGroups (not readable by this account): the memberOf chains decide. */
  async #searchUp(dn: string, memberOf: string[], privileged: Map<string, string>): Promise<PrivilegeFinding | null> {
    const names = new Set([...privileged.values()].map((v) => v.toLowerCase()));
    const path = await this.#bfs(dn, memberOf, (g) => names.has(g.toLowerCase()));
    return path ? { dn, group: path.at(-1) as string, path } : null;
  }

  async #bfs(dn: string, memberOf: string[], isTarget: (groupDn: string) => boolean): Promise<string[] | null> {
    const seen = new Set<string>([dn.toLowerCase()]);
    let frontier: string[][] = memberOf.map((g) => [dn, g]);
    while (frontier.length > 0) {
      const next: string[][] = [];
      for (const path of frontier) {
        const group = path.at(-1) as string;
        if (seen.has(group.toLowerCase())) continue;
        seen.add(group.toLowerCase());
        if (isTarget(group)) return path;
        for (const parent of await this.#parentsOf(group)) next.push([...path, parent]);
      }
      frontier = next;
    }
    return null;
  }
}
