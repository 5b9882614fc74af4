import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AuthorizationResponseError,
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  ClientSecretBasic,
  type Configuration,
  calculatePKCECodeChallenge,
  discovery,
  fetchUserInfo,
  randomNonce,
  randomPKCECodeVerifier,
  refreshTokenGrant,
} from 'openid-client';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { type RunningSignet, startSignet } from '../signet.js';

// The documented authorization request done as a person would, in Debian's Chromium
// driven by playwright-core, with openid-client v6 (unmodified) as the relying party. The browser
// talks to real listeners; the client's redirect URI is a tiny HTTP server that answers "ok".

const DOCUMENTED_SCOPE = 'openid profile birthdate email phone credential offline offline_access';
const PASSWORD = 'correct horse battery';
const CLIENT_NAME = 'Acme Signing';

// The project compiles without lib.dom. These are the few browser globals that the functions
// handed to page.evaluate (serialized by Playwright, run in Chromium) use.
/** A focusable element as the focus-order checks see it. */
interface PageElement {
  tagName: string;
  name?: string;
  type?: string;
  value?: string;
}
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: PageElement | null;
  body: unknown;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (event: { effectiveDirective: string; blockedURI: string; documentURI: string }) => void,
  ): void;
};
declare function getComputedStyle(element: unknown): {
  backgroundColor: string;
  outlineStyle: string;
  outlineWidth: string;
};

/** Where a failing test leaves a screenshot of the page it was on. */
const SCREENSHOT_DIR = join(tmpdir(), 'signet-browser-screenshots');

