import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFaceFixture } from '@signet/accounts/testing';
import { type FakeCameras, launchFakeCameras } from '@signet/testing/face-browser';
import { makePdf, pdfsig } from '@signet/testing/pdf';
import { PASSWORD, type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';
import type { Page } from 'playwright-core';

// The signing page for an invited person in Debian's Chromium: an envelope created
// through the Signer API invites Grace Hopper by name and email; she opens her signing link, signs
// in at accounts with her password and her face (a fake camera plays a Y4M of the fixture portrait
// turning as the random challenge asks), reads the PDF drawn by pdf.js, signs, and downloads a PDF
// whose signature pdfsig reports valid. Then the same pages in Spanish on a phone.

const EMAIL = 'grace.hopper@example.com';

// The project compiles without lib.dom: the browser globals the functions given to page.evaluate use.
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

describe('the signing page in Chromium', () => {
  let h: SigningPageHarness;
  let cameras: FakeCameras;

  before(async () => {
    // The invited person signs in with password and face, the level an operator allows with
    // SIGNET_FACE_ALLOW_PASSWORD (passkey + face, the default, is the passkeys browser test's).
    h = await signingPageHarness(
      { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:face' },
      { SIGNET_FACE_ALLOW_PASSWORD: 'true' },
    );
    const portrait = readFaceFixture('hopper');
    const found = await h.t.accounts.ctx.faces.verifier.enroll(portrait);
    assert.ok(found.ok, JSON.stringify(found));
    cameras = await launchFakeCameras(portrait, found.face);
  });

  after(async () => {
    await cameras?.close();
    await h?.dispose();
  });

  async function invitedPerson(): Promise<{ username: string; signingUrl: string }> {
    const person = await h.person(EMAIL, { name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper' });
    const enrolled = await h.t.accounts.adminApp.inject({
      method: 'POST',
      url: `/admin/users/${person.id}/face`,
      headers: { authorization: h.t.accounts.adminAuth, 'content-type': 'image/jpeg' },
      payload: readFaceFixture('hopper'),
    });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    const envelope = await h.inviteThroughApi({
      name: 'Grace Hopper',
      email: 'Grace.Hopper@example.com',
      pdf: await makePdf(2, 'Employment contract'),
    });
    const signingUrl = envelope.persons[0]?.signingUrl;
    assert.ok(signingUrl?.startsWith(`${h.publicUrl}/sign/`), JSON.stringify(envelope));
    return { username: person.username, signingUrl: signingUrl as string };
  }

  /**
   * Opens the link, signs in with the password in one browser, and continues on the face page in
   * the browser whose camera performs the challenge the page asks for (cookies carried over).
   */
  async function throughFaceStep(signingUrl: string, username: string): Promise<Page> {
    const first = await cameras.idle.newContext({ acceptDownloads: true });
    const login = await first.newPage();
    await login.goto(signingUrl);
    assert.equal(new URL(login.url()).origin, h.t.issuer, 'the link leads to the issuer');
    await login.getByLabel('Email or username').fill(username);
    await login.getByLabel('Password').fill(PASSWORD);
    await Promise.all([login.waitForURL(/\/face$/), login.getByRole('button', { name: 'Sign in' }).click()]);
    // continued in the browser whose camera performs the challenge the face page asks for
    const page = await cameras.follow(login, { acceptDownloads: true });
    await page.getByRole('button', { name: 'Start the camera' }).click();
    await Promise.race([
      page.waitForURL(`${h.publicUrl}/sign/session`, { timeout: 60_000 }),
      page.locator('#face-error').waitFor({ timeout: 60_000 }),
    ]);
    if (!page.url().startsWith(h.publicUrl)) {
      assert.fail(`the face step refused: ${await page.locator('#face-error').textContent()}`);
    }
    return page;
  }

  /** How many dark pixels pdf.js drew on the first canvas matching `selector` (text is dark on white). */
  const drawn = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((element) => {
        const canvas = element as unknown as {
          width: number;
          height: number;
          getContext(type: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 128 && (data[i + 3] ?? 0) > 0) dark++;
        return { width: canvas.width, dark };
      });

  it('an invited person signs in with password and face, reads the PDF, signs, and downloads a valid signed PDF', async () => {
    const { username, signingUrl } = await invitedPerson();
    const page = await throughFaceStep(signingUrl, username);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Review and sign' }).waitFor();
    await page.getByText('Hello Grace Hopper.').waitFor();
    await page.locator('[data-rendered="2"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('canvas.document-page').count(), 2, 'both pages drawn');
    const pixels = await drawn(page, 'canvas.document-page');
    assert.ok(pixels.width > 200 && pixels.dark > 100, `the PDF's text is drawn: ${JSON.stringify(pixels)}`);

    // Phone, Spanish, same session: the signing page adapts to a narrow screen.
    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${h.publicUrl}/sign/session?ui_locales=es`);
    await phone.getByRole('heading', { name: 'Revisa y firma' }).waitFor();
    await phone.getByRole('button', { name: 'Firmar', exact: true }).waitFor();
    await phone.locator('[data-rendered="2"]').waitFor({ timeout: 20_000 });
    assert.ok(
      await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no sideways scrolling on a phone',
    );
    await phone.close();

    // Keyboard: the Sign button is reachable and works with Enter.
    await page.getByRole('button', { name: 'Sign', exact: true }).focus();
    await Promise.all([page.waitForURL(`${h.publicUrl}/sign/session`), page.keyboard.press('Enter')]);
    await page.getByRole('heading', { name: 'Signed' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download contract.pdf' }).click(),
    ]);
    const file = join(cameras.dir, 'signed.pdf');
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-');
    const { signatures, output } = await pdfsig(file);
    // The person's signature, then the B-LTA document timestamp over its validation data.
    assert.deepEqual(
      signatures.map((s) => s.field),
      ['Signature_1', 'Timestamp_1'],
      output,
    );
    assert.equal(signatures[0]?.valid, true, output);
    assert.match(output, /Grace Hopper/, output);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused/i.test(p)),
      [],
      'nothing was blocked by the CSP',
    );
    await page.context().close();
  });

  it('in Spanish on a phone: the link leads to a Spanish sign-in, and a dead link says so in Spanish', async () => {
    const { signingUrl } = await invitedPerson();
    const context = await cameras.idle.newContext({
      locale: 'es-ES',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(signingUrl);
    assert.equal(new URL(page.url()).searchParams.get('ui_locales'), null, 'the login page, not the request');
    await page.getByLabel('Correo o nombre de usuario').waitFor();
    await page.getByRole('button', { name: 'Iniciar sesión' }).waitFor();

    const dead = await page.goto(`${h.publicUrl}/sign/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(dead?.status(), 404);
    await page.getByRole('heading', { name: 'No encontramos este enlace de firma' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await context.close();
  });
});
