/**
 * OAuth 2.0 / OpenID Connect errors as they travel on the wire.
 *
 * One class carries the HTTP status, the RFC error code and its description, so every
 * endpoint renders errors the same way (RFC 6749 §5.2, RFC 6750 §3, RFC 7009, RFC 7662).
 */

/** Error codes registered for OAuth 2.0 and OpenID Connect that Signet emits. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'unmet_authentication_requirements'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'not_found';

/** The JSON body of an OAuth error response (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description?: string;
}

/**
 * An error that maps one-to-one onto an OAuth error response.
 *
 * @example
 * throw new OAuthError('invalid_request', 'audience is required', 400);
 */
export class OAuthError extends Error {
  /** Stable machine-readable code, the same string as the wire `error`. */
  readonly code: OAuthErrorCode;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Extra response headers, such as `WWW-Authenticate`. */
  readonly headers: Record<string, string>;

  constructor(code: OAuthErrorCode, description: string, status = 400, headers: Record<string, string> = {}) {
    super(description);
    this.name = 'OAuthError';
    this.code = code;
    this.status = status;
    this.headers = headers;
  }

  /** The wire body: `{ error, error_description }`. */
  toJSON(): OAuthErrorBody {
    return { error: this.code, error_description: this.message };
  }
}

/** 400 `invalid_request`: a parameter is missing, repeated, malformed or not allowed. */
export const invalidRequest = (description: string): OAuthError => new OAuthError('invalid_request', description, 400);

/**
 * 401 `invalid_client`: client authentication failed. The description is deliberately the
 * same for an unknown client and a wrong secret so that neither can be told apart.
 */
export const invalidClient = (
  description = 'client authentication failed',
  scheme: 'Basic' | null = 'Basic',
): OAuthError =>
  new OAuthError('invalid_client', description, 401, scheme ? { 'www-authenticate': 'Basic realm="signet"' } : {});

/** 400 `invalid_grant`: the grant or refresh token is invalid, expired, revoked or mismatched. */
export const invalidGrant = (description: string): OAuthError => new OAuthError('invalid_grant', description, 400);

/** 400 `unauthorized_client`: the client may not use this grant type. */
export const unauthorizedClient = (description: string): OAuthError =>
  new OAuthError('unauthorized_client', description, 400);

/** 400 `unsupported_grant_type`. */
export const unsupportedGrantType = (description: string): OAuthError =>
  new OAuthError('unsupported_grant_type', description, 400);

/** 400 `invalid_scope`: the scope is unknown or wider than the client may ask for. */
export const invalidScope = (description: string): OAuthError => new OAuthError('invalid_scope', description, 400);

/** 400 `unsupported_token_type` (RFC 7009 §2.2.1). */
export const unsupportedTokenType = (description: string): OAuthError =>
  new OAuthError('unsupported_token_type', description, 400);

/** 503 `temporarily_unavailable`: the server cannot answer now; the client may retry after `retryAfterSeconds` (default 1). */
export const temporarilyUnavailable = (description: string, retryAfterSeconds = 1): OAuthError =>
  new OAuthError('temporarily_unavailable', description, 503, { 'retry-after': String(retryAfterSeconds) });

/** 500 `server_error`: never carries internal detail to the client. */
export const serverError = (): OAuthError => new OAuthError('server_error', 'internal server error', 500);
