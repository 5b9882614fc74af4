import { createHash } from 'node:crypto';
import type { CredentialClaim } from '@signet/protocol';

/** The person a signing certificate is bound to, taken from their id_token. */
export interface SignerIdentity {
  /** The id_token's `iss` and `sub` together; opaque, stable per person. */
  subject: string;
  /** The certificate's CN. */
  name: string;
  /** The id_token's `given_name`, the certificate subject's givenName. */
  givenName?: string;
  /** The id_token's `family_name`, the certificate subject's surname. */
  surname?: string;
  /** Put in the certificate's subjectAltName. */
  email?: string;
  /**
   * The certificate subject's serialNumber: the identity document with its ETSI EN 319 412-1
   * §5.1.3 semantics identifier (`IDCES-12345678Z`: type, country, `-`, number) when the
   * credential's type is one it names, else the bare document number.
   */
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
 * The natural-person semantics identifiers of ETSI EN 319 412-1 §5.1.3, by the credential `type`
 * words Signet's accounts use (and the ETSI codes themselves).
 */
const SEMANTICS_TYPES: Record<string, 'PAS' | 'IDC' | 'PNO' | 'TAX'> = {
  passport: 'PAS',
  pas: 'PAS',
  id_card: 'IDC',
  identity_card: 'IDC',
  national_id: 'IDC',
  idc: 'IDC',
  personal_number: 'PNO',
  pno: 'PNO',
  tax_id: 'TAX',
  tax: 'TAX',
};

/** A serialNumber that already follows EN 319 412-1 §5.1.3 for a natural person. */
export const SEMANTICS_IDENTIFIER = /^(PAS|IDC|PNO|TAX)[A-Z]{2}-[A-Za-z0-9 '()+,./:=?-]+$/;

/**
 * The subject serialNumber for an identity document: `IDCES-12345678Z` (EN 319 412-1 §5.1.3)
 * when the type and country are known, the number as given when it already is one, else the bare
 * number (no semantics claimed).
 */
export function documentSerialNumber(credential: Partial<CredentialClaim>): string | undefined {
  const number = credential.number?.trim();
  if (!number) return undefined;
  if (SEMANTICS_IDENTIFIER.test(number)) return number;
  const type = SEMANTICS_TYPES[credential.type?.trim().toLowerCase() ?? ''];
  const country = credential.country?.trim().toUpperCase();
  const semantic = type && country && /^[A-Z]{2}$/.test(country) ? `${type}${country}-${number}` : undefined;
  return semantic && SEMANTICS_IDENTIFIER.test(semantic) ? semantic : number;
}

/**
 * Builds the identity a certificate is issued for from a verified id_token's claims. The name
 * falls back to given + family name, then to `sub`; `given_name`/`family_name` become the
 * subject's givenName/surname, the credential its serialNumber ({@link documentSerialNumber}) and C.
 */
export function identityFromClaims(claims: IdentityClaims): SignerIdentity {
  const givenName = claims.given_name?.trim();
  const surname = claims.family_name?.trim();
  const joined = [givenName, surname].filter(Boolean).join(' ');
  const identity: SignerIdentity = {
    subject: `${claims.iss} ${claims.sub}`,
    name: claims.name || joined || claims.sub,
  };
  if (givenName) identity.givenName = givenName;
  if (surname) identity.surname = surname;
  if (claims.email) identity.email = claims.email;
  const serialNumber = claims.credential ? documentSerialNumber(claims.credential) : undefined;
  if (serialNumber) identity.serialNumber = serialNumber;
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
    identity.givenName ?? null,
    identity.surname ?? null,
    identity.email ?? null,
    identity.serialNumber ?? null,
    identity.country ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
