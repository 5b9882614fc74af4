/**
 * How the SDK drives oauth4webapi: its requests go through the caller's `fetch`, and plain
 * `http:` is allowed only towards loopback hosts (a local issuer in development and tests),
 * never elsewhere. oauth4webapi's errors become the SDK's stable codes here.
 */

import * as oauth from 'oauth4webapi';
import { SdkError, type SdkErrorCode } from './errors.js';
import type { FetchLike } from './http.js';
import type { ClientAuthMethod } from './token-request.js';
import { isLoopback } from './wire.js';

/** Seconds a request to the issuer may take before it is aborted. */
export const REQUEST_TIMEOUT_SECONDS = 5;

/** oauth4webapi's HTTP options for a request to `url` through `fetch`. */
export function httpOptions(fetch: FetchLike, url: string | URL) {
  return {
    // oauth4webapi passes `body: undefined` on a GET, which `RequestInit` has no room for: leave it out.
    [oauth.customFetch]: (input: string, { body, ...init }: oauth.CustomFetchOptions<string, RequestInit['body']>) =>
      fetch(input, body === undefined ? init : { ...init, body }),
    [oauth.allowInsecureRequests]: isLocalHttp(url),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_SECONDS * 1000),
  };
}

/** `http:` on a loopback host: the only place plain HTTP is allowed. */
export function isLocalHttp(url: string | URL): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && isLoopback(parsed.hostname);
  } catch {
    return false;
  }
}

/** Whether `url` may be used: https, or http on a loopback host. */
export function isAllowedUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:' || isLocalHttp(url);
  } catch {
    return false;
  }
}

/** An oauth4webapi (or network) failure as an `SdkError`; SdkErrors pass unchanged. */
export function sdkErrorOfOauth(error: unknown, what: string, fallback: SdkErrorCode = 'invalid_response'): unknown {
  if (error instanceof SdkError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    return new SdkError(
      'response_error',
      `${what}: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`,
      {
        error: error.error,
        ...(error.error_description !== undefined ? { error_description: error.error_description } : {}),
        status: error.status,
        cause: error,
      },
    );
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    const description = error.error_description;
    return new SdkError(
      'authorization_error',
      `authorization: ${error.error}${description ? ` (${description})` : ''}`,
      {
        error: error.error,
        ...(description !== undefined ? { error_description: description } : {}),
        cause: error,
      },
    );
  }
  if (
    error instanceof oauth.OperationProcessingError &&
    (error.code === oauth.JWT_CLAIM_COMPARISON || error.code === oauth.JWT_TIMESTAMP_CHECK)
  ) {
    const claim = (error.cause as { claim?: unknown } | undefined)?.claim;
    return new SdkError('jwt_claim_invalid', `${what}: ${error.message}`, {
      ...(typeof claim === 'string' ? { claim } : {}),
      cause: error,
    });
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new SdkError(fallback, `${what}: ${error.message}`, { cause: error });
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === 'TimeoutError')) {
    return new SdkError('request_failed', `${what} failed: ${String(error)}`, { cause: error });
  }
  return error;
}

/**
 * oauth4webapi's client and client authentication for a token request of a confidential client:
 * its clock is `Date.now()` shifted to the injected one, and the secret goes as the caller chose
 * (`client_secret_basic` unless told otherwise).
 */
export function tokenEndpointClient(options: {
  clientId: string;
  clientSecret: string;
  authMethod?: ClientAuthMethod | undefined;
  clockToleranceSeconds?: number | undefined;
  now: () => number;
}): { client: oauth.Client; auth: oauth.ClientAuth } {
  const client: oauth.Client = {
    client_id: options.clientId,
    [oauth.clockSkew]: Math.floor(options.now()) - Math.floor(Date.now() / 1000),
    [oauth.clockTolerance]: options.clockToleranceSeconds ?? 30,
  };
  const auth =
    (options.authMethod ?? 'client_secret_basic') === 'client_secret_basic'
      ? oauth.ClientSecretBasic(options.clientSecret)
      : oauth.ClientSecretPost(options.clientSecret);
  return { client, auth };
}
