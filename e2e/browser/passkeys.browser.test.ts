import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFaceFixture } from '@signet/accounts/testing';
import { assertAccessible } from '@signet/testing/axe';
import {
  enrolFaceAndPasskey,
  type FakeCameras,
  launchFakeCameras,
  signInWithPasskeyAndFace,
} from '@signet/testing/face-browser';
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  ClientSecretBasic,
  type Configuration,
  calculatePKCECodeChallenge,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
} from 'openid-client';
import type { Page } from 'playwright-core';
import { type RunningSignet, startSignet } from '../signet.js';

// Passkeys (issue 10) in Debian's Chromium, with the defaults (urn:acr:face = a passkey and the
// face): a person opens their enrolment link, enrols their face with the fake camera, creates a
// passkey on Chromium's CDP virtual authenticator (resident keys, user verification), then signs
// in with the passkey and the face and gets acr=urn:acr:face with amr [hwk, user, face]. axe-core
// checks every new page on a desktop and a phone, in English and Spanish; their screenshots go to
// $SIGNET_SCREENSHOTS (`npm run screenshots`), else /tmp/passkeys-shots/.

const SHOTS = resolve(process.env.SIGNET_SCREENSHOTS ?? '/tmp/passkeys-shots');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

// The project compiles without lib.dom: the browser globals the functions given to page.evaluate use.
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

/**
 * Checks the page in both viewports (axe-core's WCAG 2.1 A/AA rules, no sideways scrolling) and
 * saves its screenshots; with `url` (a GET of the same page), in Spanish too, opened in a Spanish
 * context with the same cookies.
 */
async function shoot(page: Page, name: string, url?: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const pages: [string, Page][] = [['en', page]];
  if (url !== undefined) {
    const browser = page.context().browser();
    assert.ok(browser);
    const es = await browser.newContext({ locale: 'es-ES' });
    await es.addCookies(await page.context().cookies());
    const esPage = await es.newPage();
    await esPage.goto(url);
    assert.equal(await esPage.locator('html').getAttribute('lang'), 'es', `${name} in Spanish`);
    pages.push(['es', esPage]);
  }
  for (const [locale, p] of pages) {
    for (const [device, size] of Object.entries(VIEWPORTS)) {
      await p.setViewportSize(size);
      const what = `${name} (${device}, ${locale})`;
      await assertAccessible(p, what);
      assert.ok(
        await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        `${what}: no sideways scrolling`,
      );
      await p.screenshot({ path: join(SHOTS, `${name}-${device}-${locale}.png`), fullPage: true });
    }
    if (p !== page) await p.context().close();
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  // The Spanish page drew a new challenge for the same ceremony: load the page again for it.
  if (url !== undefined) await page.goto(url);
}

describe('passkeys in Chromium with a virtual authenticator (issue 10)', () => {
  let signet: RunningSignet;
  let cameras: FakeCameras;
  let callbackServer: Server;
  let callbackUrl: string;
  let config: Configuration;

  before(async () => {
    callbackServer = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    const address = callbackServer.address();
    assert.ok(address && typeof address === 'object');
    callbackUrl = `http://127.0.0.1:${address.port}/callback`;
    signet = await startSignet(); // the defaults: no password + face
    const client = await signet.createClient({
      client_name: 'Acme Signing',
      grant_types: ['authorization_code'],
      redirect_uris: [callbackUrl],
      skip_consent: true,
    });
    config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
    const portrait = readFaceFixture('hopper');
    const found = await signet.accounts.ctx.faces.verifier.enroll(portrait);
    assert.ok(found.ok, JSON.stringify(found));
    cameras = await launchFakeCameras(portrait, found.face);
  });

  after(async () => {
    await cameras?.close();
    await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
    await signet?.close();
  });

  it('enrols face and passkey through the link, then signs in with passkey + face: amr [hwk, user, face]', async () => {
    const person = await signet.createUser();
    const issued = await fetch(`${signet.adminUrl}/admin/users/${person.id}/face-enrolment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signet.adminToken}` },
    });
    assert.equal(issued.status, 201);
    // WebAuthn needs a domain: the link's own localhost URL, not the IP.
    const link = ((await issued.json()) as { url: string }).url;

    // The one walk the demo (scripts/demo.ts) takes too, checked and photographed at each page.
    const page = await enrolFaceAndPasskey(cameras, link, {
      onStep: async (step, p) => {
        if (step === 'passkey-step') {
          assert.equal(await p.locator('h1').textContent(), 'Create a passkey');
          await assertAccessible(p, 'the passkey step of the enrolment link');
          await shoot(p, 'link-passkey-step', `${link}/passkey`);
        } else if (step === 'enrolled') {
          assert.equal(await p.locator('h1').textContent(), 'Your face and passkey are enrolled');
          await assertAccessible(p, 'face and passkey enrolled');
          await shoot(p, 'link-passkey-done');
        }
      },
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const [stored] = await signet.accounts.ctx.store.passkeys.listByUser(person.id);
    assert.ok(stored, 'a passkey was stored');
    assert.equal(stored.backupEligible, false, 'the virtual authenticator keeps its key: hwk');

    // Sign in in the same tab (the virtual authenticator lives there): the passkey, then the face.
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl,
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: 'urn:acr:face',
    });
    const { callbackUrl: returned, page: facePage } = await signInWithPasskeyAndFace(
      cameras,
      page,
      url.href,
      callbackUrl,
      {
        onStep: async (step, p) => {
          if (step === 'login-page') {
            await assertAccessible(p, 'the login page with its passkey link');
            assert.equal(await p.locator('#passkey-link').textContent(), 'Sign in with a passkey instead');
          } else if (step === 'passkey-sign-in') {
            await assertAccessible(p, 'the passkey sign-in page');
            await shoot(p, 'passkey-sign-in', p.url());
          }
        },
      },
    );
    const tokens = await authorizationCodeGrant(config, returned, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()?.acr, 'urn:acr:face');
    assert.deepEqual(tokens.claims()?.amr, ['hwk', 'user', 'face']);

    // The person's own page: their passkey, and (signed in with it minutes ago) "Add a passkey".
    // (In the browser that finished the sign-in: the face step's session replaced the passkey's.)
    await facePage.goto(`${signet.issuer}/account/passkeys`);
    await facePage.locator('#passkeys').waitFor();
    assert.equal(await facePage.locator('#passkey-form').getAttribute('action'), '/account/passkeys/add');
    await assertAccessible(facePage, 'the passkeys page');
    await shoot(facePage, 'account-passkeys', facePage.url());
    assert.deepEqual(errors, []);
  });

  it('with the defaults, password + face ends in unmet_authentication_requirements', async () => {
    const person = await signet.createUser();
    const res = await fetch(`${signet.adminUrl}/admin/users/${person.id}/face`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signet.adminToken}`, 'content-type': 'image/jpeg' },
      body: readFaceFixture('hopper'),
    });
    assert.equal(res.status, 200);
    const state = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl,
      scope: 'openid',
      state,
      code_challenge: await calculatePKCECodeChallenge(randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      acr_values: 'urn:acr:face',
    });
    const page = await (await cameras.idle.newContext({ locale: 'en-US' })).newPage();
    await page.goto(url.href);
    await page.getByLabel('Email or username').fill(person.username);
    await page.getByLabel('Password').fill('correct horse battery');
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(callbackUrl)),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const callback = new URL(page.url());
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('state'), state);
    await page.context().close();
  });
});
