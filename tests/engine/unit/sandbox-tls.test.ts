// The sandbox's own CA and server certificate, made with node:crypto alone: a CA that signs, a
// server certificate naming 127.0.0.1, ::1 and localhost, private keys readable by the owner only,
// and the same material reused on the next start.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureTlsMaterial } from '../../../engine/src/sandbox/tls';

describe('sandbox TLS material', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-tls-'));
  const first = ensureTlsMaterial(dir, '127.0.0.1');

  it('makes a CA that signed the server certificate', () => {
    const ca = new X509Certificate(first.caPem);
    const server = new X509Certificate(first.certPem);
    assert.ok(ca.ca, 'the CA certificate has basicConstraints CA:TRUE');
    assert.ok(!server.ca);
    assert.ok(server.verify(ca.publicKey));
    assert.ok(server.checkIssued(ca));
  });

  it('names the loopback addresses and localhost', () => {
    const server = new X509Certificate(first.certPem);
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkHost('example.com'), undefined);
  });

  it('keeps private keys mode 0600 (POSIX)', { skip: process.platform === 'win32' }, () => {
    assert.equal(statSync(join(dir, 'tls', 'ca-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'tls', 'server-key.pem')).mode & 0o777, 0o600);
  });

  it('reuses the material on the next start, and re-issues for a new host from the same CA', () => {
    const again = ensureTlsMaterial(dir, '127.0.0.1');
    assert.equal(again.certPem, first.certPem);
    const other = ensureTlsMaterial(dir, '127.0.0.2');
    assert.equal(other.caPem, first.caPem);
    assert.notEqual(other.certPem, first.certPem);
    assert.equal(new X509Certificate(other.certPem).checkIP('127.0.0.2'), '127.0.0.2');
    assert.equal(readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'), first.caPem);
  });
});
