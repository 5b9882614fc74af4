import { createHash } from 'node:crypto';
import type { CredentialClaim } from '@signet/protocol';

/** The person a signing certificate is bound to, taken from their id_token. */
export interface SignerIdentity {
  /** The id_token's `iss` and `sub` together; opaque, stable per person. */
  subject: string;
  /** The certificate's CN. */
  name: string;
  /** Put in the certificate's subjectAltName. */
  email?: string;
  /** The identity document number (`credential.number`), the certificate subject's serialNumber. */
  serialNumber?: string;
  /** ISO 3166-1 alpha-2 country that issued the identity document, the subject's C. */
  country?: string;
}

/** The claims of a verified id_token that {@link identityFromClaims} reads. */
export interface IdentityClaims {
  iss: string;
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  credential?: Partial<CredentialClaim>;
}

/**
 * Builds the identity a certificate is issued for from a verified id_token's claims. The name
 * falls back to given + family name, then to `sub`; `credential.number`/`country` become the
 * subject's serialNumber and C.
 */
export function identityFromClaims(claims: IdentityClaims): SignerIdentity {
  const joined = [claims.given_name, claims.family_name].filter(Boolean).join(' ');
  const identity: SignerIdentity = {
    subject: `${claims.iss} ${claims.sub}`,
    name: claims.name || joined || claims.sub,
  };
  if (claims.email) identity.email = claims.email;
  if (claims.credential?.number) identity.serialNumber = claims.credential.number;
  const country = claims.credential?.country?.toUpperCase();
  if (country && /^[A-Z]{2}$/.test(country)) identity.country = country;
  return identity;
}

/**
 * A fingerprint of everything a certificate states about the person: a credential is reused only
 * while it still says exactly this, so a new name or identity document gets a new certificate.
 */
export function identityKey(identity: SignerIdentity): string {
  const canonical = JSON.stringify([
    identity.subject,
    identity.name,
    identity.email ?? null,
    identity.serialNumber ?? null,
    identity.country ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
