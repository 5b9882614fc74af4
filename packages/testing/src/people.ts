import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { openStore, type Store } from '@signet/accounts';
import { basicAuth, createTestUser, type TestAccounts, testAccounts } from './accounts.js';
import { formAction, hiddenField, TestBrowser } from './browser.js';

/** The redirect URI the test clients register. */
export const REDIRECT_URI = 'https://app.example/callback';

/** The password {@link createTestUser} gives every person. */
export const PASSWORD = 'correct horse battery';

/** A client as the admin API returns it on creation, secret included. */
export type TestClient = { client_id: string; client_secret: string } & Record<string, unknown>;

/** A person as the admin API returns them on creation. */
export type TestPerson = { id: string; username: string } & Record<string, unknown>;

/**
 * Test accounts listening on a real loopback port, so {@link TestBrowser} can keep cookies over
 * real HTTP while the test still owns the clock (`t.clock`).
 */
export interface PeopleHarness {
  t: TestAccounts;
  /** `http://127.0.0.1:<port>` of the public listener. */
  origin: string;
  /** A new browser with an empty cookie jar. */
  browser(headers?: Record<string, string>): TestBrowser;
  /** A client for the authorization code flow; `body` overrides the defaults (redirect URI, grants). */
  client(body?: Record<string, unknown>): Promise<TestClient>;
  /** A person with the default claims of {@link createTestUser}; `body` overrides them. */
  person(body?: Record<string, unknown>): Promise<TestPerson>;
  /** Closes the service, deletes its data directory and, on PostgreSQL, drops its schema. */
  close(): Promise<void>;
}

/**
 * Starts a {@link PeopleHarness}: SQLite by default, or PostgreSQL in a fresh schema when
 * `postgresUrl` is given; `env` overrides configuration variables (e.g. `SIGNET_ISSUER`).
 *
 * @example
 * const h = await peopleHarness();
 * const client = await h.client();
 * const person = await h.person();
 */