/** One authorization request: its URL and the secrets the relying party keeps. */
interface AuthRequest {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

/** What a page did wrong while it was open: console errors, uncaught errors, CSP violations. */
interface PageWatch {
  problems: string[];
}

describe('the documented authorization code flow in Chromium', { timeout: 60_000 }, () => {
  let signet: RunningSignet;
  let callbackServer: Server;
  let callbackUrl: string;
  const callbackHits: string[] = [];
  let config: Configuration;
  let browser: Browser;
  const watches = new WeakMap<Page, PageWatch>();

  before(async () => {
    callbackServer = createServer((request, response) => {
      callbackHits.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    const address = callbackServer.address();
    assert.ok(address && typeof address === 'object');
    callbackUrl = `http://127.0.0.1:${address.port}/callback`;

    const [started, launched] = await Promise.all([
      startSignet(),
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
    signet = started;
    browser = launched;
    const client = await signet.createClient({
      client_name: CLIENT_NAME,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [callbackUrl],
    });
    config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
    await signet?.close();
  });

  /** A new person each time: consent is remembered per person, client and scope set. */
  const newPerson = () => signet.createUser();

  /** Builds the documented authorization URL with openid-client: PKCE S256, state, nonce. */
  async function authorizationRequest(extra: Record<string, string> = {}): Promise<AuthRequest> {
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl,
      scope: DOCUMENTED_SCOPE,
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, verifier, nonce, state };
  }

  /**
   * A fresh browser context (no cookies) and page, watched for console errors, uncaught errors
   * and CSP violations. The violation listener is injected through the DevTools protocol, so the
   * pages' own CSP (no scripts) does not block it.
   */
  async function openPage(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const watch: PageWatch = { problems: [] };
    watches.set(page, watch);
    await context.exposeBinding('__signetCspViolation', (_source, text: string) => {
      watch.problems.push(`CSP violation: ${text}`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = (globalThis as unknown as { __signetCspViolation: (text: string) => void }).__signetCspViolation;
        report(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'} on ${event.documentURI}`);
      });
    });
    page.on('console', (message) => {
      if (message.type() === 'error') {
        watch.problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => watch.problems.push(`page error: ${error.message}`));
    return { context, page };
  }

  /** Fails with the page's problems, if any, and leaves a screenshot to look at. */
  async function assertNoProblems(page: Page, name: string): Promise<void> {
    const problems = watches.get(page)?.problems ?? [];
    if (problems.length === 0) return;
    const path = await screenshot(page, name);
    assert.deepEqual(problems, [], `${name}: console errors or CSP violations (screenshot: ${path})`);
  }

  /** Saves a full-page screenshot under {@link SCREENSHOT_DIR} and returns its path. */
  async function screenshot(page: Page, name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    await page.screenshot({ path, fullPage: true }).catch(() => undefined);
    return path;
  }

  /** The headers every page must carry. */
  function assertPageHeaders(headers: Record<string, string>, what: string): void {
    assert.match(headers['content-type'] ?? '', /^text\/html/, `${what}: content-type`);
    const csp = headers['content-security-policy'] ?? '';
    assert.match(csp, /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, `${what}: CSP has frame-ancestors 'none': ${csp}`);
    assert.equal(headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
    assert.equal(headers['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
    assert.equal(headers['cache-control'], 'no-store', `${what}: Cache-Control`);
  }

  /**
   * Does `submit` (the login form's submission) and waits for the consent page it leads to: the
   * response of the GET of `/interaction/:id` that follows the 303, then its Allow button.
   */
  async function toConsent(page: Page, submit: () => Promise<void>) {
    const [response] = await Promise.all([
      page.waitForResponse(
        (response) =>
          response.request().method() === 'GET' &&
          response.request().resourceType() === 'document' &&
          /^\/interaction\/[^/]+$/.test(new URL(response.url()).pathname),
      ),
      submit(),
    ]);
    await page.locator('button[name="decision"][value="allow"]').waitFor();
    return response;
  }

  /** Whether the page is now at the client's redirect URI. */
  const atCallback = (url: URL) => url.href.startsWith(`${callbackUrl}?`);

  /** Hands the callback URL to openid-client and checks the tokens it yields. */
  async function redeem(page: Page, request: AuthRequest, person: { id: string }) {
    assert.equal(await page.locator('body').textContent(), 'ok', 'the callback server answered');
    const callback = new URL(page.url());
    assert.ok(callbackHits.includes(`${callback.pathname}${callback.search}`), 'the callback server was reached');
    assert.equal(callback.searchParams.get('iss'), signet.issuer);
    const tokens = await authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.sub, person.id);
    assert.equal(claims.acr, 'urn:acr:password');
    assert.equal(claims.nonce, request.nonce);
    return tokens;
  }

  it('signs in, consents and returns a code that yields an id_token, userinfo and a refresh token', async () => {
    const person = await newPerson();
    const request = await authorizationRequest();
    const { context, page } = await openPage();
    try {
      const login = await page.goto(request.url.href);
      assert.ok(login);
      assert.equal(login.status(), 200);
      assertPageHeaders(await login.allHeaders(), 'login page');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.match(
        (await page.locator('main').textContent()) ?? '',
        new RegExp(CLIENT_NAME),
        'the login page names the client',
      );
      // The stylesheet loaded despite the CSP (style-src 'self'): the primary button is blue.
      const submit = page.locator('form button[type="submit"]');
      assert.equal(
        await submit.evaluate((button) => getComputedStyle(button).backgroundColor),
        'rgb(29, 78, 216)',
        'the stylesheet applies',
      );

      await page.getByLabel('Email or username').fill(person.username);
      await page.getByLabel('Password').fill(PASSWORD);
      const consent = await toConsent(page, () => submit.click());
      assert.equal(consent.status(), 200);
      assertPageHeaders(await consent.allHeaders(), 'consent page');
      const consentText = (await page.locator('main').textContent()) ?? '';
      assert.match(consentText, new RegExp(CLIENT_NAME), 'the consent page names the client');
      assert.match(consentText, /Ada Lovelace/, 'the consent page names the signed-in person');
      assert.match(consentText, /phone number/i, 'the consent page says what the phone scope reveals');

      await Promise.all([
        page.waitForURL(atCallback),
        page.getByRole('button', { name: 'Allow', exact: true }).click(),
      ]);
      await assertNoProblems(page, 'desktop-flow');

      const tokens = await redeem(page, request, person);
      const claims = tokens.claims();
      assert.deepEqual(claims?.amr, ['pwd']);
      assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');
      const userinfo = await fetchUserInfo(config, tokens.access_token, person.id);
      assert.equal(userinfo.sub, person.id);
      assert.equal(userinfo.email, 'ada@example.com');
      assert.equal(userinfo.phone_number, '+34600000000');
      const refreshed = await refreshTokenGrant(config, tokens.refresh_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
      assert.equal(refreshed.claims()?.sub, person.id);
      assert.equal(refreshed.claims()?.acr, 'urn:acr:password');
      assert.equal(refreshed.claims()?.auth_time, claims?.auth_time);
    } finally {
      await context.close();
    }
  });

  it('ends the documented request with acr_values=urn:acr:face in unmet_authentication_requirements after login', async () => {
    const person = await newPerson();
    const request = await authorizationRequest({ acr_values: 'urn:acr:face' });
    const { context, page } = await openPage();
    try {
      const login = await page.goto(request.url.href);
      assert.equal(login?.status(), 200);
      assert.equal(await page.locator('input[name="password"]').count(), 1, 'the login page is shown first');
      await page.getByLabel('Email or username').fill(person.username);
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(atCallback), page.locator('form button[type="submit"]').click()]);
      await assertNoProblems(page, 'acr-face');

      const callback = new URL(page.url());
      assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(callback.searchParams.get('state'), request.state);
      assert.equal(callback.searchParams.get('iss'), signet.issuer);
      assert.equal(callback.searchParams.get('code'), null);
      await assert.rejects(
        authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state }),
        (error: unknown) =>
          error instanceof AuthorizationResponseError && error.error === 'unmet_authentication_requirements',
      );
    } finally {
      await context.close();
    }
  });

  it('shows the pages in Spanish from Accept-Language, and ui_locales=es wins over English', async () => {
    const fromHeader = await openPage({ locale: 'es-ES' });
    try {
      const page = fromHeader.page;
      const login = await page.goto((await authorizationRequest()).url.href);
      assert.equal(login?.status(), 200);
      assert.match((await login?.request().allHeaders())?.['accept-language'] ?? '', /^es-ES/);
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      assert.equal(login?.headers()['content-language'], 'es');
      assert.equal((await page.locator('form button[type="submit"]').textContent())?.trim(), 'Iniciar sesión');
      assert.equal(await page.getByLabel('Contraseña').count(), 1);
      await assertNoProblems(page, 'spanish-accept-language');
    } finally {
      await fromHeader.context.close();
    }

    const person = await newPerson();
    const request = await authorizationRequest({ ui_locales: 'es' });
    const english = await openPage({ locale: 'en-US' });
    try {
      const page = english.page;
      const login = await page.goto(request.url.href);
      assert.match((await login?.request().allHeaders())?.['accept-language'] ?? '', /^en-US/);
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      assert.equal((await page.locator('form button[type="submit"]').textContent())?.trim(), 'Iniciar sesión');
      await page.getByLabel('Correo o nombre de usuario').fill(person.username);
      await page.getByLabel('Contraseña').fill(PASSWORD);
      await toConsent(page, () => page.locator('form button[type="submit"]').click());
      // The consent page of the same request stays in Spanish.
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      await Promise.all([
        page.waitForURL(atCallback),
        page.getByRole('button', { name: 'Permitir', exact: true }).click(),
      ]);
      await assertNoProblems(page, 'spanish-ui-locales');
      await redeem(page, request, person);
    } finally {
      await english.context.close();
    }
  });

  it('fits a phone: no sideways scrolling, 44px touch targets, and the flow completes by touch', async () => {
    const person = await newPerson();
    const request = await authorizationRequest();
    const { context, page } = await openPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    try {
      /** Checks the current page's width and the height of every control. */
      const assertFitsPhone = async (what: string) => {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scrollWidth <= 360, `${what}: scrollWidth ${scrollWidth} fits 360`);
        const controls = await page.locator('input:not([type="hidden"]), button').evaluateAll((elements) =>
          elements.map((element) => ({
            name: (element as { name?: string }).name || element.textContent?.trim() || element.tagName,
            height: element.getBoundingClientRect().height,
            right: element.getBoundingClientRect().right,
          })),
        );
        assert.ok(controls.length > 0, `${what}: has controls`);
        for (const control of controls) {
          assert.ok(control.height >= 44, `${what}: ${control.name} is ${control.height}px tall`);
          assert.ok(control.right <= 360, `${what}: ${control.name} ends at ${control.right}px`);
        }
      };

      const login = await page.goto(request.url.href);
      assert.equal(login?.status(), 200);
      await assertFitsPhone('login page');
      await page.getByLabel('Email or username').fill(person.username);
      await page.getByLabel('Password').fill(PASSWORD);
      await toConsent(page, () => page.locator('form button[type="submit"]').tap());
      await assertFitsPhone('consent page');
      await Promise.all([page.waitForURL(atCallback), page.getByRole('button', { name: 'Allow', exact: true }).tap()]);
      await assertNoProblems(page, 'phone');
      await redeem(page, request, person);
    } finally {
      await context.close();
    }
  });

  it('signs in and consents with the keyboard alone, in the expected focus order', async () => {
    const person = await newPerson();
    const request = await authorizationRequest();
    const { context, page } = await openPage();
    try {
      /** The focused element, as `tag name=… type=… value=…`. */
      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement;
          if (!element || element === document.body) return 'body';
          return `${element.tagName.toLowerCase()} name=${element.name} type=${element.type} value=${element.value}`;
        });
      /** Whether the focused element shows a focus ring. */
      const hasFocusRing = () =>
        page.evaluate(() => {
          const element = document.activeElement;
          if (!element) return false;
          const style = getComputedStyle(element);
          return style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
        });

      const login = await page.goto(request.url.href);
      assert.equal(login?.status(), 200);
      // autofocus puts the caret in the username field; Tab then goes password → submit.
      assert.equal(await focused(), 'input name=username type=text value=');
      await page.keyboard.type(person.username);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'input name=password type=password value=');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button name= type=submit value=');
      assert.ok(await hasFocusRing(), 'the focused submit button shows a focus ring');
      await toConsent(page, () => page.keyboard.press('Enter'));

      // On the consent page the first Tab reaches Allow, the next Deny; back to Allow and Enter.
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button name=decision type=submit value=allow');
      assert.ok(await hasFocusRing(), 'the focused Allow button shows a focus ring');
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button name=decision type=submit value=deny');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await focused(), 'button name=decision type=submit value=allow');
      await Promise.all([page.waitForURL(atCallback), page.keyboard.press('Enter')]);
      await assertNoProblems(page, 'keyboard');
      await redeem(page, request, person);
    } finally {
      await context.close();
    }
  });
});
