import * as oauth from 'oauth4webapi';
import { discover } from './discovery.js';
import { SdkError } from './errors.js';
import { defaultFetch, type FetchLike, responseError, systemNow } from './http.js';
import { type IdTokenClaims, verifyIdToken } from './id-token.js';
import { sharedJwks } from './jwks.js';
import type { KeySource } from './jwt.js';
import { httpOptions, sdkErrorOfOauth, tokenEndpointClient } from './oauth.js';
import type { ClientAuthMethod } from './token-request.js';
import type { AuthorizationServerMetadata } from './wire.js';

/**
 * The scope of the documented flow: the person's identity, contact, credential and offline access.
 *
 * @example
 * const url = await authorizationUrl({ issuer, clientId, redirectUri, scope: DOCUMENTED_SCOPE, state, nonce, codeChallenge });
 */
export const DOCUMENTED_SCOPE = 'openid profile birthdate email phone credential offline offline_access';

/**
 * The `acr` of a sign-in completed with the face check.
 *
 * @example
 * const url = await authorizationUrl({ ...options, acrValues: [ACR_FACE] });
 * await verifyIdToken(idToken, { issuer, clientId, jwks, acrValues: [ACR_FACE] });
 */
export const ACR_FACE = 'urn:acr:face';

/**
 * Where the authorization server is: its discovery document, or its issuer to discover.
 *
 * @example
 * const server: ServerInput = { issuer: 'https://accounts.example' }; // or { metadata: await discover(issuer) }
 */
export type ServerInput = { metadata: AuthorizationServerMetadata } | { issuer: string };

/**
 * Parameters of {@link authorizationUrl}.
 *
 * @example
 * const options: AuthorizationUrlOptions = {
 *   issuer, clientId, redirectUri: 'http://127.0.0.1:8080/callback', scope: 'openid', state, nonce,
 *   codeChallenge: pkce.codeChallenge,
 * };
 */
export type AuthorizationUrlOptions = ServerInput & {
  /** Your client id. */
  clientId: string;
  /** A redirect URI registered for the client, matched exactly. Example: `'https://app.example/callback'`. */
  redirectUri: string;
  /** Space-separated scopes. Example: {@link DOCUMENTED_SCOPE}. */
  scope: string;
  /** Unguessable, kept with the user's session. Example: {@link randomState}(). */
  state: string;
  /** Unguessable, kept with the user's session; the id_token must echo it. Example: {@link randomNonce}(). */
  nonce: string;
  /** The S256 challenge of {@link createPkce}. */
  codeChallenge: string;
  /** Required authentication, e.g. `'urn:acr:face'` ({@link ACR_FACE}). Default: none sent. */
  acrValues?: string | string[];
  /** `none`, `login`, `consent` or several space-separated. Default: none sent. */
  prompt?: string;
  /** Seconds since the person last authenticated beyond which they must do it again. Default: none sent. */
  maxAge?: number;
  /** Preferred languages of the pages, e.g. `'es en'`. Default: none sent. */
  uiLocales?: string | string[];
  /** Who is expected to sign in (OpenID Connect Core §3.1.2.1), e.g. their email. Default: none sent. */
  loginHint?: string;
  /** Further parameters, sent as given. Default: none. */
  extraParams?: Record<string, string>;
  /** Default: the global `fetch` (used only to discover `issuer`). */
  fetch?: FetchLike;
};

/**
 * The URL to send the person's browser to: an OpenID Connect authorization request with
 * `response_type=code` and PKCE S256 (RFC 7636), at the server's `authorization_endpoint`.
 *
 * @example
 * const pkce = await createPkce();
 * const state = randomState();
 * const nonce = randomNonce();
 * const url = await authorizationUrl({
 *   issuer: 'http://localhost:4444', clientId, redirectUri: 'https://app.example/callback',
 *   scope: DOCUMENTED_SCOPE, state, nonce, codeChallenge: pkce.codeChallenge, acrValues: ACR_FACE,
 * });
 * // redirect to url; keep state, nonce and pkce.codeVerifier in the session
 */
