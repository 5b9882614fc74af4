import type { webcrypto } from 'node:crypto';
import { CryptoKeySigner, type Signer } from '@libpdf/core';
import type { SignerIdentity } from './identity.js';
import type { x509 } from './x509.js';

/**
 * A person's signing credential: their certificate, the chain up to the root, and the private key
 * opened in memory for this signing only (remote signing: the key never leaves the Signer).
 */
export interface SigningCredential {
  /** Row id in `pki_signer_credentials`. */
  readonly id: string;
  readonly identity: SignerIdentity;
  readonly certificate: x509.X509Certificate;
  /** Issuers above `certificate`, nearest first, ending at the root. */
  readonly chain: x509.X509Certificate[];
  /** The @libpdf/core signer (CAdES signature over the signed attributes with this key). */
  readonly signer: Signer;
}

/** Wraps a certificate and its non-extractable private key as a {@link SigningCredential}. */
export function signingCredential(
  id: string,
  identity: SignerIdentity,
  certificate: x509.X509Certificate,
  chain: x509.X509Certificate[],
  privateKey: webcrypto.CryptoKey,
): SigningCredential {
  const der = (c: x509.X509Certificate) => new Uint8Array(c.rawData);
  return {
    id,
    identity,
    certificate,
    chain,
    signer: new CryptoKeySigner(privateKey, der(certificate), 'EC', 'ECDSA', chain.map(der)),
  };
}
