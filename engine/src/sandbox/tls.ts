// The sandbox's TLS material: a CA and a server certificate made on first start and kept next to
// its data (DIR/tls). Clients trust DIR/tls/ca.pem; nobody turns verification off. The server
// certificate is re-issued from the same CA when it nears expiry. The CA is name-constrained
// (critical) to the names its server certificate carries (127.0.0.1, ::1, localhost and the
// listening host): trusted as a root through caFile, its key (on disk, 0600, in a 0700 folder)
// could still vouch for no other site. A host outside those names gets a new CA (clients take
// the new ca.pem); a CA from before the constraints is replaced the same way.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from './files';
import { hasNameConstraints, makeCertificate, newEcKeyPair, permittedSubtree } from './x509';

export interface TlsMaterial {
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const DAY = 86_400_000;
const CA_NAME = { commonName: 'JumpCloudADI Sandbox CA', organization: 'JumpCloudADI Sandbox' };

export function ensureTlsMaterial(dataDir: string, host: string, now = new Date()): TlsMaterial {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
  };

  const names = serverNames(host);
  if (!existsSync(files.ca) || !existsSync(files.caKey) || !caCovers(readFileSync(files.ca, 'utf8'), names)) {
    const ca = newEcKeyPair();
    const caPem = makeCertificate({
      ...CA_NAME,
      publicKey: ca.publicKey,
      issuerKey: ca.privateKey,
      issuerPublicKey: ca.publicKey,
      issuer: CA_NAME,
      isCa: true,
      permittedNames: names,
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
    });
    writeFileAtomic(files.caKey, ca.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    writeFileAtomic(files.ca, caPem, 0o644);
    // A new CA invalidates any older server certificate.
    writeFileAtomic(files.cert, '', 0o644);
  }

  const caPem = readFileSync(files.ca, 'utf8');
  if (!serverCertificateFits(files.cert, files.key, caPem, names, now)) {
    const caKey = createPrivateKey(readFileSync(files.caKey, 'utf8'));
    const server = newEcKeyPair();
    const certPem = makeCertificate({
      commonName: names.find((n) => isIP(n) === 0) ?? 'localhost',
      organization: CA_NAME.organization,
      publicKey: server.publicKey,
      issuerKey: caKey,
      issuerPublicKey: createPublicKey(caKey),
      issuer: CA_NAME,
      isCa: false,
      subjectAltNames: names,
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 397 * DAY),
    });
    writeFileAtomic(files.key, server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    writeFileAtomic(files.cert, certPem, 0o644);
  }
  return { caFile: files.ca, caPem, certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8') };
}

/** The CA is name-constrained and its constraints cover every name (its server certificate's). */
function caCovers(caPem: string, names: string[]): boolean {
  try {
    const ca = new X509Certificate(caPem);
    if (!hasNameConstraints(ca.raw)) return false;
    return names.every((n) => ca.raw.includes(permittedSubtree(n)));
  } catch {
    return false;
  }
}

/** Always 127.0.0.1, ::1 and localhost, plus the host the sandbox listens on. */
function serverNames(host: string): string[] {
  const names = new Set(['127.0.0.1', '::1', 'localhost']);
  if (host && host !== '0.0.0.0' && host !== '::') names.add(host);
  return [...names];
}

function serverCertificateFits(certFile: string, keyFile: string, caPem: string, names: string[], now: Date): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    const ca = new X509Certificate(caPem);
    if (!cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < 30 * DAY) return false;
    return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
  } catch {
    return false;
  }
}
