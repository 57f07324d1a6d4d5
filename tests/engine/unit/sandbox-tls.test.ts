// The sandbox's own CA and server certificate, made with node:crypto alone: a CA that signs, a
// server certificate naming 127.0.0.1, ::1 and localhost, private keys readable by the owner only,
// the same material reused on the next start, and a CA name-constrained to those names: even with
// its key it cannot vouch for another site (checked with real TLS handshakes).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureTlsMaterial } from '../../../engine/src/sandbox/tls';
import { hasNameConstraints, makeCertificate, newEcKeyPair } from '../../../engine/src/sandbox/x509';

/** A TLS handshake to a server with this certificate, trusting `ca`: null when it verifies, else the error. */
async function handshake(ca: string, certPem: string, keyPem: string, servername: string): Promise<string | null> {
  const server = createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string | null>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
        socket.end();
        resolve(null);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? ''} ${err.message}`));
    });
  } finally {
    server.close();
  }
}

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

  it('reuses the material on the next start; a host outside the CA names gets a new, constrained CA', () => {
    const again = ensureTlsMaterial(dir, '127.0.0.1');
    assert.equal(again.certPem, first.certPem);
    assert.equal(again.caPem, first.caPem);
    const other = ensureTlsMaterial(dir, '127.0.0.2');
    assert.notEqual(other.caPem, first.caPem, 'the old CA cannot vouch for 127.0.0.2');
    assert.notEqual(other.certPem, first.certPem);
    assert.equal(new X509Certificate(other.certPem).checkIP('127.0.0.2'), '127.0.0.2');
    assert.equal(readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'), other.caPem);
    assert.ok(new X509Certificate(other.certPem).verify(new X509Certificate(other.caPem).publicKey));
  });

  it('name-constrains the CA: its own server certificate verifies, one it signs for another site does not', async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), 'jcadi-tls-nc-'));
    const material = ensureTlsMaterial(tlsDir, '127.0.0.1');
    const ca = new X509Certificate(material.caPem);
    assert.ok(hasNameConstraints(ca.raw));
    assert.equal(await handshake(material.caPem, material.certPem, material.keyPem, 'localhost'), null, 'the sandbox itself verifies');
    // Someone with the CA's key (it is on disk) issues a certificate for another site.
    const caKey = createPrivateKey(readFileSync(join(tlsDir, 'tls', 'ca-key.pem'), 'utf8'));
    const rogue = newEcKeyPair();
    const now = Date.now();
    const rogueCert = makeCertificate({
      commonName: 'login.example.com',
      organization: 'x',
      publicKey: rogue.publicKey,
      issuerKey: caKey,
      issuerPublicKey: createPublicKey(caKey),
      issuer: { commonName: 'JumpCloudADI Sandbox CA', organization: 'JumpCloudADI Sandbox' },
      isCa: false,
      subjectAltNames: ['login.example.com'],
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 86_400_000),
    });
    assert.ok(new X509Certificate(rogueCert).verify(ca.publicKey), 'signed by the sandbox CA');
    const refused = await handshake(material.caPem, rogueCert, rogue.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'login.example.com');
    assert.notEqual(refused, null, 'refused');
    assert.match(String(refused), /permitted subtree violation/i);
  });
});
