// A separate TLS handshake with the DC's LDAPS port to report its certificate (subject, issuer,
// names, expiry) with the same trust settings the LDAP session uses.
import { connect, type DetailedPeerCertificate } from 'node:tls';
import type { DcConfig } from '../config/request';
import { mapLdapError } from './errors';
import { tlsOptionsFor } from './session';

export interface TlsInfo {
  protocol: string | null;
  cipher: string;
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  daysUntilExpiry: number;
}

function name(fields: Record<string, string | string[]> | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function probeTls(dc: DcConfig, port: number, now = Date.now()): Promise<TlsInfo> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: dc.host, port, ...tlsOptionsFor(dc) });
    const fail = (err: unknown) => {
      socket.destroy();
      reject(mapLdapError(err, { host: dc.host, port, operation: 'TLS handshake' }));
    };
    socket.setTimeout(dc.timeoutMs, () => fail(new Error('TLS handshake timed out')));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(false) as DetailedPeerCertificate;
      const validTo = new Date(cert.valid_to);
      const info: TlsInfo = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        subject: name(cert.subject as unknown as Record<string, string>),
        issuer: name(cert.issuer as unknown as Record<string, string>),
        subjectAltNames: (cert.subjectaltname ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        validFrom: new Date(cert.valid_from).toISOString(),
        validTo: validTo.toISOString(),
        daysUntilExpiry: Math.floor((validTo.getTime() - now) / 86_400_000),
      };
      socket.end();
      resolve(info);
    });
  });
}
