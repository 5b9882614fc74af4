/**
 * The OpenID Connect wire shapes the SDK reads, as a relying party sees them. They are declared
 * here, not imported from `@signet/protocol`, so the published package has no `@signet/*`
 * dependency (decision 0029); `wire.test.ts` proves both sides still agree.
 */

/**
 * Authorization server metadata (RFC 8414 §2; OpenID Connect Discovery 1.0 §3), as
 * {@link discover} returns it. Unknown members are kept.
 *
 * @example
 * const metadata: AuthorizationServerMetadata = await discover('https://accounts.example');
 * metadata.token_endpoint; // 'https://accounts.example/oauth2/token'
 */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  authorization_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  response_types_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  introspection_endpoint_auth_methods_supported?: string[];
  revocation_endpoint_auth_methods_supported?: string[];
  code_challenge_methods_supported?: string[];
  subject_types_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  claims_supported?: string[];
  request_parameter_supported?: boolean;
  request_uri_parameter_supported?: boolean;
  authorization_response_iss_parameter_supported?: boolean;
  service_documentation?: string;
  [extension: string]: unknown;
}

/**
 * A successful token response (RFC 6749 §5.1).
 *
 * @example
 * const { access_token, expires_in }: TokenResponse = (await exchangeCode(options)).tokens;
 */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/**
 * The identity document the `credential` claim describes: the verified document a person's
 * identity was proven with.
 *
 * @example
 * const { country, type }: CredentialClaim = claims.credential!; // 'ES', 'passport'
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

/**
 * OpenID Connect Core §5.1 standard claims Signet releases about a person, plus `credential`.
 *
 * @example
 * const { name, email }: UserClaims = await verifyIdToken(idToken, options);
 */
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

/**
 * True for hosts that never leave the machine, where plain `http:` is acceptable: the same
 * rule as the servers' configuration check.
 *
 * @example
 * isLoopback('127.0.0.1'); // true
 * isLoopback('accounts.example'); // false
 */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1' || host.endsWith('.localhost')
  );
}
