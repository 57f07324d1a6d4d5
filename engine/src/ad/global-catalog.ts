// Forest-wide userPrincipalName uniqueness. Windows Server 2012 R2 and later refuse a UPN that
// any object in the forest holds (ERROR_DS_UPN_VALUE_NOT_UNIQUE_IN_FOREST); a search of the own
// domain cannot see the other domains. The global catalog holds userPrincipalName of every object
// of every domain (partial attribute set), so the holders of the UPNs a plan needs are looked up
// there: port 3269 over TLS (ldaps) or 3268 with StartTLS, the same credentials and CA as the
// DC. Used when the forest has more than one domain (crossRef objects of domains in the
// configuration partition) or when the count cannot be read; `dc.globalCatalog` forces it on
// ('always') or off ('never'). docs/windows-vs-samba.md.
import { promises as dns } from 'node:dns';
import type { DcConfig } from '../config/request';
import { EngineError, ExitCode } from '../errors';
import { escapeFilterValue } from './escape';
import { lower } from './names';
import { AdSession, type RootDse } from './session';
import { textAttribute } from './entry';

export type GlobalCatalogUse = NonNullable<DcConfig['globalCatalog']>;

/** Where the UPN check looked, for the run's log and result. */
export interface UpnScope {
  scope: 'forest' | 'domain';
  /** The global catalog asked (host:port), when the scope is the forest. */
  server: string | null;
  why: string;
}

const GC_LDAPS_PORT = 3269;
const GC_LDAP_PORT = 3268;
const LOOKUP_CHUNK = 100;
/** systemFlags of a crossRef: FLAG_CR_NTDS_DOMAIN (MS-ADTS 6.1.1.2.1.1.5). */
const FLAG_CR_NTDS_DOMAIN = 2;

/** Naming contexts of the forest's domains, from the configuration partition; null when unreadable. */
async function forestDomains(session: AdSession, dse: Pick<RootDse, 'configurationNamingContext'>): Promise<string[] | null> {
  if (!dse.configurationNamingContext) return null;
  try {
    const entries = await session.search(
      `CN=Partitions,${dse.configurationNamingContext}`,
      { scope: 'one', filter: `(&(objectClass=crossRef)(systemFlags:1.2.840.113556.1.4.803:=${FLAG_CR_NTDS_DOMAIN}))`, attributes: ['nCName'] },
      'read the forest partitions',
    );
    const domains = entries.map((e) => textAttribute(e, 'nCName')).filter((nc) => nc !== '');
    return domains.length > 0 ? domains : null;
  } catch {
    return null;
  }
}

/** Pure: does the UPN check go to the global catalog? */
export function chooseUpnScope(use: GlobalCatalogUse, domains: string[] | null): { forest: boolean; why: string } {
  if (use === 'always') return { forest: true, why: 'the global catalog is required by the configuration (globalCatalog: always)' };
  if (use === 'never') return { forest: false, why: 'the global catalog is switched off by the configuration (globalCatalog: never)' };
  if (domains === null) return { forest: true, why: 'the number of domains in the forest could not be read from the configuration partition' };
  if (domains.length > 1) return { forest: true, why: `the forest has ${domains.length} domains` };
  return { forest: false, why: 'the forest has one domain: the domain search sees every UPN' };
}

/** The `dc` block for the global catalog: the DC's host (when it is a GC) or one found in DNS, the GC port of the same TLS mode. */
export function globalCatalogDc(dc: DcConfig, host: string, port?: number): DcConfig {
  const gcPort = port ?? (dc.mode === 'ldaps' ? GC_LDAPS_PORT : GC_LDAP_PORT);
  return { ...dc, host, port: dc.globalCatalogPort ?? gcPort };
}

