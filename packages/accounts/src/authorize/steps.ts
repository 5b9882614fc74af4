import { invalidRequest, invalidScope, OAuthError, unauthorizedClient } from '@signet/protocol';
import type { ClientLookup } from '../client-cache.js';
import type { Client } from '../clients/repository.js';
import { shown } from '../http/errors.js';
import { type FormParams, single } from '../http/form.js';
import { withReason } from '../pages/error-reasons.js';
import { KNOWN_SCOPES, splitScope } from '../scopes.js';
import type { IdTokens } from '../tokens/id-token.js';
import { isRegisteredRedirectUri } from './redirect-uri.js';
import type { AuthorizationRequest, Prompt } from './request.js';

// Steps of the authorization endpoint, in the order it runs them. Those before
// checkRedirectUri answer with an error page; the rest redirect back to the client.

/** The client named by `client_id`; it must exist and may use the authorization code grant. */
export async function loadClient(clients: ClientLookup, params: FormParams): Promise<Client> {
  const clientId = single(params, 'client_id');
  if (clientId === undefined) throw withReason(invalidRequest('client_id is required'), 'unknown_client');
  const client = await clients.get(clientId);
  if (!client) throw withReason(new OAuthError('invalid_request', 'unknown client_id'), 'unknown_client');
  if (!client.grantTypes.includes('authorization_code')) {
    throw withReason(unauthorizedClient('this client may not use the authorization code flow'), 'client_not_allowed');
  }
  return client;
}

/**
 * `redirect_uri` is required and must equal one of the client's registered URIs, character for
 * character (a loopback IP redirect URI on any port, RFC 8252 §7.3).
 */
export function checkRedirectUri(client: Client, params: FormParams): string {
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === undefined)
    throw withReason(invalidRequest('redirect_uri is required'), 'redirect_not_registered');
  if (!isRegisteredRedirectUri(client.redirectUris, redirectUri)) {
    throw withReason(invalidRequest('redirect_uri is not registered for this client'), 'redirect_not_registered');
  }
  return redirectUri;
}

/** Only `response_type=code` (RFC 9700 section 2.1.2 discourages the implicit flow). */
export function checkResponseType(params: FormParams): void {
  const responseType = single(params, 'response_type');
  if (responseType === undefined) throw invalidRequest('response_type is required');
  if (responseType !== 'code') {
    throw new OAuthError(
      'unsupported_response_type',
      `response_type ${shown(responseType)} is not supported; use code`,
    );
  }
  const mode = single(params, 'response_mode');
  if (mode !== undefined && mode !== 'query')
    throw invalidRequest(`response_mode ${shown(mode)} is not supported; use query`);
}

/** Request objects are not supported (OpenID Connect Core §6), and discovery says so. */
export function refuseRequestObjects(params: FormParams): void {
  if (params.has('request')) throw new OAuthError('request_not_supported', 'the request parameter is not supported');
  if (params.has('request_uri')) {
    throw new OAuthError('request_uri_not_supported', 'the request_uri parameter is not supported');
  }
}

/** Minimum length of `state`, as Ory Hydra: short values carry too little entropy against CSRF. */
export const MIN_STATE_LENGTH = 8;

/** `state` is required and at least {@link MIN_STATE_LENGTH} characters. */
export function checkState(params: FormParams): string {
  const state = single(params, 'state');
  if (state === undefined) throw invalidRequest('state is required');
  if (state.length < MIN_STATE_LENGTH) {
    throw invalidRequest(`state must be at least ${MIN_STATE_LENGTH} characters long`);
  }
  if (state.length > 2048) throw invalidRequest('state must be at most 2048 characters long');
  return state;
}

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** PKCE is required for every client, with S256 only (RFC 7636, RFC 9700 section 2.1.1). */
export function checkPkce(params: FormParams): string {
  const challenge = single(params, 'code_challenge');
  const method = single(params, 'code_challenge_method');
  if (challenge === undefined) throw invalidRequest('code_challenge is required (PKCE with S256)');
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(challenge)) {
    throw invalidRequest('code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)');
  }
  return challenge;
}

