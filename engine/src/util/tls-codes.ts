// What Node's TLS error codes mean to an admin; shared by the LDAP and the JumpCloud clients.
export const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a CA that is not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuing CA is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuing CA is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host (subjectAltName mismatch)',
  CERT_REVOKED: 'the certificate is revoked',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the port does not speak TLS',
  EPROTO: 'the TLS handshake failed',
};
