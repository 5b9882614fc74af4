import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFaceFixture } from '@signet/accounts/testing';
import { assertAccessible } from '@signet/testing/axe';
import { authorizationRequest, REDIRECT_URI } from '@signet/testing/people';
import { PASSWORD, type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';
import { type Browser, chromium, type Page } from 'playwright-core';

// Every kind of page a person or a developer meets, in Debian's Chromium, on a desktop
// (1280×800) and a phone (390×844), in English and Spanish: both services' home pages, the
// Signer's /docs, an error page, the login page that a signing link opens (its login_hint, the
// invited email, signs in as it is), the signing page before and after signing, the person's
// passkeys page, help with the support contact, a face enrolment link, the consent and face pages,
// and signing out. (The passkey ceremonies, which need a camera and an authenticator, are
// photographed by passkeys.browser.test.ts, also part of `npm run screenshots`.) On each: axe-core's WCAG 2.1 A/AA rules, no sideways scrolling, no console
// error or CSP violation; buttons are 12 px apart wherever there are two. With
// SIGNET_SCREENSHOTS=<dir> (`npm run screenshots`) each page is also saved there as a PNG.

const SHOTS = process.env.SIGNET_SCREENSHOTS ? resolve(process.env.SIGNET_SCREENSHOTS) : undefined;
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const LOCALES = { en: 'en-US', es: 'es-ES' } as const;
/** The operator's support address, configured for accounts' /help. */
const SUPPORT_EMAIL = 'help@signet.test';
/** The distance between two buttons, in CSS pixels, wherever they are (signet.css `--gap-buttons`). */
const BUTTON_GAP = 12;
/** The distance between blocks of a card, in CSS pixels (signet.css `--gap-block`). */
const BLOCK_GAP = 24;

// The project compiles without lib.dom: the browser globals the functions given to page.evaluate use.
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<{ getBoundingClientRect(): { top: number; bottom: number } }>;
};
declare const window: { innerWidth: number };

/** The distance between the last text and the first button of the face page (`.muted` to `#face-start`). */
function gapAboveButtons(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [text] = Array.from(document.querySelectorAll('main p.muted')).map((p) => p.getBoundingClientRect());
    const [button] = Array.from(document.querySelectorAll('#face-start')).map((b) => b.getBoundingClientRect());
    return Math.round((button?.top ?? 0) - (text?.bottom ?? 0));
  });
}

/** The vertical gaps between consecutive buttons of the page's main card. */
function buttonGaps(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const rects = Array.from(document.querySelectorAll('main .button')).map((b) => b.getBoundingClientRect());
    return rects.slice(1).map((r, i) => Math.round(r.top - (rects[i]?.bottom ?? 0)));
  });
}

