import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFaceFixture } from '@signet/accounts/testing';
import { freePort } from '@signet/testing/accounts';
import {
  enrolFaceAndPasskey,
  type FakeCameras,
  launchFakeCameras,
  signInWithPasskeyAndFace,
} from '@signet/testing/face-browser';
import { makePdf, pdfsig, scratchDir } from '@signet/testing/pdf';
import type { Page } from 'playwright-core';
import { type Integrator, startIntegrator } from '../../examples/integrator/app.js';
import { readConfig } from '../../examples/integrator/config.js';
import { type RunningSigner, type RunningSignet, startSigner, startSignet } from '../signet.js';

// examples/integrator driven end to end in Debian's Chromium, as a person on a phone uses it: she
// enrols her face and a passkey through her link (fake camera, virtual authenticator), signs in to
// the app with both, uploads a PDF, watches the envelope's progress arrive over the app's SSE and
// downloads the signed PDF, which pdfsig validates with the Signer's root trusted.
// SIGNET_SCREENSHOTS=<dir> keeps the screenshots.

const PHONE = { width: 390, height: 844 };

// The project compiles without lib.dom: the browser globals the function given to page.evaluate uses.
declare const document: { documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

describe('the integrator example app, in Chromium', () => {
  let signet: RunningSignet;
  let signer: RunningSigner;
  let app: Integrator;
  let cameras: FakeCameras;
  let files: ReturnType<typeof scratchDir>;
  let shots: string;

  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `integrator-${name}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, `${name}: no sideways scrolling on a phone`);
  };

  before(async () => {
    signet = await startSignet();
    signer = await startSigner(signet);
    files = scratchDir();
    shots = process.env.SIGNET_SCREENSHOTS ?? files.dir;
    mkdirSync(shots, { recursive: true });
    const port = await freePort();
    // The client as examples/integrator/README.md tells the operator to make it.
    const client = await signet.createClient({
      client_name: 'Acme contracts',
      grant_types: ['client_credentials', 'authorization_code'],
      redirect_uris: [`http://127.0.0.1:${port}/callback`],
    });
    app = await startIntegrator(
      readConfig({
        SIGNET_ISSUER: signet.issuer,
        SIGNET_SIGNER_URL: signer.url,
        SIGNET_SIGNER_AUDIENCE: signer.audience,
        SIGNET_CLIENT_ID: client.client_id,
        SIGNET_CLIENT_SECRET: client.client_secret,
        INTEGRATOR_PORT: String(port),
      }),
    );
    const portrait = readFaceFixture('hopper');
    const found = await signet.accounts.ctx.faces.verifier.enroll(portrait);
    assert.ok(found.ok, JSON.stringify(found));
    cameras = await launchFakeCameras(portrait, found.face);
  });

  after(async () => {
    await cameras?.close();
    await app?.close();
    await signer?.close();
    await signet?.close();
    files?.dispose();
  });

  it('she signs in with her face, signs a PDF, watches it live and downloads it signed', async () => {
    const person = await signet.createUser({
      name: 'Grace Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
      email: 'grace.hopper@example.com',
      email_verified: true,
    });
    const linkRes = await fetch(`${signet.adminUrl}/admin/users/${person.id}/face-enrolment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signet.adminToken}` },
    });
    const { url: link } = (await linkRes.json()) as { url: string };
    assert.equal(linkRes.status, 201);
    const enrolled = await enrolFaceAndPasskey(cameras, link);

    await enrolled.setViewportSize(PHONE);
    await enrolled.goto(app.url);
    await enrolled.locator('#sign-in').waitFor();
    await shoot(enrolled, 'sign-in');

    // "Sign in with face" is /login: the SDK's authorization request, then passkey and face at Signet.
    const { page } = await signInWithPasskeyAndFace(cameras, enrolled, `${app.url}/login`, `${app.url}/`);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.setViewportSize(PHONE);
    await page.waitForURL(`${app.url}/`);
    assert.equal(await page.locator('h1').textContent(), 'Hello, Grace Hopper');
    assert.match((await page.locator('.note').first().textContent()) ?? '', /urn:acr:face/);
    await shoot(page, 'upload');

    await page.locator('#pdf').setInputFiles({
      name: 'contract.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(await makePdf(2, 'Acme contract')),
    });
    await Promise.all([page.waitForURL(/\/envelopes\/env_[\w-]+$/), page.locator('#sign').click()]);
    // The progress comes over the app's SSE (the Signer's /v1/events relayed); the page starts
    // with none of it.
    await page.locator('#events li[data-type="envelope.completed"]').waitFor({ timeout: 15_000 });
    const seen = await page
      .locator('#events li')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-type')));
    for (const type of ['envelope.created', 'person.identified', 'document.signed', 'envelope.completed']) {
      assert.ok(seen.includes(type), `${type} arrived live: ${seen.join(', ')}`);
    }
    assert.equal(await page.locator('#status').getAttribute('data-status'), 'completed');
    await shoot(page, 'envelope');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
    const saved = join(files.dir, 'signed.pdf');
    await download.saveAs(saved);
    assert.equal(readFileSync(saved).subarray(0, 5).toString(), '%PDF-');
    const trust = await (await fetch(`${signer.url}/v1/ca/root.pem`)).text();
    const { output, signatures } = await pdfsig(saved, { trust });
    const people = signatures.filter((s) => s.type === 'ETSI.CAdES.detached');
    assert.equal(people.length, 1, output);
    assert.equal(people[0]?.commonName, 'Grace Hopper', output);
    assert.ok(people[0]?.valid && people[0].certificateTrusted, output);
    assert.deepEqual(errors, [], 'no script error or CSP violation');

    // Her id_token identified her once: the next PDF needs a new sign-in.
    await page.goto(app.url);
    await page.locator('#sign-in').waitFor();

    // Another browser (no session of hers) cannot watch or fetch her envelope.
    const envelopeId = new URL(download.url()).pathname.split('/')[2] ?? '';
    for (const part of ['', '/events', '/document']) {
      const res = await fetch(`${app.url}/envelopes/${envelopeId}${part}`);
      assert.equal(res.status, 404, `${part || 'page'} is hers only`);
      await res.body?.cancel();
    }
  });

  it('refuses an envelope posted from another site or without a sign-in', async () => {
    const pdf = Buffer.from(await makePdf(1));
    const crossSite = await fetch(`${app.url}/envelopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', origin: 'https://evil.example' },
      body: pdf,
    });
    assert.equal(crossSite.status, 403);
    const signedOut = await fetch(`${app.url}/envelopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', origin: app.url },
      body: pdf,
    });
    assert.equal(signedOut.status, 401);
    assert.equal(((await signedOut.json()) as { error: string }).error, 'login_required');
  });
});