/** A global catalog server of the forest: this DC when it is one, else the first `_gc._tcp.<forest>` SRV record. */
export async function findGlobalCatalog(
  dc: DcConfig,
  dse: Pick<RootDse, 'isGlobalCatalogReady'>,
  forestDns: () => Promise<string>,
  resolveSrv = dns.resolveSrv,
): Promise<DcConfig | null> {
  if (dc.globalCatalogHost) return globalCatalogDc(dc, dc.globalCatalogHost);
  if (dse.isGlobalCatalogReady) return globalCatalogDc(dc, dc.host);
  try {
    const records = await resolveSrv(`_gc._tcp.${await forestDns()}`);
    const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
    // SRV names the plain-LDAP GC port (3268); ldaps uses 3269 on the same server.
    return best ? globalCatalogDc(dc, best.name, dc.mode === 'ldaps' ? GC_LDAPS_PORT : best.port) : null;
  } catch {
    return null;
  }
}

/** DNS name of the forest root domain (where _gc._tcp records live), from the rootDSE. */
async function forestDnsName(session: AdSession): Promise<string> {
  const [entry] = await session.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['rootDomainNamingContext'] }, 'read the rootDSE');
  return textAttribute(entry, 'rootDomainNamingContext')
    .split(',')
    .filter((part) => /^\s*DC=/i.test(part))
    .map((part) => part.replace(/^\s*DC=/i, '').trim())
    .join('.');
}

/** Holders (DN) of the given UPNs anywhere in the forest, by lower-case UPN. */
export async function lookupForestUpns(gc: AdSession, upns: string[]): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  const wanted = [...new Set(upns.map(lower))];
  for (let i = 0; i < wanted.length; i += LOOKUP_CHUNK) {
    const terms = wanted
      .slice(i, i + LOOKUP_CHUNK)
      .map((u) => `(userPrincipalName=${escapeFilterValue(u)})`)
      .join('');
    // Base "" on a GC port searches every naming context the GC holds: the whole forest.
    for await (const page of gc.searchPaged('', { scope: 'sub', filter: `(|${terms})`, attributes: ['userPrincipalName'] }, 500)) {
      for (const entry of page) {
        const upn = textAttribute(entry, 'userPrincipalName');
        if (upn) holders.set(lower(upn), entry.dn);
      }
    }
  }
  return holders;
}

export interface ForestUpnCheck {
  holders: Map<string, string>;
  scope: UpnScope;
}

/**
 * Looks the UPNs up forest-wide when the forest calls for it. A global catalog that cannot be
 * found or reached leaves the check at domain scope, said in `scope.why`: Windows then refuses a
 * clashing write, which fails that object alone (a rename writes both logon names in one change
 * first, so nothing is left half renamed).
 */
export async function checkForestUpns(session: AdSession, dse: RootDse, upns: string[]): Promise<ForestUpnCheck> {
  if (upns.length === 0) return { holders: new Map(), scope: { scope: 'domain', server: null, why: 'no new UPN to check' } };
  const use: GlobalCatalogUse = session.dc.globalCatalog ?? 'auto';
  const domains = use === 'auto' ? await forestDomains(session, dse) : null;
  const choice = chooseUpnScope(use, domains);
  if (!choice.forest) return { holders: new Map(), scope: { scope: 'domain', server: null, why: choice.why } };
  const gcDc = await findGlobalCatalog(session.dc, dse, () => forestDnsName(session));
  if (!gcDc) {
    if (use === 'always')
      throw new EngineError(
        'AD.GlobalCatalogNotFound',
        `No global catalog server was found: ${session.where} is none and DNS names none (_gc._tcp). Set dc.globalCatalogHost.`,
        { category: 'ConnectionError', exitCode: ExitCode.Unreachable, target: session.where },
      );
    return {
      holders: new Map(),
      scope: { scope: 'domain', server: null, why: `${choice.why}, but no global catalog was found (this DC is none and DNS names none)` },
    };
  }
  const server = `${gcDc.host}:${gcDc.port}`;
  let gc: AdSession;
  try {
    gc = await AdSession.open(gcDc);
  } catch (err) {
    if (use === 'always') throw err;
    return {
      holders: new Map(),
      scope: { scope: 'domain', server: null, why: `${choice.why}, but the global catalog at ${server} could not be reached: ${(err as Error).message}` },
    };
  }
  try {
    return { holders: await lookupForestUpns(gc, upns), scope: { scope: 'forest', server, why: choice.why } };
  } finally {
    await gc.close();
  }
}
