import * as oauth from 'oauth4webapi';
import { resolveMetadata, type ServerInput } from './authorization.js';
import { claimInvalid } from './errors.js';
import { defaultFetch, type FetchLike, responseError, systemNow } from './http.js';
import { type IdTokenClaims, verifyIdToken } from './id-token.js';
import { sharedJwks } from './jwks.js';
import type { KeySource } from './jwt.js';
import { httpOptions, sdkErrorOfOauth, tokenEndpointClient } from './oauth.js';
import type { ClientAuthMethod } from './token-request.js';

/**
 * Parameters of {@link refreshTokens}.
 *
 * @example
 * const options: RefreshTokensOptions = { issuer, clientId, clientSecret, refreshToken: stored.refreshToken, subject: stored.sub };
 */
export type RefreshTokensOptions = ServerInput & {
  clientId: string;
  clientSecret: string;
  /** Default: `'client_secret_basic'`. */
  authMethod?: ClientAuthMethod;
  /** The refresh token last received. Signet rotates it: keep the one this call returns. */
  refreshToken: string;
  /** The `sub` of the sign-in the refresh token came from; a new id_token must carry the same (OpenID Connect Core §12.2). */
  subject?: string;
  /** The issuer's keys. Default: one shared per `jwks_uri` and `fetch`. */
  jwks?: KeySource;
  /** Seconds of clock skew tolerated on the id_token. Default: 30. */
  clockToleranceSeconds?: number;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
};

/**
 * What {@link refreshTokens} returns.
 *
 * @example
 * const { accessToken, refreshToken, expiresIn }: RefreshResult = await refreshTokens(options);
 */
export interface RefreshResult {
  accessToken: string;
  /** The rotated refresh token, when the server sent one: the old one no longer works. */
  refreshToken?: string;
  /** A new id_token, verified like the first (its `auth_time` is still the original sign-in's). */
  idToken?: string;
  claims?: IdTokenClaims;
  /** Seconds the access token lives, when the server said. */
  expiresIn?: number;
  /** The scopes granted, when the server said. */
  scope?: string;
}

/**
 * The refresh_token grant (RFC 6749 §6): new tokens without a new sign-in. A new id_token is
 * verified (signature, `iss`, `aud`, `exp`, `iat`) and must name the same `subject`. Throws
 * `SdkError` `response_error` with `error` `invalid_grant` when the refresh token is spent,
 * expired or revoked: then the person must sign in again.
 *
 * @example
 * const fresh = await refreshTokens({ issuer, clientId, clientSecret, refreshToken: stored.refreshToken });
 * stored.refreshToken = fresh.refreshToken ?? stored.refreshToken;
 */
export async function refreshTokens(options: RefreshTokensOptions): Promise<RefreshResult> {
  const fetch = options.fetch ?? defaultFetch;
  const now = options.now ?? systemNow;
  const metadata = await resolveMetadata(options, fetch, now);
  const as = metadata as unknown as oauth.AuthorizationServer;
  const { client, auth } = tokenEndpointClient({ ...options, now });
  let answer: oauth.TokenEndpointResponse;
  try {
    const res = await oauth.refreshTokenGrantRequest(
      as,
      client,
      auth,
      options.refreshToken,
      httpOptions(fetch, metadata.token_endpoint),
    );
    answer = await oauth.processRefreshTokenResponse(as, client, res);
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      throw await responseError(error.response, 'token request');
    }
    throw sdkErrorOfOauth(error, 'token request');
  }
  const result: RefreshResult = { accessToken: answer.access_token };
  if (answer.id_token !== undefined) {
    const claims = await verifyIdToken(answer.id_token, {
      issuer: metadata.issuer,
      clientId: options.clientId,
      jwks: options.jwks ?? sharedJwks(metadata.jwks_uri, { fetch, now }),
      accessToken: answer.access_token,
      now,
      ...(options.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: options.clockToleranceSeconds } : {}),
    });
    if (options.subject !== undefined && claims.sub !== options.subject) {
      throw claimInvalid('sub', 'the refreshed id_token names another person');
    }
    result.idToken = answer.id_token;
    result.claims = claims;
  }
  if (answer.refresh_token !== undefined) result.refreshToken = answer.refresh_token;
  if (answer.expires_in !== undefined) result.expiresIn = answer.expires_in;
  if (answer.scope !== undefined) result.scope = answer.scope;
  return result;
}
