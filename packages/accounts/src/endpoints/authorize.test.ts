import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertErrorPage,
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  type PeopleHarness,
  peopleHarness,
  REDIRECT_URI,
  redeemCode,
  signInForTokens,
  type TestClient,
  type TestPerson,
  walk,
} from '@signet/testing/people';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';

type Method = 'GET' | 'POST';

const base64url = (s: string): string => Buffer.from(s).toString('base64url');
const METHODS: Method[] = ['GET', 'POST'];

/** Sends an authorization request without cookies, by GET (query) or POST (form body). */
function send(origin: string, method: Method, params: URLSearchParams | string): Promise<Response> {
  const query = params.toString();
  return method === 'GET'
    ? fetch(`${origin}/oauth2/auth?${query}`, { redirect: 'manual' })
    : fetch(`${origin}/oauth2/auth`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: query,
      });
}

/** Asserts the request was accepted: the browser is sent to the sign-in interaction. */
function assertLoginInteraction(res: Response): void {
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location') ?? '', /^\/interaction\/[A-Za-z0-9_-]+$/);
}

describe('/oauth2/auth request validation', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let issuer: string;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ audience: ['https://signer.example'] });
    issuer = h.t.config.issuer;
  });
  after(async () => h?.close());

  it('does not start an interaction for a HEAD request', async () => {
    const query = authorizationRequest(client.client_id).params.toString();
    const res = await fetch(`${h.origin}/oauth2/auth?${query}`, { method: 'HEAD', redirect: 'manual' });
    assert.notEqual(res.status, 303);
    assert.equal(res.headers.get('set-cookie'), null, 'no interaction cookie is set');
  });

  for (const method of METHODS) {
    describe(method, () => {
      it('accepts a valid request and sends the browser to sign in', async () => {
        assertLoginInteraction(await send(h.origin, method, authorizationRequest(client.client_id).params));
      });

      it('redirects a response_type other than code with unsupported_response_type, state and iss', async () => {
        for (const responseType of ['token', 'id_token', 'code id_token', 'none']) {
          const req = authorizationRequest(client.client_id, { response_type: responseType });
          const url = assertErrorRedirect(
            await send(h.origin, method, req.params),
            'unsupported_response_type',
            req.state,
            issuer,
          );
          assert.match(url.searchParams.get('error_description') ?? '', /use code/);
        }
      });

      it('redirects a missing response_type with invalid_request', async () => {
        const req = authorizationRequest(client.client_id, { response_type: undefined });
        assertErrorRedirect(await send(h.origin, method, req.params), 'invalid_request', req.state, issuer);
      });

      it('redirects a missing state with invalid_request (and no state)', async () => {
        const req = authorizationRequest(client.client_id, { state: undefined });
        const url = assertErrorRedirect(await send(h.origin, method, req.params), 'invalid_request', undefined, issuer);
        assert.match(url.searchParams.get('error_description') ?? '', /state is required/);
      });

      it('redirects a state shorter than 8 characters with invalid_request, and accepts exactly 8', async () => {
        const short = authorizationRequest(client.client_id, { state: '1234567' });
        const url = assertErrorRedirect(
          await send(h.origin, method, short.params),
          'invalid_request',
          '1234567',
          issuer,
        );
        assert.match(url.searchParams.get('error_description') ?? '', /at least 8 characters/);
        assertLoginInteraction(
          await send(h.origin, method, authorizationRequest(client.client_id, { state: '12345678' }).params),
        );
      });

      it('requires PKCE with S256 and a well-formed challenge', async () => {
        const cases: [string, Record<string, string | undefined>][] = [
          ['no challenge', { code_challenge: undefined }],
          ['no method (plain by default)', { code_challenge_method: undefined }],
          ['plain', { code_challenge_method: 'plain' }],
          [
            'plain with a verifier-shaped challenge',
            { code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) },
          ],
          ['unknown method', { code_challenge_method: 'S512' }],
          ['42 characters', { code_challenge: 'a'.repeat(42) }],
          ['44 characters', { code_challenge: 'a'.repeat(44) }],
          ['base64 with padding', { code_challenge: `${'a'.repeat(43)}=` }],
          ['standard base64 alphabet', { code_challenge: `${'a'.repeat(42)}+` }],
        ];
        for (const [name, overrides] of cases) {
          const req = authorizationRequest(client.client_id, overrides);
          const res = await send(h.origin, method, req.params);
          assert.equal(res.status, 303, name);
          const url = assertErrorRedirect(res, 'invalid_request', req.state, issuer);
          assert.match(url.searchParams.get('error_description') ?? '', /code_challenge/, name);
        }
      });

      it('shows an error page, never a redirect, for an unknown or missing client_id', async () => {
        for (const clientId of ['no-such-client', undefined]) {
          const req = authorizationRequest('x', { client_id: clientId });
          await assertErrorPage(await send(h.origin, method, req.params), 400, 'invalid_request');
        }
      });

      it('shows an error page for a client that may not use the authorization code flow', async () => {
        const machine = await h.t.createClient({ grant_types: ['client_credentials'] });
        const req = authorizationRequest(machine.client_id);
        await assertErrorPage(await send(h.origin, method, req.params), 400, 'unauthorized_client');
      });

      it('shows an error page for a missing or unregistered redirect_uri, however close to a registered one', async () => {
        const variants = [
          undefined,
          'https://evil.example/callback',
          `${REDIRECT_URI}/`,
          `${REDIRECT_URI}?x=1`,
          `${REDIRECT_URI}?`,
          `${REDIRECT_URI}#`,
          'https://APP.example/callback',
          'https://app.example:443/callback',
          'https://app.example/Callback',
          'https://app.example/callback/../callback',
          'http://app.example/callback',
          'https://app.example.evil.example/callback',
        ];
        for (const redirectUri of variants) {
          const req = authorizationRequest(client.client_id, { redirect_uri: redirectUri });
          const html = await assertErrorPage(await send(h.origin, method, req.params), 400, 'invalid_request');
          assert.match(html, /an address the application has not registered/, String(redirectUri));
        }
      });

      it('shows the error page, not a redirect, for a bad redirect_uri even when later parameters are bad too', async () => {
        const req = authorizationRequest(client.client_id, {
          redirect_uri: `${REDIRECT_URI}/`,
          response_type: 'token',
          state: undefined,
        });
        await assertErrorPage(await send(h.origin, method, req.params), 400, 'invalid_request');
      });

      it('shows an error page for any repeated parameter, before or after the redirect URI is trusted', async () => {
        for (const name of ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'nonce', 'foo']) {
          const req = authorizationRequest(client.client_id, { foo: 'bar' });
          req.params.append(name, req.params.get(name) ?? 'x');
          const html = await assertErrorPage(await send(h.origin, method, req.params), 400, 'invalid_request');
          assert.match(html, /a request that cannot be completed/, name);
        }
      });

      it('refuses request objects as unsupported', async () => {
        const withRequest = authorizationRequest(client.client_id, { request: 'eyJhbGciOiJub25lIn0.e30.' });
        assertErrorRedirect(
          await send(h.origin, method, withRequest.params),
          'request_not_supported',
          withRequest.state,
          issuer,
        );
        const withUri = authorizationRequest(client.client_id, { request_uri: 'https://app.example/request.jwt' });
        assertErrorRedirect(
          await send(h.origin, method, withUri.params),
          'request_uri_not_supported',
          withUri.state,
          issuer,
        );
      });

      it('answers invalid_scope for a scope without openid, an unknown scope, or one the client may not have', async () => {
        const narrow = await h.client({ scope: 'openid email' });
        const cases: [string, string][] = [
          [client.client_id, 'profile email'],
          [client.client_id, ''],
          [client.client_id, 'openid unknown-scope'],
          [client.client_id, 'openid address'],
          [narrow.client_id, 'openid phone'],
        ];
        for (const [clientId, scope] of cases) {
          const req = authorizationRequest(clientId, { scope });
          assertErrorRedirect(await send(h.origin, method, req.params), 'invalid_scope', req.state, issuer);
        }
        assertLoginInteraction(
          await send(h.origin, method, authorizationRequest(narrow.client_id, { scope: 'openid email' }).params),
        );
      });

      it('ignores unknown parameters', async () => {
        const req = authorizationRequest(client.client_id, { foo: 'bar', claims_locales: 'en', x_custom: '1' });
        assertLoginInteraction(await send(h.origin, method, req.params));
      });

      it('accepts the documented optional parameters', async () => {
        const req = authorizationRequest(client.client_id, {
          prompt: 'login consent',
          max_age: '300',
          login_hint: 'ada',
          ui_locales: 'es en',
          display: 'page',
          acr_values: 'urn:acr:face urn:acr:password',
          audience: 'https://signer.example',
        });
        assertLoginInteraction(await send(h.origin, method, req.params));
      });

      it('redirects an audience the client may not use, a bad prompt, max_age or display with invalid_request', async () => {
        const cases: Record<string, string>[] = [
          { audience: 'https://other.example' },
          { prompt: 'select_account' },
          { prompt: 'none login' },
          { max_age: '-1' },
          { max_age: 'soon' },
          { display: 'fullscreen' },
          { response_mode: 'fragment' },
        ];
        for (const overrides of cases) {
          const req = authorizationRequest(client.client_id, overrides);
          assertErrorRedirect(await send(h.origin, method, req.params), 'invalid_request', req.state, issuer);
        }
      });

      it('answers prompt=none without a session with login_required', async () => {
        const req = authorizationRequest(client.client_id, { prompt: 'none' });
        assertErrorRedirect(await send(h.origin, method, req.params), 'login_required', req.state, issuer);
      });
    });
  }

  it('keeps a registered redirect URI with a query exactly, and adds the response to it', async () => {
    const registered = 'https://app.example/cb?tenant=a';
    const withQuery = await h.client({ redirect_uris: [registered], skip_consent: true });
    const person = await h.person();
    const req = authorizationRequest(withQuery.client_id, { redirect_uri: registered });
    const result = await walk(h.browser(), req.path, person);
    assert.equal(result.callback.searchParams.get('tenant'), 'a');
    assert.ok(result.callback.searchParams.get('code'));
    const other = authorizationRequest(withQuery.client_id, { redirect_uri: 'https://app.example/cb?tenant=b' });
    await assertErrorPage(await send(h.origin, 'GET', other.params), 400, 'invalid_request');
  });

  it('answers a POST that is not a form with the error page', async () => {
    const res = await fetch(`${h.origin}/oauth2/auth`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(authorizationRequest(client.client_id).params)),
    });
    assert.equal(res.headers.get('location'), null);
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
  });
});

