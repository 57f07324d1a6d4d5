// Where the safety ledger (sync/safety-limit.ts) lives: a group object in the root container,
// CN=jcsync-safety-ledger, its `info` attribute holding the ledger. In AD, so every agent (on any
// server, after any failover) and every Invoke-JCSync sees the same counts; under the root,
// because the service account's delegated rights (create and fully control groups there) cover
// it and nothing else needs to be granted. Read here, written through ./writer.ts.
import { createHash } from 'node:crypto';
import { type AdSession } from './session';
import { textAttribute } from './entry';
import { EngineError } from '../errors';
import type { AdWriter } from './writer';

const LEDGER_NAME = 'jcsync-safety-ledger';

const ledgerDn = (rootDN: string) => `CN=${LEDGER_NAME},${rootDN}`;

/**
 * The sAMAccountName a new ledger gets: unique in the whole domain, so one per sync root
 * ('jcsync-ledger-' and six hex digits of a SHA-256 of the lower-cased root DN: 20 characters,
 * the pre-Windows 2000 limit). A ledger is found by its DN, never by this name, so one created
 * earlier with another name (the fixed 'jcsync-safety-ledger') keeps it and keeps working.
 */
export function ledgerAccountName(rootDN: string): string {
  const hash = createHash('sha256').update(rootDN.trim().toLowerCase(), 'utf8').digest('hex');
  return `jcsync-ledger-${hash.slice(0, 6)}`;
}

export class AdLedgerStore {
  readonly dn: string;
  readonly #accountName: string;

  constructor(
    private readonly session: AdSession,
    private readonly writer: AdWriter,
    rootDN: string,
  ) {
    this.dn = ledgerDn(rootDN);
    this.#accountName = ledgerAccountName(rootDN);
  }

  async read(): Promise<string | null> {
    try {
      const [entry] = await this.session.search(this.dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['info'] }, 'read the safety ledger');
      return textAttribute(entry, 'info') || null;
    } catch (err) {
      if (err instanceof EngineError && err.details.ldapCode === 32) return null;
      throw err;
    }
  }

  async replace(expected: string | null, next: string): Promise<boolean> {
    if (expected === null) {
      if (await this.writer.createLedger(this.dn, LEDGER_NAME, this.#accountName, next)) return true;
      // It exists (maybe with an empty or damaged value): replace whatever it holds.
      const current = await this.read();
      if (current === null) {
        await this.writer.updateAttributes(this.dn, { info: next });
        return true;
      }
      return false;
    }
    return this.writer.replaceLedger(this.dn, expected, next);
  }
}