describe('every page, on a desktop and a phone, in English and Spanish', { timeout: 300_000 }, () => {
  let h: SigningPageHarness;
  let browser: Browser;
  let faceUser: string;
  let thirdParty: string;

  before(async () => {
    [h, browser] = await Promise.all([
      signingPageHarness({}, { SIGNET_FACE_ALLOW_PASSWORD: 'true', SIGNET_SUPPORT_EMAIL: SUPPORT_EMAIL }),
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      }),
    ]);
    // A person with an enrolled face, for the face step of a request for urn:acr:face.
    const person = await h.person('face.person@example.com', { name: 'Grace Hopper' });
    const enrolled = await h.t.accounts.adminApp.inject({
      method: 'POST',
      url: `/admin/users/${person.id}/face`,
      headers: { authorization: h.t.accounts.adminAuth, 'content-type': 'image/jpeg' },
      payload: readFaceFixture('hopper'),
    });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    faceUser = person.username;
    // A third-party client without the refresh_token grant: it must ask for consent.
    const client = await h.t.accounts.createClient({
      client_name: 'Acme Payroll',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
    });
    thirdParty = client.client_id;
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await h?.dispose();
  });

  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    for (const [lang, locale] of Object.entries(LOCALES)) {
      it(`${viewportName}, ${lang}`, async () => {
        const context = await browser.newContext({ viewport, locale, acceptDownloads: true });
        const problems: string[] = [];
        context.on('page', (page) => {
          page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
          page.on('console', (message) => {
            // The error page's own status (400) is the one "failed to load" expected.
            const expected = /\/oauth2\/auth\?/.test(page.url()) && /status of 400/.test(message.text());
            if (message.type() === 'error' && !expected) problems.push(`${page.url()}: ${message.text()}`);
          });
        });
        const page = await context.newPage();

        /** Checks the page as it is now and, when asked for, saves its screenshot. */
        async function check(name: string): Promise<void> {
          const what = `${name} (${viewportName}, ${lang})`;
          await assertAccessible(page, what);
          const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
          assert.ok(fits, `${what}: no sideways scrolling`);
          if (SHOTS)
            await page.screenshot({ path: join(SHOTS, `${name}-${viewportName}-${lang}.png`), fullPage: true });
        }

        // Both services' home pages.
        await page.goto(`${h.t.issuer}/`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await check('accounts-home');
        await page.goto(`${h.publicUrl}/`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await check('signer-home');

        // The API reference, rendered by Swagger UI from this origin.
        await page.goto(`${h.publicUrl}/docs`);
        await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
        await page.locator('.opblock-summary-path', { hasText: '/v1/envelopes/{id}/cancel' }).waitFor();
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        assert.equal(await page.locator('.languages [aria-current="true"]').getAttribute('lang'), lang);
        await check('docs');

        // An error page: a link naming no registered client.
        await page.goto(`${h.t.issuer}${authorizationRequest('no-such-client').path}`);
        await page.locator('h1').waitFor();
        assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /client_id|redirect_uri/);
        await check('error');

        // A signing link: the login page, its username filled from login_hint (the invited email).
        const email = `invited.${viewportName}.${lang}@example.com`;
        await h.person(email, { name: 'Ana Ruiz' });
        const { signingUrl } = await h.invite({
          name: 'Ana Ruiz',
          email,
          position: { page: 2, x: 56, y: 620, width: 240, height: 70 },
        });
        await page.goto(signingUrl);
        const username = page.locator('#username');
        await username.waitFor();
        assert.equal(await username.inputValue(), email);
        await check('login');
        await page.locator('#password').fill(PASSWORD);
        await Promise.all([page.waitForURL(`${h.publicUrl}/sign/session`), page.locator('form .button').click()]);
        await page.locator('[data-rendered="2"]').waitFor({ timeout: 30_000 });
        assert.equal(await page.locator('.signature-marker').count(), 1, 'the signature box is marked');
        await check('signing');
        await Promise.all([page.waitForURL(`${h.publicUrl}/sign/session`), page.locator('#sign').click()]);
        await page.locator('.downloads').waitFor();
        await check('signed');

        // The person's passkeys page, signed in with a password: none yet, and how to get one.
        await page.goto(`${h.t.issuer}/account/passkeys`);
        await page.locator('h1').waitFor();
        assert.equal(await page.locator('#passkey-form').count(), 0, 'no ceremony without a passkey sign-in');
        await check('account-passkeys');

        // Help, with the operator's support contact.
        await page.goto(`${h.t.issuer}/help`);
        assert.equal(await page.locator('#support a').first().getAttribute('href'), `mailto:${SUPPORT_EMAIL}`);
        await check('help');

        // A face enrolment link, as a person opens it from the operator's message (the camera not started).
        const enrolling = await h.person(`enrol.${viewportName}.${lang}@example.com`);
        const issued = await h.t.accounts.adminApp.inject({
          method: 'POST',
          url: `/admin/users/${enrolling.id}/face-enrolment-links`,
          headers: { authorization: h.t.accounts.adminAuth },
        });
        assert.equal(issued.statusCode, 201, issued.body);
        await page.goto(`${h.t.issuer}${new URL((issued.json() as { url: string }).url).pathname}`);
        await page.locator('#face-start').waitFor();
        await check('face-enrolment');

        // Consent for a third-party client, with the session just started.
        const consent = authorizationRequest(thirdParty, { scope: 'openid profile birthdate email offline_access' });
        await page.goto(`${h.t.issuer}${consent.path}`);
        await page.locator('button[value="allow"]').waitFor();
        const consentText = (await page.locator('main').textContent()) ?? '';
        assert.doesNotMatch(consentText, /while you are away|aunque no estés/);
        assert.deepEqual(await buttonGaps(page), [BUTTON_GAP], 'consent: the buttons are 12 px apart');
        await check('consent');

        // The face step: a request for urn:acr:face by a person with an enrolled face.
        const face = authorizationRequest(thirdParty, { acr_values: 'urn:acr:face', prompt: 'login' });
        await page.goto(`${h.t.issuer}${face.path}`);
        await page.locator('#username').fill(faceUser);
        await page.locator('#password').fill(PASSWORD);
        await Promise.all([page.waitForURL(/\/face$/), page.locator('form .button').click()]);
        await page.locator('#face-start').waitFor();
        assert.deepEqual(await buttonGaps(page), [BUTTON_GAP], 'face: the buttons are 12 px apart');
        assert.equal(await gapAboveButtons(page), BLOCK_GAP, 'face: no empty gap above the buttons');
        await check('face');

        // Signing out: the confirmation, then the signed-out page.
        await page.goto(`${h.t.issuer}/oauth2/sessions/logout`);
        await page.locator('main form .button').waitFor();
        await check('logout');
        await Promise.all([
          page.waitForURL(/\/oauth2\/sessions\/logout\/confirm$/),
          page.locator('main form .button').click(),
        ]);
        await page.locator('h1').waitFor();
        await check('logged-out');

        assert.deepEqual(problems, [], 'no console errors or CSP violations');
        await context.close();
      });
    }
  }
});
