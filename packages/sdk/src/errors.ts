/**
 * The one error class the SDK throws. `code` is stable, so callers switch on it rather than
 * on messages (as jose's `code`); when a server answered with an OAuth-style error body, the
 * wire fields ride along unchanged (RFC 6749 §5.2).
 */

/**
 * What went wrong, stable across versions:
 * - `response_error`: the server answered with an error (`error`, `error_description`, `status` set)
 * - `invalid_response`: the answer was not what the protocol promises (not JSON, a field missing)
 * - `request_failed`: the request never got an answer (network, DNS, aborted)
 * - `issuer_mismatch`: discovery or the callback named another issuer (RFC 8414 §3.3, RFC 9207)
 * - `state_mismatch`: the callback's `state` is not the one sent
 * - `authorization_error`: the callback carried `error` (`error`, `error_description` set)
 * - `jwt_invalid`: a JWT is malformed or uses an algorithm the SDK does not accept
 * - `jwt_signature_invalid`: the signature does not verify
 * - `jwt_claim_invalid`: a claim failed its check (`claim` names it)
 * - `jwks_no_matching_key`: no published key matches the token's `kid`/`alg`
 * - `invalid_argument`: the SDK was called with a bad option (the message names it)
 *
 * @example
 * if (e instanceof SdkError && (e.code satisfies SdkErrorCode) === 'response_error') console.error(e.error);
 */
export type SdkErrorCode =
  | 'response_error'
  | 'invalid_response'
  | 'request_failed'
  | 'issuer_mismatch'
  | 'state_mismatch'
  | 'authorization_error'
  | 'jwt_invalid'
  | 'jwt_signature_invalid'
  | 'jwt_claim_invalid'
  | 'jwks_no_matching_key'
  | 'invalid_argument';

/**
 * Details an {@link SdkError} may carry.
 *
 * @example
 * throw new SdkError('response_error', 'token request failed', { error: 'invalid_client', status: 401 });
 */
export interface SdkErrorDetails {
  /** The wire `error` (e.g. `invalid_client`), when the server or the callback sent one. */
  error?: string;
  /** The wire `error_description`, when sent. */
  error_description?: string;
  /** The HTTP status of the answer, when there was one. */
  status?: number;
  /** For `jwt_claim_invalid`: the claim that failed (`aud`, `nonce`, …). */
  claim?: string;
  /** The underlying error, e.g. the network failure. */
  cause?: unknown;
}

/**
 * Every error the SDK throws.
 *
 * @example
 * try {
 *   await tokens.getToken();
 * } catch (e) {
 *   if (e instanceof SdkError && e.error === 'invalid_client') console.error('check SIGNET_CLIENT_SECRET');
 *   throw e;
 * }
 */
export class SdkError extends Error {
  /** Stable machine-readable code, see {@link SdkErrorCode}. */
  readonly code: SdkErrorCode;
  /** The wire `error` when the server or the callback sent one. */
  readonly error: string | undefined;
  /** The wire `error_description` when sent. */
  readonly error_description: string | undefined;
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** For `jwt_claim_invalid`: the claim that failed. */
  readonly claim: string | undefined;

  constructor(code: SdkErrorCode, message: string, details: SdkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SdkError';
    this.code = code;
    this.error = details.error;
    this.error_description = details.error_description;
    this.status = details.status;
    this.claim = details.claim;
  }
}

/** A failed JWT claim check. */
export const claimInvalid = (claim: string, message: string): SdkError =>
  new SdkError('jwt_claim_invalid', message, { claim });
