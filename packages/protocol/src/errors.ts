/**
 * Errors as they travel on the wire.
 *
 * One base class, {@link WireError}, carries the HTTP status, the error code and its
 * description, so every endpoint of both services renders errors the same way (RFC 6749 §5.2,
 * RFC 6750 §3, RFC 7009, RFC 7662); {@link OAuthError} narrows the code to the registered ones.
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

/**
 * The JSON body of every error either service answers (RFC 6749 §5.2's shape, with the Signer
 * API's optional members).
 *
 * @example
 * { "error": "invalid_request", "error_description": "documents[0].content: must be string", "field": "documents[0].content" }
 */
export interface WireErrorBody<Code extends string = string> {
  error: Code;
  /** Human text for a developer; a field's problem reads `<field>: <problem>`. */
  error_description: string;
  /** The offending field as a path into the request part: `documents[0].content`, `querystring.status`. */
  field?: string;
  /** A stable sub-code under `error` (the Signer's `invalid_id_token`, `invalid_document`, …). */
  reason?: string;
  /** With the Signer's `nonce_reused`: the envelope the nonce already created. */
  envelopeId?: string;
}

/** The JSON body of an OAuth error response (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description?: string;
}

/** What a {@link WireError} may carry besides its code, description and status. */
export interface WireErrorExtra {
  field?: string;
  reason?: string;
  envelopeId?: string;
  /** Extra response headers, such as `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * An error as it travels on the wire: the one base of every error a Signet service answers with.
 * The HTTP status, a stable `code` (the wire `error`, so callers can switch on it), the
 * description (`message`, the wire `error_description`), optional `field`/`reason`/`envelopeId`
 * and response headers. `OAuthError` and the Signer's `EnvelopeError` specialise it; the shared
 * error handler (`@signet/web`) sends any of them as {@link WireErrorBody}.
 *
 * @example
 * throw new WireError('not_found', 'no route for GET /nowhere', 404);
 */
export class WireError<Code extends string = string> extends Error {
  /** Stable machine-readable code, the same string as the wire `error`. */
  readonly code: Code;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Extra response headers, such as `WWW-Authenticate`. */
  readonly headers: Record<string, string>;
  /** The offending field as a path into the request (`documents[0].content`), if one is to blame. */
  readonly field: string | undefined;
  /** A stable sub-code under {@link code}. */
  readonly reason: string | undefined;
  /** The envelope this error is about, where the Signer names one (`nonce_reused`). */
  readonly envelopeId: string | undefined;

  constructor(code: Code, description: string, status = 400, extra: WireErrorExtra = {}) {
    super(description);
    this.name = 'WireError';
    this.code = code;
    this.status = status;
    this.headers = extra.headers ?? {};
    this.field = extra.field;
    this.reason = extra.reason;
    this.envelopeId = extra.envelopeId;
  }

  /** The wire `error`: the same as {@link code}. */
  get error(): Code {
    return this.code;
  }

  /** The wire `error_description`: the same as `message`. */
  get error_description(): string {
    return this.message;
  }

  /** The wire body: `{ error, error_description }` and whichever of `field`, `reason`, `envelopeId` are set. */
  toJSON(): WireErrorBody<Code> {
    const body: WireErrorBody<Code> = { error: this.code, error_description: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.reason !== undefined) body.reason = this.reason;
    if (this.envelopeId !== undefined) body.envelopeId = this.envelopeId;
    return body;
  }
}

/**
 * The one wording of a problem with one field, in both services: `<field>: <problem>`, with the
 * field as a path into the request (`documents[0].content: must be string`).
 */
export const describeField = (field: string, problem: string): string => `${field}: ${problem}`;

/**
 * 400 `invalid_request` about one field, worded by {@link describeField}; what every schema
 * violation becomes.
 *
 * @example
 * invalidField('credential.country', 'must match pattern "^[A-Z]{2}$"')
 */
export const invalidField = (field: string, problem: string): WireError<'invalid_request'> =>
  new WireError('invalid_request', describeField(field, problem), 400, { field });

/**
 * An OAuth 2.0 / OpenID Connect error: a {@link WireError} whose code is a registered one.
 *
 * @example
 * throw new OAuthError('invalid_request', 'audience is required', 400);
 */
export class OAuthError extends WireError<OAuthErrorCode> {
  constructor(code: OAuthErrorCode, description: string, status = 400, headers: Record<string, string> = {}) {
    super(code, description, status, { headers });
    this.name = 'OAuthError';
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
