// The safety ledger's sAMAccountName (ad/ledger.ts): derived from the sync root, so two roots in
// one domain (where sAMAccountName is unique) each get their own ledger.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ledgerAccountName } from '../../../engine/src/ad/ledger';

describe('safety ledger account name', () => {
  it('is jcsync-ledger- and six hex digits of the SHA-256 of the lower-cased root DN, 20 characters', () => {
    const root = 'OU=Sync,DC=example,DC=com';
    const expected = `jcsync-ledger-${createHash('sha256').update('ou=sync,dc=example,dc=com').digest('hex').slice(0, 6)}`;
    assert.equal(ledgerAccountName(root), expected);
    assert.equal(expected.length, 20);
    assert.match(ledgerAccountName(root), /^jcsync-ledger-[0-9a-f]{6}$/);
  });

  it('does not depend on the case of the root DN, and differs between roots', () => {
    assert.equal(ledgerAccountName('OU=Sync,DC=Example,DC=COM'), ledgerAccountName('ou=sync,dc=example,dc=com'));
    const names = new Set(
      ['OU=A,DC=example,DC=com', 'OU=B,DC=example,DC=com', 'OU=Sync,OU=A,DC=example,DC=com', 'OU=Sync,DC=example,DC=com'].map(ledgerAccountName),
    );
    assert.equal(names.size, 4);
  });

  it('is never the fixed name earlier versions used (whose ledgers are still found by their DN)', () => {
    assert.notEqual(ledgerAccountName('OU=Sync,DC=example,DC=com'), 'jcsync-safety-ledger');
  });
});
