import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretKey, SecretScrubber } from '../../../engine/src/log/secrets';

describe('SecretScrubber', () => {
  it('recognises secret-named keys', () => {
    for (const key of ['password', 'bindPassword', 'apiKey', 'connectKey', 'agentSecret', 'token', 'newPassword']) assert.ok(isSecretKey(key), key);
    for (const key of ['username', 'host', 'passwordPolicy', 'keyId', 'bindDN']) assert.equal(isSecretKey(key), false, key);
  });

  it('collects nested secrets and scrubs them in plain, JSON, base64 and URL forms', () => {
    const s = new SecretScrubber();
    s.collect({ a: { bindPassword: 'p"w\\1/x y' }, list: [{ apiKey: 'k-12345' }], user: 'alice' });
    const b64 = Buffer.from('p"w\\1/x y').toString('base64');
    const text = `p"w\\1/x y | ${JSON.stringify('p"w\\1/x y')} | ${b64} | ${encodeURIComponent('p"w\\1/x y')} | k-12345 | alice`;
    assert.equal(s.scrub(text), '*** | "***" | *** | *** | *** | alice');
  });

  it('redacts secret-named keys even when the value was never collected', () => {
    const s = new SecretScrubber();
    assert.deepEqual(s.redact({ password: 'x', nested: { connectKey: 42 }, keep: 'y' }), { password: '***', nested: { connectKey: '***' }, keep: 'y' });
  });
});
