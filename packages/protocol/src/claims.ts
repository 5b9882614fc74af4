/**
 * The identity document that the documented flow calls the `credential` claim: the verified
 * document a person's identity was proven with.
 */
export interface CredentialClaim {
  /** ISO 3166-1 alpha-2 country that issued the document, e.g. `ES`. */
  country: string;
  /** The issuing authority. */
  issuer: string;
  /** Document type, e.g. `passport`, `id_card`. */
  type: string;
  /** Document number. */
  number: string;
}

/** OpenID Connect Core §5.1 standard claims Signet stores for a person, plus `credential`. */
export interface UserClaims {
  name?: string;
  given_name?: string;
  family_name?: string;
  gender?: string;
  /** `YYYY-MM-DD` (or `0000-MM-DD` / `YYYY`), as OpenID Connect Core §5.1. */
  birthdate?: string;
  locale?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  credential?: CredentialClaim;
}

/** Which claims each scope releases (OpenID Connect Core §5.4, plus the documented scopes). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly (keyof UserClaims | 'updated_at')[]>> = {
  profile: [
    'name',
    'given_name',
    'family_name',
    'gender',
    'birthdate',
    'locale',
    'picture',
    'updated_at',
    'credential',
  ],
  birthdate: ['birthdate'],
  credential: ['credential'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
};
