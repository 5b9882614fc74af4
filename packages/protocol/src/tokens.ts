/** Wire shapes of token responses and introspection. */

/** A successful token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/** Claims of an RFC 9068 JWT access token as Signet issues it. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
  scope?: string;
}

/** An introspection response (RFC 7662 §2.2). Inactive tokens carry `active: false` only. */
export type IntrospectionResponse =
  | { active: false }
  | (Omit<AccessTokenClaims, 'jti'> & { active: true; token_type: 'Bearer'; jti: string });

/** The JWT `typ` header value for access tokens (RFC 9068 §2.1). */
export const ACCESS_TOKEN_TYP = 'at+jwt';
