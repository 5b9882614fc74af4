import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  assertErrorPage,
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  openPage,
  type PeopleHarness,
  peopleHarness,
  signInForTokens,
  type TestClient,
} from '@signet/testing/people';
import { generateKeyPair, SignJWT } from 'jose';

const SIGNED_OUT = 'https://app.example/signed-out';
const LOGOUT = '/oauth2/sessions/logout';

describe('RP-Initiated Logout at /oauth2/sessions/logout', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let issuer: string;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ post_logout_redirect_uris: [SIGNED_OUT], skip_consent: true });
    issuer = h.t.config.issuer;
  });
  after(async () => h?.close());

  /** A new person signed in through the client in a new browser, with their id_token. */
  async function signedIn(): Promise<{ browser: TestBrowser; idToken: string; sessionCookie: string }> {
    const browser = h.browser();
    const { tokens } = await signInForTokens(h, browser, client, await h.person());
    const sessionCookie = browser.cookie('signet_session');
    assert.ok(sessionCookie && tokens.id_token);
    return { browser, idToken: tokens.id_token, sessionCookie };
  }

  /** Whether `browser` (or a browser holding `cookie`) is still signed in, by a prompt=none request. */
  async function isSignedIn(browser: TestBrowser): Promise<boolean> {
    const req = authorizationRequest(client.client_id, { prompt: 'none' });
    const res = await browser.get(req.path);
    const url = new URL(res.headers.get('location') ?? '');
    if (url.searchParams.get('code')) {
      codeFrom(url, req.state, issuer);
      return true;
    }
    assertErrorRedirect(res, 'login_required', req.state, issuer);
    return false;
  }

  const logoutUrl = (params: Record<string, string>) => `${LOGOUT}?${new URLSearchParams(params)}`;

  for (const method of ['GET', 'POST'] as const) {
    it(`${method} with the current session's id_token_hint ends it and redirects to the registered URI with state`, async () => {
      const { browser, idToken, sessionCookie } = await signedIn();
      assert.equal(await isSignedIn(browser), true);
      const params = { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'logout-state-1' };
      const res = method === 'GET' ? await browser.get(logoutUrl(params)) : await browser.post(LOGOUT, params);
      assert.equal(res.status, 303, await res.text());
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, SIGNED_OUT);
      assert.equal(location.searchParams.get('state'), 'logout-state-1');
      const cleared = res.headers.getSetCookie().find((c) => c.startsWith('signet_session='));
      assert.ok(cleared, 'the session cookie is cleared');
      assert.match(cleared, /^signet_session=;/);
      assert.match(cleared, /Expires=Thu, 01 Jan 1970|Max-Age=0/i);
      assert.equal(browser.cookie('signet_session'), undefined);
      assert.equal(await isSignedIn(browser), false);
      // The session is gone on the server too, not only from the browser.
      assert.equal(await isSignedIn(h.browser({ cookie: `signet_session=${sessionCookie}` })), false);
    });
  }

  it('accepts an expired id_token as the hint', async () => {
    const { browser, idToken } = await signedIn();
    h.t.clock.advance(h.t.config.idTokenTtl + 60);
    const res = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }));
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), SIGNED_OUT);
    assert.equal(await isSignedIn(browser), false);
  });

  it('shows an error page, never a redirect, for an unregistered post_logout_redirect_uri', async () => {
    const { browser, idToken } = await signedIn();
    for (const uri of [`${SIGNED_OUT}/`, 'https://evil.example/signed-out', `${SIGNED_OUT}?x=1`]) {
      const res = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri }));
      const html = await assertErrorPage(res, 400, 'invalid_request');
      assert.match(html, /sign-out link would send you to an address the application has not registered/);
    }
    const other = await h.client({ post_logout_redirect_uris: ['https://other.example/bye'] });
    const foreign = await browser.get(
      logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://other.example/bye' }),
    );
    await assertErrorPage(foreign, 400, 'invalid_request');
    const mismatched = await browser.get(
      logoutUrl({
        id_token_hint: idToken,
        client_id: other.client_id,
        post_logout_redirect_uri: 'https://other.example/bye',
      }),
    );
    await assertErrorPage(mismatched, 400, 'invalid_request');
    assert.equal(await isSignedIn(browser), true, 'a refused logout leaves the session alone');
  });

  it('refuses a post_logout_redirect_uri without id_token_hint or client_id', async () => {
    const { browser } = await signedIn();
    await assertErrorPage(
      await browser.get(logoutUrl({ post_logout_redirect_uri: SIGNED_OUT })),
      400,
      'invalid_request',
    );
    assert.equal(await isSignedIn(browser), true);
  });

  it('refuses a hint that is not an id_token of this issuer', async () => {
    const { browser, idToken } = await signedIn();
    const { privateKey } = await generateKeyPair('ES256');
    const [, payload] = idToken.split('.');
    const forged = await new SignJWT(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()))
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .sign(privateKey);
    for (const hint of ['not-a-jwt', forged]) {
      const res = await browser.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT }));
      await assertErrorPage(res, 400, 'invalid_request');
    }
    assert.equal(await isSignedIn(browser), true);
  });

  it('refuses an access token as the hint', async () => {
    const browser = h.browser();
    const { tokens } = await signInForTokens(h, browser, client, await h.person());
    const res = await browser.get(
      logoutUrl({ id_token_hint: tokens.access_token ?? '', post_logout_redirect_uri: SIGNED_OUT }),
    );
    await assertErrorPage(res, 400, 'invalid_request');
    assert.equal(await isSignedIn(browser), true);
  });

  it('asks to confirm without a hint, with a CSRF-protected form', async () => {
    const { browser } = await signedIn();
    const { res, html, action, csrf } = await openPage(browser, logoutUrl({ state: 'abcdefgh' }));
    assert.equal(action, `${LOGOUT}/confirm`);
    assert.ok(csrf.length >= 32);
    assert.match(html, /Sign out/);
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(await isSignedIn(browser), true, 'showing the page signs nobody out');

    const confirmed = await browser.post(action, { csrf });
    assert.equal(confirmed.status, 200);
    assert.match(await confirmed.text(), /You are signed out/);
    assert.equal(await isSignedIn(browser), false);
  });

  it('refuses a confirmation with a wrong or missing csrf (403) and keeps the session', async () => {
    const { browser } = await signedIn();
    const { action, csrf } = await openPage(browser, LOGOUT);
    const forms: Record<string, string>[] = [{}, { csrf: `${csrf.slice(0, -1)}x` }, { csrf: 'short' }];
    for (const form of forms) {
      const res = await browser.post(action, form);
      await assertErrorPage(res, 403, 'invalid_request');
    }
    // The token of one browser does not work in another, which lacks the cookie it is checked against.
    const other = await signedIn();
    await assertErrorPage(await other.browser.post(action, { csrf }), 403, 'invalid_request');
    assert.equal(await isSignedIn(other.browser), true);
    assert.equal(await isSignedIn(browser), true);
  });

  it('asks to confirm when the hint names someone other than the signed-in person', async () => {
    const first = await signedIn();
    const second = await signedIn();
    const { action, csrf, html } = await openPage(
      second.browser,
      logoutUrl({ id_token_hint: first.idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'state-for-b' }),
    );
    assert.match(html, /Acme Signing/);
    assert.equal(await isSignedIn(second.browser), true);
    const res = await second.browser.post(action, {
      csrf,
      client_id: client.client_id,
      post_logout_redirect_uri: SIGNED_OUT,
      state: 'state-for-b',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${SIGNED_OUT}?state=state-for-b`);
    assert.equal(await isSignedIn(second.browser), false);
  });

  it('carries client_id, post_logout_redirect_uri and state through the confirmation', async () => {
    const { browser } = await signedIn();
    const { action, csrf, html } = await openPage(
      browser,
      logoutUrl({ client_id: client.client_id, post_logout_redirect_uri: SIGNED_OUT, state: 'confirm-state' }),
    );
    const hidden = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    assert.equal(hidden.post_logout_redirect_uri, SIGNED_OUT);
    assert.equal(hidden.state, 'confirm-state');
    assert.equal(hidden.csrf, csrf);
    const res = await browser.post(action, hidden as Record<string, string>);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `${SIGNED_OUT}?state=confirm-state`);
    assert.equal(await isSignedIn(browser), false);
  });

  it('refuses an unregistered post_logout_redirect_uri slipped into the confirmation', async () => {
    const { browser } = await signedIn();
    const { action, csrf } = await openPage(browser, logoutUrl({ client_id: client.client_id }));
    const res = await browser.post(action, {
      csrf,
      client_id: client.client_id,
      post_logout_redirect_uri: 'https://evil.example/',
    });
    await assertErrorPage(res, 400, 'invalid_request');
    assert.equal(await isSignedIn(browser), true);
  });

  it('shows the signed-out page at once to a browser without a session', async () => {
    const res = await h.browser().get(LOGOUT);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /You are signed out/);
  });
});