export async function authorizationUrl(options: AuthorizationUrlOptions): Promise<URL> {
  const metadata = await resolveMetadata(options, options.fetch ?? defaultFetch, systemNow);
  if (!metadata.authorization_endpoint) {
    throw new SdkError('invalid_response', 'discovery: authorization_endpoint is missing');
  }
  for (const field of ['clientId', 'redirectUri', 'scope', 'state', 'nonce', 'codeChallenge'] as const) {
    if (typeof options[field] !== 'string' || options[field] === '') {
      throw new SdkError('invalid_argument', `${field} is required`);
    }
  }
  const url = new URL(metadata.authorization_endpoint);
  const params: [string, string | undefined][] = [
    ['response_type', 'code'],
    ['client_id', options.clientId],
    ['redirect_uri', options.redirectUri],
    ['scope', options.scope],
    ['state', options.state],
    ['nonce', options.nonce],
    ['code_challenge', options.codeChallenge],
    ['code_challenge_method', 'S256'],
    ['acr_values', joined(options.acrValues)],
    ['prompt', options.prompt],
    ['max_age', options.maxAge === undefined ? undefined : String(options.maxAge)],
    ['ui_locales', joined(options.uiLocales)],
    ['login_hint', options.loginHint],
    ...Object.entries(options.extraParams ?? {}),
  ];
  for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

/**
 * Parameters of {@link exchangeCode}.
 *
 * @example
 * const options: ExchangeCodeOptions = {
 *   issuer, clientId, clientSecret, redirectUri, callbackUrl: request.url, expectedState: state, nonce,
 *   codeVerifier: pkce.codeVerifier,
 * };
 */
export type ExchangeCodeOptions = ServerInput & {
  clientId: string;
  clientSecret: string;
  /** Default: `'client_secret_basic'`. */
  authMethod?: ClientAuthMethod;
  /** The same redirect URI as in the authorization request. */
  redirectUri: string;
  /** The verifier of the PKCE pair whose challenge was sent. */
  codeVerifier: string;
  /**
   * The URL the browser came back on (absolute, or path and query such as Node's `req.url`); its
   * `iss` (RFC 9207), `state` and `error` are checked before its `code` is used. Give this or `code`.
   */
  callbackUrl?: string | URL;
  /** The code alone, when the callback was already checked. Give this or `callbackUrl`. */
  code?: string;
  /** The `state` sent; required with a `callbackUrl` that carries one. */
  expectedState?: string | undefined;
  /** The `nonce` sent; the id_token must carry the same. */
  nonce?: string;
  /** The `acr_values` sent; the id_token's `acr` must be one of them. Example: `['urn:acr:face']`. */
  acrValues?: string[];
  /** The `max_age` sent; `auth_time` is checked against it. */
  maxAge?: number;
  /** The issuer's keys. Default: one shared per `jwks_uri` and `fetch`, 10-minute TTL, 30-second cooldown. */
  jwks?: KeySource;
  /** Seconds of clock skew tolerated on the id_token. Default: 30. */
  clockToleranceSeconds?: number;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
};

/**
 * What {@link exchangeCode} returns.
 *
 * @example
 * const { claims, idToken, tokens }: CodeExchangeResult = await exchangeCode(options);
 */
export interface CodeExchangeResult {
  /** The raw id_token: send it to the Signer API to identify the signer. */
  idToken: string;
  /** The verified id_token claims: `sub` identifies the signer, `acr` how they authenticated. */
  claims: IdTokenClaims;
  accessToken: string;
  /** Present with `offline_access`. */
  refreshToken?: string;
  /** Seconds the access token lives, when the server said. */
  expiresIn?: number;
  /** The scopes granted, when the server said. */
  scope?: string;
}

/**
 * Completes the authorization code flow: checks the callback (`iss` per RFC 9207, `state`,
 * `error`), redeems the code with the PKCE verifier at the token endpoint, and verifies the
 * id_token (signature against the JWKS, `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, `acr`,
 * `auth_time`, `at_hash`).
 *
 * @example
 * const { idToken, claims } = await exchangeCode({
 *   issuer: 'http://localhost:4444', clientId, clientSecret, redirectUri,
 *   callbackUrl: request.url, expectedState: session.state, nonce: session.nonce,
 *   codeVerifier: session.codeVerifier, acrValues: [ACR_FACE],
 * });
 */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<CodeExchangeResult> {
  const fetch = options.fetch ?? defaultFetch;
  const now = options.now ?? systemNow;
  const metadata = await resolveMetadata(options, fetch, now);
  const callback = callbackParameters(options, metadata);
  const as = metadata as unknown as oauth.AuthorizationServer;
  const { client, auth } = tokenEndpointClient({ ...options, now });
  let answer: oauth.TokenEndpointResponse;
  try {
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      callback,
      options.redirectUri,
      options.codeVerifier,
      httpOptions(fetch, metadata.token_endpoint),
    );
    answer = await oauth.processAuthorizationCodeResponse(as, client, res, {
      requireIdToken: true,
      expectedNonce: options.nonce ?? oauth.expectNoNonce,
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    });
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError)
      throw await responseError(error.response, 'token request');
    throw sdkErrorOfOauth(error, 'token request');
  }
  const idToken = answer.id_token as string;
  // oauth4webapi checked the token response and the id_token's claims; the signature is checked
  // too (OpenID Connect Core §3.1.3.7 lets TLS stand in for it, Signet does not), with the rest.
  const claims = await verifyIdToken(idToken, {
    issuer: metadata.issuer,
    clientId: options.clientId,
    jwks: options.jwks ?? sharedJwks(metadata.jwks_uri, { fetch, now }),
    accessToken: answer.access_token,
    now,
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.acrValues !== undefined ? { acrValues: options.acrValues } : {}),
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    ...(options.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: options.clockToleranceSeconds } : {}),
  });
  return {
    idToken,
    claims,
    accessToken: answer.access_token,
    ...(answer.refresh_token !== undefined ? { refreshToken: answer.refresh_token } : {}),
    ...(answer.expires_in !== undefined ? { expiresIn: answer.expires_in } : {}),
    ...(answer.scope !== undefined ? { scope: answer.scope } : {}),
  };
}