describe('/oauth2/auth with a signed-in session', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let issuer: string;
  before(async () => {
    h = await peopleHarness();
    client = await h.client();
    issuer = h.t.config.issuer;
  });
  after(async () => h?.close());

  /** A new person signed in (and consented to the default request) in a new browser. */
  async function signedIn(): Promise<{ person: TestPerson; browser: ReturnType<PeopleHarness['browser']> }> {
    const person = await h.person();
    const browser = h.browser();
    const { walk: result } = await signInForTokens(h, browser, client, person);
    assert.deepEqual(result.pages, ['login', 'consent']);
    return { person, browser };
  }

  it('redirects with 303, code, state and iss, and no-store', async () => {
    const person = await h.person();
    const browser = h.browser();
    const req = authorizationRequest(client.client_id);
    const result = await walk(browser, req.path, person);
    assert.equal(result.status, 303);
    codeFrom(result.callback, req.state, issuer);
    assert.deepEqual(
      [...result.callback.searchParams.keys()].sort(),
      ['code', 'iss', 'state'],
      'the success redirect carries code, state and iss only',
    );
  });

  it('reuses the session for a second authorization without any page', async () => {
    const { browser } = await signedIn();
    const req = authorizationRequest(client.client_id);
    const res = await browser.get(req.path);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
  });

  it('answers prompt=none with a session and consent by a code, without a page', async () => {
    const { browser } = await signedIn();
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    const res = await browser.get(req.path);
    codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
  });

  it('answers prompt=none with a session but no consent with consent_required', async () => {
    const person = await h.person();
    const browser = h.browser();
    // Sign in, then deny: the session exists, consent does not.
    const denied = authorizationRequest(client.client_id);
    const result = await walk(browser, denied.path, person, 'deny');
    assert.equal(result.callback.searchParams.get('error'), 'access_denied');
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    assertErrorRedirect(await browser.get(req.path), 'consent_required', req.state, issuer);
    const otherScope = authorizationRequest(client.client_id, { prompt: 'none', scope: 'openid' });
    assertErrorRedirect(await browser.get(otherScope.path), 'consent_required', otherScope.state, issuer);
  });

  it('forces the login page with prompt=login and records a new auth_time', async () => {
    const { person, browser } = await signedIn();
    const first = await signInForTokens(h, browser, client, person);
    assert.deepEqual(first.walk.pages, [], 'the session answered without pages');
    const firstAuthTime = decodeJwt(first.tokens.id_token ?? '').auth_time as number;
    h.t.clock.advance(120);
    const again = await signInForTokens(h, browser, client, person, { prompt: 'login' });
    assert.deepEqual(again.walk.pages, ['login']);
    const claims = decodeJwt(again.tokens.id_token ?? '');
    assert.equal(claims.auth_time, h.t.clock.now());
    assert.equal(claims.auth_time, firstAuthTime + 120);
    // The new sign-in is the session's now: a later request without prompt keeps that auth_time.
    h.t.clock.advance(5);
    const later = await signInForTokens(h, browser, client, person);
    assert.deepEqual(later.walk.pages, []);
    assert.equal(decodeJwt(later.tokens.id_token ?? '').auth_time, firstAuthTime + 120);
  });

  it('forces a fresh login when max_age has passed, and not before', async () => {
    const { person, browser } = await signedIn();
    const authTime = h.t.clock.now();
    h.t.clock.advance(100);
    const fresh = await signInForTokens(h, browser, client, person, { max_age: '100' });
    assert.deepEqual(fresh.walk.pages, [], 'exactly max_age seconds is still fresh enough');
    assert.equal(decodeJwt(fresh.tokens.id_token ?? '').auth_time, authTime);
    h.t.clock.advance(1);
    const stale = await signInForTokens(h, browser, client, person, { max_age: '100' });
    assert.deepEqual(stale.walk.pages, ['login']);
    assert.equal(decodeJwt(stale.tokens.id_token ?? '').auth_time, authTime + 101);
  });

  it('treats max_age=0 as a demand for a fresh sign-in', async () => {
    const { person, browser } = await signedIn();
    const result = await signInForTokens(h, browser, client, person, { max_age: '0' });
    assert.deepEqual(result.walk.pages, ['login']);
    assert.equal(decodeJwt(result.tokens.id_token ?? '').auth_time, h.t.clock.now());
  });

  it('ends the previous session of the browser when the person signs in again', async () => {
    const { person, browser } = await signedIn();
    const previous = browser.cookie('signet_session');
    assert.ok(previous);
    await signInForTokens(h, browser, client, person, { prompt: 'login' });
    const current = browser.cookie('signet_session');
    assert.ok(current);
    assert.notEqual(current, previous, 'a sign-in gets a new session id');
    const replay = authorizationRequest(client.client_id, { prompt: 'none' });
    const res = await h.browser({ cookie: `signet_session=${previous}` }).get(replay.path);
    assertErrorRedirect(res, 'login_required', replay.state, issuer);
  });

  it('answers prompt=none with login_required when max_age has passed', async () => {
    const { browser } = await signedIn();
    h.t.clock.advance(61);
    const req = authorizationRequest(client.client_id, { prompt: 'none', max_age: '60' });
    assertErrorRedirect(await browser.get(req.path), 'login_required', req.state, issuer);
  });

  it('answers prompt=none with login_required once the session has expired', async () => {
    const { browser } = await signedIn();
    h.t.clock.advance(h.t.config.sessionTtl);
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    assertErrorRedirect(await browser.get(req.path), 'login_required', req.state, issuer);
  });

  it('ends a request for urn:acr:face in unmet_authentication_requirements after login, without consent', async () => {
    const person = await h.person();
    const req = authorizationRequest(client.client_id, { acr_values: 'urn:acr:face' });
    const result = await walk(h.browser(), req.path, person);
    assert.deepEqual(result.pages, ['login']);
    assert.equal(result.callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(result.callback.searchParams.get('state'), req.state);
    assert.equal(result.callback.searchParams.get('iss'), issuer);
    assert.equal(result.callback.searchParams.get('code'), null);
  });

  it('answers urn:acr:face at once, with prompt=none or without, when a session exists', async () => {
    const { browser } = await signedIn();
    for (const prompt of ['none', undefined]) {
      const req = authorizationRequest(client.client_id, { acr_values: 'urn:acr:face', prompt });
      assertErrorRedirect(await browser.get(req.path), 'unmet_authentication_requirements', req.state, issuer);
    }
  });

  it('presents urn:acr:password when it is asked for, alone or after a level that cannot be met', async () => {
    const { person, browser } = await signedIn();
    for (const acrValues of ['urn:acr:password', 'urn:acr:face urn:acr:password']) {
      const { tokens } = await signInForTokens(h, browser, client, person, { acr_values: acrValues });
      const claims = decodeJwt(tokens.id_token ?? '');
      assert.equal(claims.acr, 'urn:acr:password');
      assert.deepEqual(claims.amr, ['pwd']);
    }
  });

  it('presents the achieved acr when none is asked for', async () => {
    const { person, browser } = await signedIn();
    const { tokens } = await signInForTokens(h, browser, client, person);
    assert.equal(decodeJwt(tokens.id_token ?? '').acr, 'urn:acr:password');
  });

  it('runs the same flow when the request is POSTed', async () => {
    const { browser } = await signedIn();
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    const res = await browser.post('/oauth2/auth', Object.fromEntries(req.params));
    const code = codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
    const answer = await redeemCode(h.origin, client, code, req.verifier);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  it('shows the login page to a browser whose session cookie names no session', async () => {
    const browser = h.browser({ cookie: 'signet_session=not-a-session' });
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    assertErrorRedirect(await browser.get(req.path), 'login_required', req.state, issuer);
  });
});

describe('/oauth2/auth with id_token_hint (OpenID Connect Core §3.1.2.1)', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let issuer: string;
  before(async () => {
    h = await peopleHarness();
    client = await h.client();
    issuer = h.t.config.issuer;
  });
  after(async () => h?.close());

  /** A new person signed in (and consented) in a new browser, with the id_token the client got. */
  async function signedIn(as = client) {
    const person = await h.person();
    const browser = h.browser();
    const { tokens } = await signInForTokens(h, browser, as, person);
    assert.ok(tokens.id_token && tokens.access_token);
    return { person, browser, idToken: tokens.id_token, accessToken: tokens.access_token };
  }

  it('answers prompt=none with login_required, not a code, when the hint names someone else', async () => {
    const mallory = await signedIn();
    const ada = await signedIn();
    // Ada's browser, and a client that believes it is talking about Mallory.
    const req = authorizationRequest(client.client_id, { prompt: 'none', id_token_hint: mallory.idToken });
    const res = await ada.browser.get(req.path);
    assertErrorRedirect(res, 'login_required', req.state, issuer);
  });

  it('answers prompt=none with a code when the hint names the signed-in person, even once it has expired', async () => {
    const ada = await signedIn();
    const fresh = authorizationRequest(client.client_id, { prompt: 'none', id_token_hint: ada.idToken });
    codeFrom(new URL((await ada.browser.get(fresh.path)).headers.get('location') ?? ''), fresh.state, issuer);
    h.t.clock.advance(h.t.config.idTokenTtl + 1);
    const expired = authorizationRequest(client.client_id, { prompt: 'none', id_token_hint: ada.idToken });
    const res = await ada.browser.get(expired.path);
    const code = codeFrom(new URL(res.headers.get('location') ?? ''), expired.state, issuer);
    const answer = await redeemCode(h.origin, client, code, expired.verifier);
    assert.equal(decodeJwt(answer.body.id_token ?? '').sub, ada.person.id);
  });

  it('sends the browser to the login page, not back with a code, when the hint names someone else', async () => {
    const mallory = await signedIn();
    const ada = await signedIn();
    const control = authorizationRequest(client.client_id);
    codeFrom(new URL((await ada.browser.get(control.path)).headers.get('location') ?? ''), control.state, issuer);
    const req = authorizationRequest(client.client_id, { id_token_hint: mallory.idToken });
    const res = await ada.browser.get(req.path);
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/interaction\/[A-Za-z0-9_-]+$/);
  });

  it('redirects a hint this issuer did not sign for this client with invalid_request, signed in or not', async () => {
    const ada = await signedIn();
    const other = await h.client({ client_name: 'Other' });
    const forOther = await signedIn(other);
    const [header, payload] = ada.idToken.split('.');
    const forged = await new SignJWT({ ...decodeJwt(ada.idToken), sub: 'someone-else' })
      .setProtectedHeader(decodeProtectedHeader(ada.idToken) as { alg: 'ES256' })
      .sign((await generateKeyPair('ES256')).privateKey);
    const hints: [string, string][] = [
      ['not a JWT', 'not-a-jwt'],
      ['an id_token issued to another client', forOther.idToken],
      ['an id_token signed by another key', forged],
      ['an id_token with its signature stripped', `${header}.${payload}.`],
      ['an unsigned id_token', `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`],
      ['an access token', ada.accessToken],
    ];
    for (const [what, hint] of hints) {
      for (const [browser, prompt] of [
        [ada.browser, 'none'],
        [ada.browser, undefined],
        [h.browser(), 'none'],
      ] as const) {
        const req = authorizationRequest(client.client_id, { prompt, id_token_hint: hint });
        const url = assertErrorRedirect(await browser.get(req.path), 'invalid_request', req.state, issuer);
        assert.match(url.searchParams.get('error_description') ?? '', /id_token_hint/, what);
      }
    }
  });
});
