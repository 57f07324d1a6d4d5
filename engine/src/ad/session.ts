// One LDAP session to one domain controller: LDAPS (default), StartTLS, or plain LDAP only when
// the config says both "allow insecure" and "risk acknowledged". CA validation is always on.
// Every failure leaves here as an EngineError (see ./errors).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, SearchEntry, type BerReader, type Control, type Entry, type SearchOptions } from 'ldapts';
import { badRequest, EngineError, ExitCode } from '../errors';
import type { DcConfig } from '../config/request';
import { mapLdapError } from './errors';
import { allStrings, attributeValue, firstString, textAttribute } from './entry';
import './message-assembly';

export interface RootDse {
  defaultNamingContext: string;
  configurationNamingContext: string;
  dnsHostName: string;
  serverName: string;
  supportedControls: string[];
  supportedLdapVersions: string[];
  domainFunctionality: number | null;
  forestFunctionality: number | null;
  domainControllerFunctionality: number | null;
  highestCommittedUSN: string;
  isGlobalCatalogReady: boolean;
  currentTime: string;
}

/**
 * AD's binary attributes the engine reads, in the case AD's schema spells them. The session asks
 * ldapts for them as buffers whoever reads them (`withBinaryAttributes`): a reader names the
 * attributes it wants, never which of them are binary.
 */
const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid', 'nTSecurityDescriptor', 'tokenGroups', 'invocationId'] as const;
const BINARY_LOWER: readonly string[] = BINARY_ATTRIBUTES.map((name) => name.toLowerCase());

/**
 * The search options with every binary attribute they ask for in `explicitBufferAttributes`, both
 * as asked and as AD spells it (ldapts compares that list with the names the server returns, case
 * and all).
 */
export function withBinaryAttributes(options: SearchOptions): SearchOptions {
  const binary = new Set(options.explicitBufferAttributes ?? []);
  for (const asked of options.attributes ?? []) {
    const at = BINARY_LOWER.indexOf(asked.toLowerCase());
    if (at < 0) continue;
    binary.add(asked);
    binary.add(BINARY_ATTRIBUTES[at] as string);
  }
  return binary.size === 0 ? options : { ...options, explicitBufferAttributes: [...binary] };
}

/**
 * How a search entry becomes an `Entry`: ldapts' own parse, made lean. ldapts parses each entry
 * into an Attribute object per attribute (a list of its bytes, a list of its values) and turns it
 * into a plain object only when the page's last answer arrives, so a page of 500 entries is held
 * twice; it also tries every value as strict UTF-8, binary ones included (an exception, stack
 * and all, for each objectGUID and objectSid), and lower-cases every name into a Set. Here the
 * entry's object is made while parsing, with ldapts' rules: an attribute of BINARY_ATTRIBUTES (any
 * case) or with the ';binary' option is bytes without being tried; any other is text, or bytes for
 * all its values when one is not UTF-8; one value alone, several as a list, none as []; an
 * attribute asked for and not returned is []; `explicitBufferAttributes` (the server's spelling)
 * are bytes. Measured on a 20,000-account no-op reconcile (docs/memory.md): 7 MB less at the peak,
 * about 7% less time. Unit tests parse real BER through it; they fail if a later ldapts parses
 * search entries another way.
 */
const BINARY_OPTION = /;binary$/i;
const LBER_SET = 0x31;
const OCTET_STRING = 0x04;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isBinaryAttribute(type: string): boolean {
  // Lower-cased only when the length fits, and no closure made: this runs for every attribute of every entry.
  for (const name of BINARY_LOWER) if (name.length === type.length && name === type.toLowerCase()) return true;
  return BINARY_OPTION.test(type);
}

/** Values as bytes: text decoded strictly re-encodes to the bytes it came from. */
function asBytes(values: ReadonlyArray<string | Buffer>): Buffer[] {
  return values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
}

/** One attribute's values from the reader, at its SET of values, by the rules above. */
function readValues(reader: BerReader, binary: boolean): string | Buffer | string[] | Buffer[] {
  const values: Array<string | Buffer> = [];
  let text = !binary;
  if (reader.peek() === LBER_SET && reader.readSequence(LBER_SET)) {
    const end = reader.offset + reader.length;
    while (reader.offset < end) {
      const bytes = (reader.readString(OCTET_STRING, true) as Buffer | null) ?? Buffer.alloc(0);
      if (!text) {
        values.push(bytes);
        continue;
      }
      try {
        values.push(strictUtf8.decode(bytes));
      } catch {
        text = false;
        values.push(bytes);
      }
    }
  }
  // A value that is not UTF-8 makes every value of the attribute bytes (ldapts' rule).
  const list = !binary && !text ? asBytes(values) : values;
  return list.length === 1 ? (list[0] as string | Buffer) : (list as string[] | Buffer[]);
}