/**
 * What {@link authorizationCode} checks a callback against.
 *
 * @example
 * const code = authorizationCode({ metadata, callbackUrl: request.url, expectedState: session.state });
 */
export interface AuthorizationCallbackOptions {
  /** The server's discovery document. */
  metadata: AuthorizationServerMetadata;
  /** The URL the browser came back on (absolute, or path and query such as Node's `req.url`). */
  callbackUrl: string | URL;
  /** The `state` sent; required when the callback carries one. */
  expectedState?: string;
}

/**
 * The code of an authorization response, after oauth4webapi's `validateAuthResponse` checked
 * `iss` (RFC 9207 §2.4: when the server advertises `authorization_response_iss_parameter_supported`,
 * a callback without `iss` is refused too), then `state`, then `error`. Throws `SdkError`
 * `issuer_mismatch`, `state_mismatch`, `authorization_error` (with the wire `error`),
 * `invalid_argument` or `invalid_response`.
 *
 * @example
 * const code = authorizationCode({ metadata, callbackUrl: request.url, expectedState: session.state });
 * await exchangeCode({ metadata, code, ... });
 */
export function authorizationCode(options: AuthorizationCallbackOptions): string {
  const code = validatedCallback(options.metadata, options.callbackUrl, options.expectedState).get('code');
  if (!code) throw new SdkError('invalid_response', 'the callback carries neither code nor error');
  return code;
}

/** The checked callback parameters oauth4webapi redeems, from a callback URL or a code already checked. */
function callbackParameters(options: ExchangeCodeOptions, metadata: AuthorizationServerMetadata): URLSearchParams {
  if ((options.code === undefined) === (options.callbackUrl === undefined)) {
    throw new SdkError('invalid_argument', 'give exactly one of code and callbackUrl');
  }
  if (options.code !== undefined) {
    if (options.code === '') throw new SdkError('invalid_argument', 'code is empty');
    // The caller checked the callback (with authorizationCode): only the code remains.
    const checked = { ...metadata, authorization_response_iss_parameter_supported: false };
    return validatedCallback(checked, `?${new URLSearchParams({ code: options.code })}`, undefined);
  }
  const params = validatedCallback(metadata, options.callbackUrl as string | URL, options.expectedState);
  if (!params.get('code')) throw new SdkError('invalid_response', 'the callback carries neither code nor error');
  return params;
}

function validatedCallback(
  metadata: AuthorizationServerMetadata,
  callbackUrl: string | URL,
  expectedState: string | undefined,
): URLSearchParams {
  // A server framework's request URL is often only path and query (Node's `req.url`); only the query matters.
  const params = new URL(String(callbackUrl), 'http://callback.invalid').searchParams;
  if (params.get('state') !== null && expectedState === undefined) {
    throw new SdkError('invalid_argument', 'expectedState is required: the callback carries a state');
  }
  const as = metadata as unknown as oauth.AuthorizationServer;
  try {
    return oauth.validateAuthResponse(as, { client_id: 'unused' }, params, expectedState ?? oauth.expectNoState);
  } catch (error) {
    if (error instanceof oauth.OperationProcessingError) {
      if (/"iss"/.test(error.message)) {
        const iss = params.get('iss') ?? '';
        throw new SdkError('issuer_mismatch', `the callback's iss "${iss}" is not the issuer "${metadata.issuer}"`);
      }
      if (/"state"/.test(error.message)) throw new SdkError('state_mismatch', 'the callback state is not the one sent');
    }
    throw sdkErrorOfOauth(error, 'authorization response');
  }
}

/** The server's discovery document: given, or discovered from its issuer. */
export async function resolveMetadata(
  input: ServerInput,
  fetch: FetchLike,
  now: () => number,
): Promise<AuthorizationServerMetadata> {
  if ('metadata' in input && input.metadata) return input.metadata;
  if ('issuer' in input && typeof input.issuer === 'string') return discover(input.issuer, { fetch, now });
  throw new SdkError('invalid_argument', 'give metadata or issuer');
}

const joined = (value: string | string[] | undefined): string | undefined =>
  value === undefined ? undefined : [value].flat().join(' ');