/** The scope must include `openid`, name only known scopes, and stay within the client's. */
export function checkScope(client: Client, params: FormParams): string[] {
  const scope = splitScope(single(params, 'scope'));
  if (!scope.includes('openid')) throw invalidScope('scope must include openid');
  const allowed = splitScope(client.scope);
  for (const s of scope) {
    if (!KNOWN_SCOPES.has(s)) throw invalidScope(`scope ${shown(s)} is not supported`);
    if (!allowed.includes(s)) throw invalidScope(`scope ${shown(s)} is not allowed for this client`);
  }
  return scope;
}

/** Optional `audience` (space-delimited): every value must be allowed for the client. */
export function checkAudience(client: Client, params: FormParams): string[] {
  const audience = splitScope(single(params, 'audience'));
  for (const aud of audience) {
    if (!client.audience.includes(aud)) throw invalidRequest(`audience ${shown(aud)} is not allowed for this client`);
  }
  return audience;
}

const PROMPTS = new Set<Prompt>(['none', 'login', 'consent']);

/** `prompt`: known values only, and `none` alone (OpenID Connect Core §3.1.2.1). */
export function checkPrompt(params: FormParams): Prompt[] {
  const prompt = splitScope(single(params, 'prompt'));
  for (const p of prompt) {
    if (!PROMPTS.has(p as Prompt)) throw invalidRequest(`prompt ${shown(p)} is not supported`);
  }
  if (prompt.includes('none') && prompt.length > 1)
    throw invalidRequest('prompt=none cannot be combined with other values');
  return prompt as Prompt[];
}

/** `max_age`: a non-negative whole number of seconds. */
export function checkMaxAge(params: FormParams): number | undefined {
  const raw = single(params, 'max_age');
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw invalidRequest('max_age must be a non-negative whole number of seconds');
  return Number(raw);
}

/**
 * `id_token_hint`, when sent, must be an id_token this issuer signed for this client, expired or
 * not (OpenID Connect Core §3.1.2.1). Returns its `sub`, the person the client expects.
 */
export async function checkIdTokenHint(
  idTokens: IdTokens,
  client: Client,
  params: FormParams,
): Promise<{ idTokenHintSubject?: string }> {
  const hint = single(params, 'id_token_hint');
  if (hint === undefined) return {};
  const subject = await idTokens.hintSubject(hint, client.clientId);
  if (subject === undefined) {
    throw invalidRequest('id_token_hint is not an id_token this issuer signed for this client');
  }
  return { idTokenHintSubject: subject };
}

const DISPLAYS = new Set(['page', 'popup', 'touch', 'wap']);

/** Reads and checks the request, from `response_type` on, into an {@link AuthorizationRequest}. */
export function checkRequest(client: Client, redirectUri: string, params: FormParams): AuthorizationRequest {
  checkResponseType(params);
  refuseRequestObjects(params);
  const state = checkState(params);
  const codeChallenge = checkPkce(params);
  const scope = checkScope(client, params);
  const audience = checkAudience(client, params);
  const prompt = checkPrompt(params);
  const maxAge = checkMaxAge(params);
  const display = single(params, 'display');
  if (display !== undefined && !DISPLAYS.has(display))
    throw invalidRequest(`display ${shown(display)} is not supported`);
  const nonce = single(params, 'nonce');
  const loginHint = single(params, 'login_hint');
  return {
    clientId: client.clientId,
    redirectUri,
    state,
    scope,
    codeChallenge,
    prompt,
    uiLocales: splitScope(single(params, 'ui_locales')),
    acrValues: splitScope(single(params, 'acr_values')),
    audience,
    ...(nonce !== undefined ? { nonce } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(loginHint !== undefined ? { loginHint } : {}),
    ...(display !== undefined ? { display } : {}),
  };
}