const parsedEntries = new WeakMap<SearchEntry, Entry>();
const searchEntryPrototype = SearchEntry.prototype as unknown as {
  parseMessage(this: SearchEntry, reader: BerReader): void;
  toObject(this: SearchEntry, requestAttributes: string[], explicitBufferAttributes: string[]): Entry;
};
searchEntryPrototype.parseMessage = function (reader) {
  this.name = reader.readString() ?? '';
  const entry: Entry = { dn: this.name };
  reader.readSequence();
  const end = reader.offset + reader.length;
  while (reader.offset < end) {
    reader.readSequence();
    const type = reader.readString() ?? '';
    entry[type] = readValues(reader, isBinaryAttribute(type));
  }
  parsedEntries.set(this, entry);
};
searchEntryPrototype.toObject = function (requestAttributes, explicitBufferAttributes) {
  const entry = parsedEntries.get(this) ?? { dn: this.name };
  for (const name of explicitBufferAttributes) {
    const value = entry[name];
    if (typeof value === 'string') entry[name] = Buffer.from(value, 'utf8');
    else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) entry[name] = asBytes(value);
  }
  for (const name of requestAttributes) if (attributeValue(entry, name) === undefined) entry[name] = [];
  return entry;
};

export function defaultPort(mode: DcConfig['mode']): number {
  return mode === 'ldaps' ? 636 : 389;
}

/** TLS options for the DC: the given CA (or the platform's default store), hostname checks on. */
export function tlsOptionsFor(dc: DcConfig): ConnectionOptions {
  const options: ConnectionOptions = { minVersion: 'TLSv1.2', rejectUnauthorized: true };
  if (isIP(dc.host) === 0) options.servername = dc.host;
  if (dc.caFile) options.ca = [readCaFile(dc.caFile)];
  return options;
}

export function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw badRequest('Request.CaFileUnreadable', `Cannot read the CA file '${path}': ${(err as Error).message}`, path);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw badRequest('Request.CaFileInvalid', `The CA file '${path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).`, path);
  }
  return pem;
}

function intOrNull(value: Entry[string] | undefined): number | null {
  const text = firstString(value);
  return text === '' ? null : Number.parseInt(text, 10);
}

export class AdSession {
  readonly port: number;
  /** Set once bound: from then on the session never reconnects (see #live). */
  #bound = false;
  readonly #lost = new AbortController();

  private constructor(
    readonly dc: DcConfig,
    private readonly client: Client,
  ) {
    this.port = dc.port ?? defaultPort(dc.mode);
  }

  /** Connects and binds; the returned session is authenticated. */
  static async open(dc: DcConfig): Promise<AdSession> {
    const port = dc.port ?? defaultPort(dc.mode);
    const tlsOptions = dc.mode === 'ldap' ? undefined : tlsOptionsFor(dc);
    const scheme = dc.mode === 'ldaps' ? 'ldaps' : 'ldap';
    const host = isIP(dc.host) === 6 ? `[${dc.host}]` : dc.host;
    const client = new Client({
      url: `${scheme}://${host}:${port}`,
      timeout: dc.timeoutMs,
      connectTimeout: dc.timeoutMs,
      // ldapts treats any tlsOptions as "connect with TLS", so StartTLS gets them only at upgrade.
      tlsOptions: dc.mode === 'ldaps' ? tlsOptions : undefined,
      strictDN: true,
    });
    const session = new AdSession(dc, client);
    try {
      if (dc.mode === 'starttls') await client.startTLS(tlsOptions as ConnectionOptions);
      await client.bind(dc.bindDN, dc.bindPassword);
    } catch (err) {
      await session.close();
      throw mapLdapError(err, { host: dc.host, port, operation: 'bind', target: dc.bindDN });
    }
    session.#bound = true;
    return session;
  }

