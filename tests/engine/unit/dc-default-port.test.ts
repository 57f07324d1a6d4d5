import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPort } from '../../../engine/src/ad/session';
import { dcSchema } from '../../../engine/src/config/request';

// The module leaves a dc block's port out unless -Port is given (module/Private/NewJCDcBlock.ps1):
// the engine is the one place that applies the mode's default.
describe('the default DC port, applied by the engine', () => {
  it('is 636 for ldaps and 389 for starttls and plain ldap', () => {
    assert.equal(defaultPort('ldaps'), 636);
    assert.equal(defaultPort('starttls'), 389);
    assert.equal(defaultPort('ldap'), 389);
  });

  it('is what a dc block without a port leaves to the session (port stays undefined after parsing)', () => {
    const dc = dcSchema.parse({ host: 'dc1.example.com', mode: 'ldaps', bindDN: 'a@example.com', bindPassword: 'x', timeoutMs: 10000 });
    assert.equal(dc.port, undefined);
    assert.equal(dc.port ?? defaultPort(dc.mode), 636);
  });

  it('refuses a port outside 1..65535', () => {
    for (const port of [0, 65536, 1.5]) {
      assert.equal(dcSchema.safeParse({ host: 'dc1', mode: 'ldaps', port, bindDN: 'a', bindPassword: 'x' }).success, false, String(port));
    }
  });
});
