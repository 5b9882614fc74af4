import { createHash, randomBytes } from 'node:crypto';
import { safeEqual } from '@signet/protocol';
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { IdentityClaims } from '../pki/identity.js';

/** The discovery fields the signing page uses (OpenID Connect Discovery 1.0 §3, RFC 9207). */
export interface IssuerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  authorization_response_iss_parameter_supported?: boolean;
}

/** Why a sign-in at the issuer could not identify the invited person; logged, never shown raw. */
export class SignInError extends Error {
  constructor(
    /** A stable code for logs and tests, e.g. `state`, `nonce`, `acr`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

const DISCOVERY_TTL_SECONDS = 3600;

/**
 * Reads the issuer's discovery document once an hour (and again after a failure), checking that
 * it names the configured issuer (OpenID Connect Discovery §4.3) and has both endpoints.
 */
export function issuerMetadataCache(
  issuer: string,
  options: { fetch?: typeof fetch; now: () => number },
): () => Promise<IssuerMetadata> {
  const fetchImpl = options.fetch ?? fetch;
  let cached: { metadata: Promise<IssuerMetadata>; until: number } | undefined;
  const load = async (): Promise<IssuerMetadata> => {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetchImpl(url, { headers: { accept: 'application/json' }, redirect: 'error' });
    if (!response.ok) throw new Error(`discovery at ${url} answered ${response.status}`);
    const metadata = (await response.json()) as Partial<IssuerMetadata>;
    if (metadata.issuer !== issuer) throw new Error(`discovery at ${url} names another issuer`);
    if (typeof metadata.authorization_endpoint !== 'string' || typeof metadata.token_endpoint !== 'string') {
      throw new Error(`discovery at ${url} lacks authorization_endpoint or token_endpoint`);
    }
    return metadata as IssuerMetadata;
  };
  return () => {
    const now = options.now();
    if (!cached || cached.until <= now) {
      const metadata = load();
      cached = { metadata, until: now + DISCOVERY_TTL_SECONDS };
      metadata.catch(() => {
        cached = undefined;
      });
    }
    return cached.metadata;
  };
}

/** A random URL-safe value with 256 bits of entropy (state, nonce, PKCE verifier, session ids). */
export const randomValue = (): string => randomBytes(32).toString('base64url');

/** The PKCE S256 challenge of a verifier (RFC 7636 §4.2). */
export const codeChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** What the signing page asks the issuer for. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  acrValues: string;
  loginHint: string;
  uiLocales: string;
}

/** The authorization request URL: code flow with PKCE S256 (OpenID Connect Core §3.1.2.1). */
export function authorizationUrl(metadata: IssuerMetadata, request: AuthorizationRequest): string {
  const url = new URL(metadata.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: request.state,
    nonce: request.nonce,
    code_challenge: codeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
    acr_values: request.acrValues,
    login_hint: request.loginHint,
    ui_locales: request.uiLocales,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * Checks the authorization response's `iss` (RFC 9207 §2.4): when present it must be the issuer;
 * when the issuer advertises the parameter it must be present.
 */
export function checkResponseIssuer(metadata: IssuerMetadata, iss: string | undefined): void {
  if (iss === undefined) {
    if (metadata.authorization_response_iss_parameter_supported) throw new SignInError('iss', 'iss is missing');
    return;
  }
  if (!safeEqual(iss, metadata.issuer)) throw new SignInError('iss', 'iss is not the trusted issuer');
}

/**
 * Redeems the code at the token endpoint with `client_secret_basic` (RFC 6749 §2.3.1, §4.1.3)
 * and the PKCE verifier, and returns the id_token.
 */
export async function exchangeCode(
  metadata: IssuerMetadata,
  grant: { clientId: string; clientSecret: string; code: string; codeVerifier: string; redirectUri: string },
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  const credentials = Buffer.from(`${encode(grant.clientId)}:${encode(grant.clientSecret)}`).toString('base64');
  const response = await fetchImpl(metadata.token_endpoint, {
    method: 'POST',
    redirect: 'error',
    headers: {
      authorization: `Basic ${credentials}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: grant.code,
      code_verifier: grant.codeVerifier,
      redirect_uri: grant.redirectUri,
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
  if (!response.ok) throw new SignInError('token', `token endpoint answered ${response.status} ${String(body.error)}`);
  if (typeof body.id_token !== 'string') throw new SignInError('token', 'token response without id_token');
  return body.id_token;
}

/** A person the issuer vouched for in a verified id_token. */
export interface VerifiedIdentity {
  issuer: string;
  /** The `sub` claim. */
  subject: string;
  /** `name`, or given and family name (as the certificate will state it), or the email. */
  name: string;
  email: string;
  acr: string;
  /** `auth_time`, epoch seconds. */
  authTime: number;
  /** The id_token itself, kept as evidence. */
  idToken: string;
  /** The claims a signing certificate is issued from (see `identityFromClaims`). */
  claims: IdentityClaims;
}

/** What {@link verifyIdToken} checks against. */
export interface IdTokenExpectations {
  issuerKeys: JWTVerifyGetKey;
  issuer: string;
  clientId: string;
  nonce: string;
  requiredAcr: string;
  /** How old `auth_time` may be, in seconds. */
  authMaxAge: number;
  /** Current time in epoch seconds. */
  now: number;
}

const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies an id_token with jose (OpenID Connect Core §3.1.3.7): signature by the issuer's keys,
 * `iss`, `aud` = our client (and `azp` when `aud` lists several), `exp`/`iat`, `nonce`, the
 * required `acr`, a fresh `auth_time`, and a verified email (`email_verified: true`).
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<VerifiedIdentity> {
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    ({
      payload,
      protectedHeader: { typ },
    } = await jwtVerify(idToken, expected.issuerKeys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      currentDate: new Date(expected.now * 1000),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'iat', 'exp'],
      algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    }));
  } catch (error) {
    const code = error instanceof errors.JOSEError ? error.code : 'ERR_UNKNOWN';
    throw new SignInError('id_token', `id_token refused: ${code}`);
  }
  // An RFC 9068 access token (typ at+jwt) from the same issuer is never an id_token.
  if (typ !== undefined && typ.toUpperCase() !== 'JWT') throw new SignInError('id_token', 'not an id_token');
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
    throw new SignInError('azp', 'azp is not this client');
  }
  if (typeof payload.nonce !== 'string' || !safeEqual(payload.nonce, expected.nonce)) {
    throw new SignInError('nonce', 'nonce does not match');
  }
  if (payload.acr !== expected.requiredAcr) throw new SignInError('acr', `acr is not ${expected.requiredAcr}`);
  const authTime = payload.auth_time;
  if (typeof authTime !== 'number' || authTime > expected.now + CLOCK_TOLERANCE_SECONDS) {
    throw new SignInError('auth_time', 'auth_time is missing or in the future');
  }
  if (expected.now - authTime > expected.authMaxAge) {
    throw new SignInError('auth_time', `auth_time is older than ${expected.authMaxAge} seconds`);
  }
  const email = payload.email;
  if (typeof email !== 'string' || email === '') throw new SignInError('email', 'the id_token has no email');
  // Only an address the issuer verified can stand for the person the invitation was sent to.
  if (payload.email_verified !== true) throw new SignInError('email', 'the email is not verified');
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const claims: IdentityClaims = { iss: expected.issuer, sub: String(payload.sub), email };
  for (const name of ['name', 'given_name', 'family_name'] as const) {
    const value = text(payload[name]);
    if (value) claims[name] = value;
  }
  if (typeof payload.credential === 'object' && payload.credential !== null) {
    claims.credential = payload.credential as IdentityClaims['credential'];
  }
  return {
    issuer: expected.issuer,
    subject: claims.sub,
    name: claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(' ') || email,
    email,
    acr: payload.acr,
    authTime,
    idToken,
    claims,
  };
}

/**
 * Whether the signed-in person is the invited one: their email equals the invited email,
 * ignoring case. RFC 5321 lets a mailbox's local part be case-sensitive, but no mainstream
 * provider treats it so and integrators type addresses in any case; a case-sensitive match
 * would lock real people out, a case-insensitive one lets no one else in.
 */
export function isInvitedPerson(identity: Pick<VerifiedIdentity, 'email'>, invitedEmail: string): boolean {
  return safeEqual(identity.email.trim().toLowerCase(), invitedEmail.trim().toLowerCase());
}
