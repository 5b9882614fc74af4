import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  assertErrorPage,
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  openPage,
  PASSWORD,
  type PeopleHarness,
  peopleHarness,
  REDIRECT_URI,
  redeemCode,
  type TestClient,
  type TestPerson,
  walk,
} from '@signet/testing/people';
import { ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT, THROTTLE_WINDOW } from './interaction-login.js';

/** Asserts the headers every login, consent and error page must carry. */
function assertPageHeaders(res: Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'(;|$)/, csp);
  assert.match(csp, /(^|;)\s*default-src 'none'(;|$)/, csp);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/);
}

/** The visible text of a page, with tags, hidden fields and the echoed username removed. */
function pageText(html: string, username: string): string {
  return html
    .replace(/<input[^>]*type="hidden"[^>]*>/g, '')
    .replaceAll(username, '<username>')
    .replace(/\s+/g, ' ');
}

describe('login and consent pages', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let issuer: string;
  before(async () => {
    h = await peopleHarness();
    client = await h.client();
    issuer = h.t.config.issuer;
  });
  after(async () => h?.close());
  // Every test starts in a fresh throttling window, so failures of one test do not throttle the next.
  beforeEach(() => h.t.clock.advance(THROTTLE_WINDOW));

  /** Starts an authorization in `browser` and opens its login page. */
  async function loginPage(browser: TestBrowser, overrides: Record<string, string | undefined> = {}) {
    const req = authorizationRequest(client.client_id, overrides);
    const res = await browser.get(req.path);
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    return { req, location, ...(await openPage(browser, location)) };
  }

  /** Signs in on a login page and opens the consent page it leads to. */
  async function consentPage(browser: TestBrowser, person: TestPerson, overrides: Record<string, string> = {}) {
    const login = await loginPage(browser, overrides);
    const res = await browser.post(login.action, { csrf: login.csrf, username: person.username, password: PASSWORD });
    assert.equal(res.status, 303, await res.text());
    assert.equal(res.headers.get('location'), login.location);
    return { req: login.req, location: login.location, ...(await openPage(browser, login.location)) };
  }

  it('sends the login page with CSP frame-ancestors none, X-Frame-Options, no referrer and no-store', async () => {
    const { res, html } = await loginPage(h.browser());
    assertPageHeaders(res);
    assert.match(res.headers.get('content-security-policy') ?? '', /form-action 'self' https:\/\/app\.example/);
    assert.match(html, /Acme Signing/);
    assert.match(html, /type="password"/);
  });

  it('sends the consent page with the same headers, naming the client and what each scope reveals', async () => {
    const { res, html } = await consentPage(h.browser(), await h.person());
    assertPageHeaders(res);
    assert.match(html, /Acme Signing/);
    assert.match(html, /decision/);
    assert.match(html, /your email address/);
    assert.match(html, /your phone number/);
  });

  it('shows on consent only what is granted: no "while you are away" without refresh tokens, each claim once', async () => {
    const scope = 'openid profile birthdate credential email offline offline_access';
    const noRefresh = await h.client({ grant_types: ['authorization_code'] });
    const login = await (async () => {
      const browser = h.browser();
      const req = authorizationRequest(noRefresh.client_id, { scope });
      const res = await browser.get(req.path);
      return { browser, ...(await openPage(browser, res.headers.get('location') ?? '')) };
    })();
    const person = await h.person();
    const res = await login.browser.post(login.action, {
      csrf: login.csrf,
      username: person.username,
      password: PASSWORD,
    });
    const { html } = await openPage(login.browser, res.headers.get('location') ?? '');
    assert.doesNotMatch(html, /while you are away|stays signed in/);
    assert.equal(html.match(/date of birth/g)?.length, 1, html);
    assert.equal(html.match(/identity document/g)?.length, 1, html);
    assert.match(html, /your email address/);
    // A client that does get refresh tokens is told about them, once.
    const { html: withRefresh } = await consentPage(h.browser(), await h.person(), { scope });
    assert.equal(withRefresh.match(/while you are away/g)?.length, 1, withRefresh);
  });

  it('sends the error page with the same headers', async () => {
    const res = await h.browser().get('/interaction/no-such-interaction');
    await assertErrorPage(res.clone(), 400, 'invalid_request');
    assertPageHeaders(res);
  });

  it('fills the username from login_hint', async () => {
    const { html } = await loginPage(h.browser(), { login_hint: 'ada@example.com' });
    assert.match(html, /name="username"[^>]*value="ada@example\.com"/);
  });

  it('refuses a login post without or with a wrong csrf (403) and makes no progress', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf, location } = await loginPage(browser);
    const forms: Record<string, string>[] = [
      { username: person.username, password: PASSWORD },
      { csrf: '', username: person.username, password: PASSWORD },
      { csrf: `${csrf.slice(0, -1)}x`, username: person.username, password: PASSWORD },
      { csrf: 'short', username: person.username, password: PASSWORD },
    ];
    for (const form of forms) {
      const res = await browser.post(action, form);
      await assertErrorPage(res.clone(), 403, 'invalid_request');
      assertPageHeaders(res);
      assert.equal(browser.cookie('signet_session'), undefined, 'no session was started');
    }
    // The interaction is still waiting for a sign-in, and the right token still works.
    const page = await openPage(browser, location);
    assert.equal(page.action, action);
    const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    assert.equal(res.status, 303);
    assert.ok(browser.cookie('signet_session'), 'the session starts with the right token');
  });

  it('refuses a consent post without or with a wrong csrf (403) and remembers nothing', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf, req } = await consentPage(browser, person);
    const forms: Record<string, string>[] = [{ decision: 'allow' }, { csrf: `${csrf}x`, decision: 'allow' }];
    for (const form of forms) {
      await assertErrorPage(await browser.post(action, form), 403, 'invalid_request');
    }
    const none = authorizationRequest(client.client_id, { prompt: 'none', scope: req.params.get('scope') ?? '' });
    assertErrorRedirect(await browser.get(none.path), 'consent_required', none.state, issuer);
    const res = await browser.post(action, { csrf, decision: 'allow' });
    codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
  });

  it('shows the error page to a browser without the interaction cookie, even with the right csrf', async () => {
    const person = await h.person();
    const owner = h.browser();
    const { action, csrf, location } = await loginPage(owner);
    const stranger = h.browser();
    await assertErrorPage(await stranger.get(location), 400, 'invalid_request');
    const res = await stranger.post(action, { csrf, username: person.username, password: PASSWORD });
    await assertErrorPage(res, 400, 'invalid_request');
    assert.equal(stranger.cookie('signet_session'), undefined);
    const forged = h.browser({ cookie: 'signet_ix=forged-value' });
    await assertErrorPage(
      await forged.post(action, { csrf, username: person.username, password: PASSWORD }),
      400,
      'invalid_request',
    );
    // The owner can still finish.
    const ok = await owner.post(action, { csrf, username: person.username, password: PASSWORD });
    assert.equal(ok.status, 303);
  });

  it('binds each interaction to its own cookie: the cookie of one does not open another', async () => {
    const a = h.browser();
    const b = h.browser();
    await loginPage(a);
    const other = await loginPage(b);
    const cookieOfA = a.cookie('signet_ix');
    assert.ok(cookieOfA);
    const mixed = h.browser({ cookie: `signet_ix=${cookieOfA}` });
    await assertErrorPage(await mixed.get(other.location), 400, 'invalid_request');
  });

  it('gives the same page for a wrong password and an unknown user', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    const wrong = await browser.post(action, { csrf, username: person.username, password: 'wrong horse battery' });
    const wrongHtml = await wrong.text();
    const unknown = await browser.post(action, { csrf, username: 'nobody-at-all', password: 'wrong horse battery' });
    const unknownHtml = await unknown.text();
    assert.equal(wrong.status, unknown.status);
    assert.match(wrongHtml, /Wrong email, username or password\./);
    assert.equal(pageText(wrongHtml, person.username), pageText(unknownHtml, 'nobody-at-all'));
    assert.equal(browser.cookie('signet_session'), undefined);
  });

  it('treats the username case-insensitively', async () => {
    const person = await h.person();
    const req = authorizationRequest(client.client_id);
    const result = await walk(h.browser(), req.path, { username: person.username.toUpperCase() });
    codeFrom(result.callback, req.state, issuer);
  });

  it("signs in with the verified email, any case, as the signing page's login_hint fills it", async () => {
    const email = `Grace.${randomBytes(4).toString('hex')}@Example.com`;
    await h.person({ email, email_verified: true });
    const browser = h.browser();
    const { req, action, csrf, html } = await loginPage(browser, { login_hint: email.toLowerCase() });
    assert.match(html, new RegExp(`name="username"[^>]*value="${email.toLowerCase().replaceAll('.', '\\.')}"`));
    const res = await browser.post(action, { csrf, username: email.toUpperCase(), password: PASSWORD });
    assert.equal(res.status, 303, await res.text());
    const consent = await openPage(browser, res.headers.get('location') ?? '');
    const allowed = await browser.post(consent.action, { csrf: consent.csrf, decision: 'allow' });
    codeFrom(new URL(allowed.headers.get('location') ?? ''), req.state, issuer);
  });

  it('refuses an unverified email, and an email two people share, with the same words', async () => {
    const unverified = `unverified.${randomBytes(4).toString('hex')}@example.com`;
    await h.person({ email: unverified, email_verified: false });
    const shared = `shared.${randomBytes(4).toString('hex')}@example.com`;
    await h.person({ email: shared });
    await h.person({ email: shared });
    for (const username of [unverified, shared]) {
      const browser = h.browser();
      const { action, csrf } = await loginPage(browser);
      const res = await browser.post(action, { csrf, username, password: PASSWORD });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Wrong email, username or password\./);
      assert.equal(browser.cookie('signet_session'), undefined);
    }
  });

  it('throttles an account as one, whether it is named by username or by email', async () => {
    const email = `throttled.${randomBytes(4).toString('hex')}@example.com`;
    const person = await h.person({ email });
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      const username = i % 2 ? email : person.username;
      const res = await browser.post(action, { csrf, username, password: 'wrong horse battery' });
      assert.equal(res.status, 200);
    }
    const res = await browser.post(action, { csrf, username: email, password: PASSWORD });
    assert.equal(res.status, 429);
  });

  it('refuses a person without a password, with the same words as a wrong password', async () => {
    const noPassword = await h.person({ password: undefined });
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    const res = await browser.post(action, { csrf, username: noPassword.username, password: PASSWORD });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Wrong email, username or password\./);
    assert.equal(browser.cookie('signet_session'), undefined);
  });

  it('throttles an account after 5 failures: the 6th attempt is 429 even with the right password', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      const res = await browser.post(action, { csrf, username: person.username, password: `wrong password ${i}` });
      assert.equal(res.status, 200, `failure ${i + 1} is answered normally`);
      assert.match(await res.text(), /Wrong email, username or password/);
    }
    const throttled = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    const html = await throttled.text();
    assert.equal(throttled.status, 429, html);
    assert.match(html, /Too many attempts/);
    assert.equal(throttled.headers.get('retry-after'), String(THROTTLE_WINDOW));
    assertPageHeaders(throttled);
    assert.equal(browser.cookie('signet_session'), undefined);
    // The username is compared case-insensitively for throttling too.
    const upper = await browser.post(action, { csrf, username: person.username.toUpperCase(), password: PASSWORD });
    assert.equal(upper.status, 429);
    // Another account from the same address is not throttled.
    const other = await h.person();
    const otherRes = await browser.post(action, { csrf, username: other.username, password: PASSWORD });
    assert.equal(otherRes.status, 303);
    // After the window the account signs in again.
    h.t.clock.advance(THROTTLE_WINDOW);
    const b2 = h.browser();
    const again = await loginPage(b2);
    const res = await b2.post(again.action, { csrf: again.csrf, username: person.username, password: PASSWORD });
    assert.equal(res.status, 303);
  });

  it('checks at most 5 passwords of an account even when the attempts arrive at once', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        browser.post(action, { csrf, username: person.username, password: `wrong password ${i}` }),
      ),
    );
    const statuses = answers.map((res) => res.status);
    assert.equal(statuses.filter((s) => s === 200).length, ACCOUNT_FAILURE_LIMIT, statuses.join(' '));
    assert.equal(statuses.filter((s) => s === 429).length, 15 - ACCOUNT_FAILURE_LIMIT, statuses.join(' '));
    const right = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    assert.equal(right.status, 429);
  });

  it('throttles an address after 20 failures, whatever the account', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    for (let i = 0; i < ADDRESS_FAILURE_LIMIT; i++) {
      const res = await browser.post(action, { csrf, username: `unknown-${i}`, password: 'wrong horse battery' });
      assert.equal(res.status, 200, `failure ${i + 1} is answered normally`);
    }
    const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    assert.equal(res.status, 429);
    assert.match(await res.text(), /Too many attempts/);
  });

  it('clears the account counter on success', async () => {
    const person = await h.person();
    const fail = async (browser: TestBrowser, action: string, csrf: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await browser.post(action, { csrf, username: person.username, password: 'wrong horse battery' });
        assert.equal(res.status, 200);
      }
    };
    for (let round = 0; round < 2; round++) {
      const browser = h.browser();
      const { action, csrf } = await loginPage(browser);
      await fail(browser, action, csrf, ACCOUNT_FAILURE_LIMIT - 1);
      const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
      assert.equal(res.status, 303, `round ${round + 1}: the sign-in succeeds`);
    }
  });

  it('asks for both fields', async () => {
    const browser = h.browser();
    const { action, csrf } = await loginPage(browser);
    const res = await browser.post(action, { csrf, username: '', password: '' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Enter your email or username and your password/);
  });

  it('ends in access_denied when the person denies, and remembers nothing', async () => {
    const person = await h.person();
    const browser = h.browser();
    const req = authorizationRequest(client.client_id);
    const denied = await walk(browser, req.path, person, 'deny');
    assert.deepEqual(denied.pages, ['login', 'consent']);
    const url = denied.callback;
    assert.equal(url.searchParams.get('error'), 'access_denied');
    assert.equal(url.searchParams.get('state'), req.state);
    assert.equal(url.searchParams.get('iss'), issuer);
    assert.equal(url.searchParams.get('code'), null);
    const again = await walk(browser, authorizationRequest(client.client_id).path, person);
    assert.deepEqual(again.pages, ['consent'], 'the session remains; consent is asked again');
  });

  it('remembers an allow per person, client and scope set', async () => {
    const person = await h.person();
    const browser = h.browser();
    const scope = 'openid email phone';
    const first = await walk(browser, authorizationRequest(client.client_id, { scope }).path, person);
    assert.deepEqual(first.pages, ['login', 'consent']);

    // The same set, in another order and in another browser: no consent page.
    const reordered = authorizationRequest(client.client_id, { scope: 'phone openid email' });
    const second = await walk(h.browser(), reordered.path, person);
    assert.deepEqual(second.pages, ['login']);
    codeFrom(second.callback, reordered.state, issuer);
    const third = authorizationRequest(client.client_id, { scope });
    const res = await browser.get(third.path);
    codeFrom(new URL(res.headers.get('location') ?? ''), third.state, issuer);

    // Another scope set is asked again, even a narrower one.
    for (const other of ['openid email phone profile', 'openid email']) {
      const result = await walk(browser, authorizationRequest(client.client_id, { scope: other }).path, person);
      assert.deepEqual(result.pages, ['consent'], other);
    }
    // Another person is asked.
    const someoneElse = await walk(
      h.browser(),
      authorizationRequest(client.client_id, { scope }).path,
      await h.person(),
    );
    assert.deepEqual(someoneElse.pages, ['login', 'consent']);
    // Another client is asked.
    const otherClient = await h.client();
    const forOther = await walk(browser, authorizationRequest(otherClient.client_id, { scope }).path, person);
    assert.deepEqual(forOther.pages, ['consent']);
  });

  it('shows consent with prompt=consent even when remembered', async () => {
    const person = await h.person();
    const browser = h.browser();
    await walk(browser, authorizationRequest(client.client_id).path, person);
    const req = authorizationRequest(client.client_id, { prompt: 'consent' });
    const result = await walk(browser, req.path, person);
    assert.deepEqual(result.pages, ['consent']);
    const code = codeFrom(result.callback, req.state, issuer);
    assert.equal((await redeemCode(h.origin, client, code, req.verifier)).status, 200);
  });

  it('never shows consent for a skip_consent client, even with prompt=consent', async () => {
    const firstParty = await h.client({ skip_consent: true });
    const person = await h.person();
    const browser = h.browser();
    const first = await walk(browser, authorizationRequest(firstParty.client_id).path, person);
    assert.deepEqual(first.pages, ['login']);
    const req = authorizationRequest(firstParty.client_id, { prompt: 'consent', scope: 'openid email' });
    const second = await walk(browser, req.path, person);
    assert.deepEqual(second.pages, []);
    codeFrom(second.callback, req.state, issuer);
    const none = authorizationRequest(firstParty.client_id, { prompt: 'none', scope: 'openid' });
    codeFrom(new URL((await browser.get(none.path)).headers.get('location') ?? ''), none.state, issuer);
  });

  it('ends an interaction once: its pages are gone after the code is issued', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf, location, req } = await consentPage(browser, person);
    const res = await browser.post(action, { csrf, decision: 'allow' });
    codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
    await assertErrorPage(await browser.get(location), 400, 'invalid_request');
    await assertErrorPage(await browser.post(action, { csrf, decision: 'allow' }), 400, 'invalid_request');
  });

  it('issues one code when the consent form is sent twice at once', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf, req } = await consentPage(browser, person);
    const answers = await Promise.all([
      browser.post(action, { csrf, decision: 'allow' }),
      browser.post(action, { csrf, decision: 'allow' }),
    ]);
    const codes = answers.filter((res) => res.status === 303);
    assert.equal(codes.length, 1, answers.map((res) => res.status).join(' '));
    codeFrom(new URL(codes[0]?.headers.get('location') ?? ''), req.state, issuer);
    const other = answers.find((res) => res.status !== 303);
    assert.ok(other);
    await assertErrorPage(other, 400, 'invalid_request');
  });

  it('issues one code when the login form is sent twice at once for a first-party client', async () => {
    const firstParty = await h.client({ skip_consent: true });
    const person = await h.person();
    const browser = h.browser();
    const req = authorizationRequest(firstParty.client_id);
    const start = await browser.get(req.path);
    const { action, csrf } = await openPage(browser, start.headers.get('location') ?? '');
    const form = { csrf, username: person.username, password: PASSWORD };
    const answers = await Promise.all([browser.post(action, form), browser.post(action, form)]);
    const codes = answers.filter((res) => res.headers.get('location')?.startsWith('https://app.example/'));
    assert.equal(codes.length, 1, answers.map((res) => res.status).join(' '));
  });

  it("says every error page in the person's language, with no developer text", async () => {
    const es = { 'accept-language': 'es' };
    const developerText =
      /unknown client_id|redirect_uri|client_id|is not registered|expired or belongs|form expired|csrf|start again from/i;
    const pages: [string, Response, string][] = [];
    const unknown = authorizationRequest('no-such-client');
    pages.push(['unknown client', await h.browser(es).get(unknown.path), 'no está registrada aquí']);
    const badRedirect = authorizationRequest(client.client_id, { redirect_uri: 'https://evil.example/cb' });
    pages.push(['unregistered redirect', await h.browser(es).get(badRedirect.path), 'no ha registrado']);
    pages.push(['no interaction', await h.browser(es).get('/interaction/no-such-interaction'), 'ha caducado']);
    const browser = h.browser(es);
    const { action } = await loginPage(browser);
    pages.push(['bad csrf', await browser.post(action, { csrf: 'wrong', username: 'x', password: 'y' }), 'caducó']);
    for (const [what, res, spanish] of pages) {
      const html = await res.text();
      assert.ok(res.status >= 400, what);
      assert.equal(res.headers.get('content-language'), 'es', what);
      assert.ok(html.includes(spanish), `${what}: ${html}`);
      assert.ok(html.includes('Algo salió mal'), what);
      const text = html.replace(/<[^>]*>/g, ' ').replace(/Código de error:\s*\w+/, '');
      assert.doesNotMatch(text, developerText, what);
    }
  });

  it('offers help and a language switch on the login page; switching keeps the request', async () => {
    const browser = h.browser();
    const { location, action, csrf, html } = await loginPage(browser);
    assert.match(html, /<a href="\/help\?lang=en" id="help-link">Trouble signing in\?<\/a>/);
    const switchHref = html.match(/<a href="([^"]+)" lang="es" hreflang="es">Español<\/a>/)?.[1];
    assert.equal(switchHref, `${location}?lang=es`);
    const spanish = await openPage(browser, switchHref);
    assert.equal(spanish.res.headers.get('content-language'), 'es');
    assert.equal(spanish.action, action, 'the same interaction');
    assert.equal(spanish.csrf, csrf);
    assert.match(spanish.html, /<span lang="es" aria-current="true">Español<\/span>/);
    const help = await browser.get('/help?lang=es');
    assert.equal(help.status, 200);
    assert.match(await help.text(), /Ayuda para iniciar sesión/);
    // The choice holds through the sign-in: the consent page that follows is in Spanish too.
    const person = await h.person();
    const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    const consent = await openPage(browser, res.headers.get('location') ?? '');
    assert.equal(consent.res.headers.get('content-language'), 'es');
  });

  it('uses ui_locales for the pages of the interaction', async () => {
    const { res, html } = await loginPage(h.browser(), { ui_locales: 'es' });
    assert.equal(res.headers.get('content-language'), 'es');
    assert.match(html, /Contraseña/);
  });

  it('stops an interaction whose redirect URI was unregistered meanwhile', async () => {
    const changing = await h.client({ redirect_uris: ['https://app.example/callback', 'https://old.example/cb'] });
    const person = await h.person();
    const browser = h.browser();
    const req = authorizationRequest(changing.client_id, { redirect_uri: 'https://old.example/cb' });
    const start = await browser.get(req.path);
    const { action, csrf } = await openPage(browser, start.headers.get('location') ?? '');
    const put = await h.t.adminApp.inject({
      method: 'PUT',
      url: `/admin/clients/${changing.client_id}`,
      headers: { authorization: h.t.adminAuth },
      payload: { client_name: 'Acme Signing', grant_types: ['authorization_code'], redirect_uris: [REDIRECT_URI] },
    });
    assert.equal(put.statusCode, 200, put.body);
    const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    await assertErrorPage(res, 400, 'invalid_request');
  });

  it('expires an interaction after 30 minutes', async () => {
    const person = await h.person();
    const browser = h.browser();
    const { action, csrf, location } = await loginPage(browser);
    h.t.clock.advance(30 * 60);
    await assertErrorPage(await browser.get(location), 400, 'invalid_request');
    const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
    await assertErrorPage(res, 400, 'invalid_request');
  });

  it('does not let a consent post through before the person signed in', async () => {
    const browser = h.browser();
    const { location, csrf } = await loginPage(browser);
    const res = await browser.post(`${location}/consent`, { csrf, decision: 'allow' });
    assert.equal(res.headers.get('location'), null, 'no code without a sign-in');
    assert.match(await res.text(), /type="password"/);
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;
describe('login on PostgreSQL', {
  skip: pgUrl ? false : 'TEST_DATABASE_URL is not set: the PostgreSQL leg was SKIPPED',
}, () => {
  let h: PeopleHarness;
  let client: TestClient;
  before(async () => {
    h = await peopleHarness({ postgresUrl: pgUrl as string });
    client = await h.client();
  });
  after(async () => h?.close());

  it('answers a very long username like any wrong one, and still counts it', async () => {
    const browser = h.browser();
    const req = authorizationRequest(client.client_id);
    const start = await browser.get(req.path);
    const { action, csrf } = await openPage(browser, start.headers.get('location') ?? '');
    // Random, so PostgreSQL cannot compress it below its index row limit.
    const username = randomBytes(10_000).toString('hex');
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) {
      const res = await browser.post(action, { csrf, username, password: 'wrong horse battery' });
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 300));
      assert.match(html, /Wrong email, username or password/);
    }
    const res = await browser.post(action, { csrf, username, password: 'wrong horse battery' });
    assert.equal(res.status, 429);
  });

  it('signs in', async () => {
    const person = await h.person();
    const req = authorizationRequest(client.client_id);
    const result = await walk(h.browser(), req.path, person);
    codeFrom(result.callback, req.state, h.t.config.issuer);
  });
});