export async function peopleHarness(
  options: { postgresUrl?: string; env?: Record<string, string> } = {},
): Promise<PeopleHarness> {
  let store: Store | undefined;
  let dropSchema = async () => {};
  if (options.postgresUrl) {
    const url = options.postgresUrl;
    const schema = `signet_people_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = openStore({ url, poolSize: 1 });
    await admin.db.schema.createSchema(schema).execute();
    await admin.close();
    store = openStore({ url, schema, poolSize: 4 });
    dropSchema = async () => {
      const cleanup = openStore({ url, poolSize: 1 });
      await cleanup.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await cleanup.close();
    };
  }
  const t = await testAccounts({ ...(store ? { store } : {}), ...(options.env ? { env: options.env } : {}) });
  await t.publicApp.listen({ host: '127.0.0.1', port: 0 });
  const address = t.publicApp.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    t,
    origin,
    browser: (headers = {}) => new TestBrowser(origin, headers),
    client: (body = {}) =>
      t.createClient({
        client_name: 'Acme Signing',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [REDIRECT_URI],
        ...body,
      }),
    person: (body = {}) => createTestUser(t, body),
    async close() {
      await t.dispose();
      await dropSchema();
    },
  };
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1, §4.2). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An authorization request: its path and query, and the secrets the client keeps. */
export interface AuthorizationRequestUnderTest {
  /** `/oauth2/auth?…` */
  path: string;
  /** The parameters sent, after defaults and overrides. */
  params: URLSearchParams;
  verifier: string;
  state: string;
  nonce: string;
}

/**
 * Builds `/oauth2/auth?…` with a valid request for `clientId`: `response_type=code`, the test
 * redirect URI, `scope=openid profile email phone offline_access`, a 20-character `state`, a
 * `nonce` and a fresh S256 PKCE challenge. `overrides` replace parameters; `undefined` drops one.
 */
export function authorizationRequest(
  clientId: string,
  overrides: Record<string, string | undefined> = {},
): AuthorizationRequestUnderTest {
  const { verifier, challenge } = pkce();
  const defaults: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email phone offline_access',
    state: randomBytes(15).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...defaults, ...overrides })) {
    if (value !== undefined) params.set(name, value);
  }
  return {
    path: `/oauth2/auth?${params}`,
    params,
    verifier,
    state: params.get('state') ?? '',
    nonce: params.get('nonce') ?? '',
  };
}

/** Where a walk through the pages ended, and which pages the person saw on the way. */
export interface Walk {
  /** The redirect back to the client. */
  callback: URL;
  /** The forms the person filled in, in order. */
  pages: ('login' | 'consent')[];
  /** The status of the answer that redirected to the client. */
  status: number;
}

/**
 * Follows an authorization request the way a person would: signs in on the login page with
 * `credentials` and answers the consent page with `decision`, until Signet redirects to the
 * client. Fails the test on any other answer.
 */
export async function walk(
  browser: TestBrowser,
  path: string,
  credentials: { username: string; password?: string },
  decision: 'allow' | 'deny' = 'allow',
): Promise<Walk> {
  const pages: Walk['pages'] = [];
  let res = await browser.get(path);
  for (let hops = 0; hops < 10; hops++) {
    assert.equal(res.status, 303, `expected a redirect, got ${res.status}: ${await res.text()}`);
    const location = res.headers.get('location');
    assert.ok(location, 'a redirect has a Location');
    if (!location.startsWith('/')) return { callback: new URL(location), pages, status: res.status };
    res = await browser.get(location);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = formAction(html);
    const csrf = hiddenField(html, 'csrf');
    assert.ok(action && csrf, 'the page has a form with a CSRF token');
    if (action.endsWith('/login')) {
      pages.push('login');
      res = await browser.post(action, {
        csrf,
        username: credentials.username,
        password: credentials.password ?? PASSWORD,
      });
    } else {
      pages.push('consent');
      res = await browser.post(action, { csrf, decision });
    }
  }
  throw new Error('too many redirects');
}

/** The page a GET of `location` shows, with its form's action and CSRF token. */
export async function openPage(
  browser: TestBrowser,
  location: string,
): Promise<{ res: Response; html: string; action: string; csrf: string }> {
  const res = await browser.get(location);
  const html = await res.text();
  assert.equal(res.status, 200, html);
  const action = formAction(html);
  const csrf = hiddenField(html, 'csrf');
  assert.ok(action && csrf, 'the page has a form with a CSRF token');
  return { res, html, action, csrf };
}

/** Asserts a redirect to the client carrying `code`, `state` and `iss`; returns the code. */
export function codeFrom(callback: URL, state: string, issuer: string): string {
  assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
  assert.equal(callback.searchParams.get('error'), null, callback.searchParams.get('error_description') ?? '');
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), issuer);
  const code = callback.searchParams.get('code');
  assert.ok(code, 'the redirect carries a code');
  return code;
}

/** The token endpoint's answer as JSON, with its status. */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown> & {
    access_token?: string;
    id_token?: string;
    refresh_token?: string;
    scope?: string;
    error?: string;
    error_description?: string;
  };
}

/** POSTs a form to `/oauth2/token` as `client` (HTTP Basic) over real HTTP. */
export async function tokenRequest(
  origin: string,
  client: Pick<TestClient, 'client_id' | 'client_secret'>,
  form: Record<string, string | undefined>,
): Promise<TokenAnswer> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== undefined) body.set(name, value);
  const res = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.client_id, client.client_secret),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
}

/** Redeems an authorization code at the token endpoint. */
export function redeemCode(
  origin: string,
  client: Pick<TestClient, 'client_id' | 'client_secret'>,
  code: string,
  verifier: string | undefined,
  redirectUri = REDIRECT_URI,
): Promise<TokenAnswer> {
  return tokenRequest(origin, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

/**
 * Runs a whole authorization (sign-in and consent as needed) and the code exchange; returns the
 * token response and the request that was made.
 */
export async function signInForTokens(
  h: PeopleHarness,
  browser: TestBrowser,
  client: TestClient,
  person: { username: string },
  overrides: Record<string, string | undefined> = {},
): Promise<{ tokens: TokenAnswer['body']; request: AuthorizationRequestUnderTest; walk: Walk }> {
  const request = authorizationRequest(client.client_id, overrides);
  const result = await walk(browser, request.path, person);
  const code = codeFrom(result.callback, request.state, h.t.config.issuer);
  const answer = await redeemCode(h.origin, client, code, request.verifier);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return { tokens: answer.body, request, walk: result };
}

/** Asserts an authorization error redirect (RFC 6749 §4.1.2.1, RFC 9207) and returns the URL. */
export function assertErrorRedirect(
  res: Response,
  error: string,
  state: string | undefined,
  issuer: string,
  redirectUri = REDIRECT_URI,
): URL {
  assert.equal(res.status, 303);
  const location = res.headers.get('location');
  assert.ok(location, 'the error is sent back to the client');
  const url = new URL(location);
  assert.equal(`${url.origin}${url.pathname}`, redirectUri);
  assert.equal(url.searchParams.get('error'), error, url.searchParams.get('error_description') ?? '');
  assert.ok(url.searchParams.get('error_description'), 'the redirect explains the error');
  assert.equal(url.searchParams.get('state'), state ?? null);
  assert.equal(url.searchParams.get('iss'), issuer);
  assert.equal(url.searchParams.get('code'), null);
  return url;
}

/** Asserts the HTML error page: never a redirect, the given status and OAuth error code shown. */
export async function assertErrorPage(res: Response, status: number, error: string): Promise<string> {
  const html = await res.text();
  assert.equal(res.status, status, html);
  assert.equal(res.headers.get('location'), null, 'an error page never redirects');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(html.includes(error), `the page shows ${error}: ${html}`);
  return html;
}

/** Introspects a token as `client` (RFC 7662) over real HTTP; returns the JSON body. */
export async function introspect(
  origin: string,
  client: Pick<TestClient, 'client_id' | 'client_secret'>,
  token: string,
): Promise<Record<string, unknown> & { active: boolean }> {
  const res = await fetch(`${origin}/oauth2/introspect`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.client_id, client.client_secret),
    },
    body: new URLSearchParams({ token }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown> & { active: boolean };
}

/** Calls `/userinfo` with a bearer token (GET by default) over real HTTP. */
export function userinfo(origin: string, accessToken: string, method: 'GET' | 'POST' = 'GET'): Promise<Response> {
  return fetch(`${origin}/userinfo`, { method, headers: { authorization: `Bearer ${accessToken}` } });
}
