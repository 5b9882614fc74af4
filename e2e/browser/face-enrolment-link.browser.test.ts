import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFaceTemplate, readFaceFixture } from '@signet/accounts/testing';
import { type FakeCameras, launchFakeCameras } from '@signet/testing/face-browser';
import type { Page } from 'playwright-core';
import { type RunningSignet, startSignet } from '../signet.js';

// Enrolling one's own face through an operator's one-time link (issues 4 and 10), in Debian's
// Chromium with a fake camera: the same Y4M machinery as the sign-in face test (the fixture
// portrait performing the challenge the page shows), the enrolment page's own script (the face
// page's) capturing and posting, the real model checking. The link is opened again in the
// browser whose video performs the challenge (the page keeps its challenge, and the latest
// browser to open the link holds it).

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

describe('face enrolment through a link in Chromium with a fake camera', () => {
  let signet: RunningSignet;
  let cameras: FakeCameras;

  before(async () => {
    signet = await startSignet();
    const portrait = readFaceFixture('hopper');
    const found = await signet.accounts.ctx.faces.verifier.enroll(portrait);
    assert.ok(found.ok, JSON.stringify(found));
    cameras = await launchFakeCameras(portrait, found.face);
  });

  after(async () => {
    await cameras?.close();
    await signet?.close();
  });

  async function issueLink(userId: string): Promise<string> {
    const res = await fetch(`${signet.adminUrl}/admin/users/${userId}/face-enrolment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await res.json()) as { url: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    // The issuer names localhost; the listener is reached by IP, as in the other browser tests.
    return `${signet.publicUrl}${new URL(body.url).pathname}`;
  }

  /** Opens the link, then again in the browser whose camera performs the challenge the page asks for. */
  async function openOnTheRightCamera(url: string, locale: string): Promise<Page> {
    const first = await cameras.idle.newContext({ locale });
    const page = await first.newPage();
    await page.goto(url);
    const challenge = await page.locator('#face').getAttribute('data-challenge');
    const again = await cameras.follow(page, { locale });
    assert.equal(await again.locator('#face').getAttribute('data-challenge'), challenge, 'the challenge is kept');
    return again;
  }

  it('the person enrols their face with the camera; the link then no longer works', async () => {
    const person = await signet.createUser();
    const url = await issueLink(person.id);
    const page = await openOnTheRightCamera(url, 'es-ES');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    assert.equal(await page.locator('h1').textContent(), 'Registra tu cara');
    assert.equal(await page.getByRole('button', { name: 'No puedo usar una cámara' }).count(), 0);
    await page.getByRole('button', { name: 'Encender la cámara' }).click();
    await Promise.race([
      page.locator('#passkey-form').waitFor({ timeout: 60_000 }),
      page.locator('#face-error').waitFor({ timeout: 60_000 }),
    ]);
    if ((await page.locator('#passkey-form').count()) === 0) {
      assert.fail(`the enrolment page refused: ${await page.locator('#face-error').textContent()}`);
    }
    // Issue 10: the visit goes on to create a passkey (passkeys.browser.test.ts); this person says "not now".
    await page.getByRole('button', { name: 'Ahora no' }).click();
    await page.locator('#face-enrolled').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('h1').textContent(), 'Tu cara está registrada');
    assert.deepEqual(errors, []);

    const { ctx } = signet.accounts;
    const sealed = await ctx.store.users.getFaceTemplate(person.id);
    assert.ok(sealed, 'a template was stored');
    const template = openFaceTemplate(ctx.keys.face, person.id, sealed);
    const check = await ctx.faces.verifier.verify(template, [readFaceFixture('hopperMatplotlib')]);
    assert.ok(check.ok && check.match, `another photo of her matches: ${JSON.stringify(check)}`);

    const reopened = await page.goto(url);
    assert.equal(reopened?.status(), 410);
    assert.match((await page.locator('main').textContent()) ?? '', /ya se usó/);
    await page.context().close();
  });
});