  /**
   * The client while its bound connection lasts. Once the DC closed it, every operation fails at
   * once with AD.Unreachable: ldapts would silently open a new, unbound connection, and its
   * concurrent reconnects can leave a request that never settles (a sync that lost its DC then
   * ended with exit 0 and no result line).
   */
  #live(): Client {
    if (this.#bound && !this.client.isConnected) {
      this.#lost.abort();
      throw new EngineError('AD.Unreachable', `The connection to the domain controller at ${this.where} was lost; the session does not reconnect.`, {
        category: 'ConnectionError',
        exitCode: ExitCode.Unreachable,
        target: this.where,
        details: { server: this.where },
      });
    }
    return this.client;
  }

  /** Aborted once an operation found the connection lost: callers stop starting new work. */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** The raw client, for ./writer.ts only: it is the one place that writes AD. */
  get ldapClient(): Client {
    return this.#live();
  }

  get where(): string {
    return `${this.dc.host}:${this.port}`;
  }

  async search(base: string, options: SearchOptions, operation = 'search', controls?: Control[]): Promise<Entry[]> {
    try {
      const { searchEntries } = await this.#live().search(base, withBinaryAttributes(options), controls);
      return searchEntries;
    } catch (err) {
      throw mapLdapError(err, { host: this.dc.host, port: this.port, operation, target: base });
    }
  }

  /**
   * Paged subtree search: yields entries page by page so large directories never sit in memory
   * twice. The next page is asked for as soon as a page is in, before the caller works on it: the
   * DC makes page n+1 while the engine turns page n into accounts, instead of each waiting for the
   * other (one page ahead at most).
   */
  async *searchPaged(base: string, options: SearchOptions, pageSize = 500, controls?: Control[]): AsyncGenerator<Entry[]> {
    const pages = this.#live().searchPaginated(base, { ...withBinaryAttributes(options), paged: { pageSize } }, controls);
    let ahead = pages.next();
    try {
      for (;;) {
        const page = await ahead;
        if (page.done) return;
        ahead = pages.next();
        // Awaited in the next round; a caller that stops early leaves it, and its failure, behind.
        ahead.catch(() => undefined);
        yield page.value.searchEntries;
      }
    } catch (err) {
      throw mapLdapError(err, { host: this.dc.host, port: this.port, operation: 'paged search', target: base });
    } finally {
      // A caller that stopped early: ldapts ends the search once the page asked ahead is in.
      void pages.return(undefined).catch(() => undefined);
    }
  }

  async rootDse(): Promise<RootDse> {
    const [entry] = await this.search(
      '',
      {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: [
          'defaultNamingContext',
          'configurationNamingContext',
          'dnsHostName',
          'serverName',
          'supportedControl',
          'supportedLDAPVersion',
          'domainFunctionality',
          'forestFunctionality',
          'domainControllerFunctionality',
          'highestCommittedUSN',
          'isGlobalCatalogReady',
          'currentTime',
        ],
      },
      'read the rootDSE',
    );
    if (!entry) throw mapLdapError(new Error('the rootDSE returned no entry'), { host: this.dc.host, port: this.port, operation: 'read the rootDSE' });
    return {
      defaultNamingContext: textAttribute(entry, 'defaultNamingContext'),
      configurationNamingContext: textAttribute(entry, 'configurationNamingContext'),
      dnsHostName: textAttribute(entry, 'dnsHostName'),
      serverName: textAttribute(entry, 'serverName'),
      supportedControls: allStrings(attributeValue(entry, 'supportedControl')),
      supportedLdapVersions: allStrings(attributeValue(entry, 'supportedLDAPVersion')),
      domainFunctionality: intOrNull(attributeValue(entry, 'domainFunctionality')),
      forestFunctionality: intOrNull(attributeValue(entry, 'forestFunctionality')),
      domainControllerFunctionality: intOrNull(attributeValue(entry, 'domainControllerFunctionality')),
      highestCommittedUSN: textAttribute(entry, 'highestCommittedUSN'),
      isGlobalCatalogReady: textAttribute(entry, 'isGlobalCatalogReady').toUpperCase() === 'TRUE',
      currentTime: textAttribute(entry, 'currentTime'),
    };
  }

  /** Reads one object at `dn` (base scope); null when it does not exist. */
  async readObject(dn: string, attributes: string[]): Promise<Entry | null> {
    try {
      const { searchEntries } = await this.#live().search(dn, withBinaryAttributes({ scope: 'base', filter: '(objectClass=*)', attributes }));
      return searchEntries[0] ?? null;
    } catch (err) {
      if ((err as { code?: unknown }).code === 32) return null;
      throw mapLdapError(err, { host: this.dc.host, port: this.port, operation: 'read', target: dn });
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The connection may already be gone; closing is best effort.
    }
  }
}
