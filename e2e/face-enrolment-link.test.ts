import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
import { type FaceFixture, readFaceFixture, turnHead } from '../packages/accounts/src/face/testing-faces.js';
import type { FaceBox } from '../packages/accounts/src/face/verifier.js';
import { formAction, hiddenField, TestBrowser } from '../packages/accounts/src/testing-browser.js';
import { type RunningSignet, startSignet } from './signet.js';

const REDIRECT_URI = 'https://example.com/callback';
const PASSWORD = 'correct horse battery';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

// Issue 4 end to end over real HTTP: an operator issues a face enrolment link through the admin
// API, the person opens it and enrols with frames the page's script would capture (head turns
// synthesised from the fixture with turnHead), then signs in with acr_values=urn:acr:face through
// openid-client and gets acr=urn:acr:face. The real model, in the service's own worker pool.
describe('enrol a face through a one-time link, then sign in with it', () => {
  let signet: RunningSignet;
  let config: Configuration;
  const boxes = new Map<FaceFixture, FaceBox>();

  before(async () => {
    signet = await startSignet();
    const client = await signet.createClient({
      client_name: 'Acme Signing',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      skip_consent: true,
    });
    config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
  });
  after(async () => signet?.close());

  /** Frames of `fixture`: frontal, then turned to the person's `side` by 10°, 20° and 30°. */
  async function frames(fixture: FaceFixture, side: string): Promise<string[]> {
    let box = boxes.get(fixture);
    if (!box) {
      const found = await signet.accounts.ctx.faces.verifier.enroll(readFaceFixture(fixture));
      assert.ok(found.ok, JSON.stringify(found));
      box = found.face.box;
      boxes.set(fixture, box);
    }
    const sign = side === 'left' ? 1 : -1;
    const image = readFaceFixture(fixture);
    const shots = await Promise.all([0, 10, 20, 30].map((d) => turnHead(image, box, sign * d)));
    return shots.map((shot) => shot.toString('base64'));
  }

  /** Posts the frames to a face page (sign-in or enrolment) with its CSRF token. */
  async function postFrames(browser: TestBrowser, path: string, html: string, fixture: FaceFixture) {
    const side = /data-side="(left|right)"/.exec(html)?.[1] ?? '';
    const csrf = hiddenField(html, 'csrf') ?? '';
    assert.ok(side && csrf, html);
    const body = new URLSearchParams({ csrf });
    for (const shot of await frames(fixture, side)) body.append('frame', shot);
    return browser.postRaw(path, body.toString());
  }

  async function issueLink(userId: string): Promise<URL> {
    const res = await fetch(`${signet.adminUrl}/admin/users/${userId}/face-enrolment-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await res.json()) as { url: string; expires_at: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    return new URL(body.url);
  }

  it('the person enrols with the camera page, then a face sign-in gives acr=urn:acr:face', async () => {
    const person = await signet.createUser();
    const link = await issueLink(person.id);
    assert.equal(link.origin, signet.issuer, 'the URL the operator hands over is on the issuer');

    // The person's phone: opens the link, captures, posts.
    const phone = new TestBrowser(signet.publicUrl, { 'accept-language': 'es-ES,es;q=0.9' });
    const page = await phone.get(link.pathname);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(html, /Registra tu cara/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const enrolled = await postFrames(phone, link.pathname, html, 'hopper');
    const done = await enrolled.text();
    assert.equal(enrolled.status, 200, done);
    assert.match(done, /Tu cara está registrada/);
    assert.equal(phone.cookie('signet_session'), undefined, 'enrolling signs nobody in');
    const reused = await phone.get(link.pathname);
    assert.equal(reused.status, 410);

    // The person's laptop: the documented request with acr_values=urn:acr:face.
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: 'urn:acr:face',
    });
    const laptop = new TestBrowser(signet.publicUrl);
    let res = await laptop.get(url.href);
    res = await laptop.get(res.headers.get('location') as string);
    const login = await res.text();
    res = await laptop.post(formAction(login) ?? '', {
      csrf: hiddenField(login, 'csrf') ?? '',
      username: person.username,
      password: PASSWORD,
    });
    const facePath = res.headers.get('location') as string;
    assert.match(facePath, /^\/interaction\/[\w-]+\/face$/, 'the enrolled face is asked for');
    const facePage = await (await laptop.get(facePath)).text();
    // Another picture of her than the one the camera enrolled.
    res = await postFrames(laptop, facePath, facePage, 'hopperTransformed');
    assert.equal(res.status, 303, await res.text());
    const tokens = await authorizationCodeGrant(config, new URL(res.headers.get('location') as string), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal(tokens.claims()?.sub, person.id);
    assert.equal(tokens.claims()?.acr, 'urn:acr:face');
    assert.deepEqual(tokens.claims()?.amr, ['pwd', 'face']);
  });

  it('someone else cannot sign in with the face enrolled through the link', async () => {
    const person = await signet.createUser();
    const link = await issueLink(person.id);
    const phone = new TestBrowser(signet.publicUrl);
    const html = await (await phone.get(link.pathname)).text();
    assert.equal((await postFrames(phone, link.pathname, html, 'collins')).status, 200);

    const url = buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: randomNonce(),
      code_challenge: await calculatePKCECodeChallenge(randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      acr_values: 'urn:acr:face',
    });
    const browser = new TestBrowser(signet.publicUrl);
    let res = await browser.get(url.href);
    res = await browser.get(res.headers.get('location') as string);
    const login = await res.text();
    res = await browser.post(formAction(login) ?? '', {
      csrf: hiddenField(login, 'csrf') ?? '',
      username: person.username,
      password: PASSWORD,
    });
    const facePath = res.headers.get('location') as string;
    res = await postFrames(browser, facePath, await (await browser.get(facePath)).text(), 'hopperTransformed');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /The face does not match the face enrolled for you\./);
  });
});
