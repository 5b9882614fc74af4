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
const DOCUMENTED_SCOPE = 'openid profile birthdate email phone credential offline offline_access';
const PASSWORD = 'correct horse battery';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

// The documented request with acr_values=urn:acr:face, end to end over real HTTP: openid-client
// as the integrator, a cookie-keeping fetch as the person's browser posting the frames the face
// page's script would capture (head turns synthesised from the fixtures with turnHead), and the
// real model in the service's own worker pool. Three frames per attempt: about 1 s each.
describe('the documented request with acr_values=urn:acr:face', () => {
  let signet: RunningSignet;
  let config: Configuration;
  const boxes = new Map<string, FaceBox>();

  before(async () => {
    signet = await startSignet({ SIGNET_FACE_MAX_ATTEMPTS: '2' });
    const client = await signet.createClient({
      client_name: 'Acme Signing',
      grant_types: ['authorization_code', 'refresh_token'],
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

  function enroll(id: string, image: Buffer): Promise<Response> {
    return fetch(`${signet.adminUrl}/admin/users/${id}/face`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/jpeg' },
      body: image,
    });
  }

  /**
   * Four frames of `fixture`: frontal, then turning to the person's `side` by 10°, 20° and 30°.
   * (Before the detector's tuning, `countPeople`, 15–25° turns of the transformed fixture made it
   * see a second, spurious face in the hair: `multiple_faces`.)
   */
  async function frames(fixture: FaceFixture, side: string): Promise<string[]> {
    let box = boxes.get(fixture);
    if (!box) {
      const enrolled = await signet.accounts.ctx.faces.verifier.enroll(readFaceFixture(fixture));
      assert.ok(enrolled.ok, JSON.stringify(enrolled));
      box = enrolled.face.box;
      boxes.set(fixture, box);
    }
    const sign = side === 'left' ? 1 : -1;
    const image = readFaceFixture(fixture);
    const shots = await Promise.all([0, 10, 20, 30].map((d) => turnHead(image, box, sign * d)));
    return shots.map((shot) => shot.toString('base64'));
  }

  async function start(acrValues = 'urn:acr:face') {
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = '12345678901234567890';
    const url = buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: DOCUMENTED_SCOPE,
      state,
      nonce,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: acrValues,
    });
    return { url, verifier, nonce, state };
  }

  /** Signs in with the password and returns the redirect that follows. */
  async function logIn(browser: TestBrowser, url: URL, username: string): Promise<string> {
    let res = await browser.get(url.href);
    assert.equal(res.status, 303);
    res = await browser.get(res.headers.get('location') as string);
    assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /script-src/, 'no script on other pages');
    const html = await res.text();
    const action = formAction(html) ?? '';
    const csrf = hiddenField(html, 'csrf') ?? '';
    assert.ok(action.endsWith('/login') && csrf, html);
    res = await browser.post(action, { csrf, username, password: PASSWORD });
    assert.equal(res.status, 303, await res.text());
    return res.headers.get('location') as string;
  }

  /** Opens the face page; returns its action, CSRF token, challenged side and HTML. */
  async function facePage(browser: TestBrowser, path: string) {
    const res = await browser.get(path);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, 'the face page may run its own script');
    assert.doesNotMatch(csp, /unsafe-inline/);
    const side = /data-side="(left|right)"/.exec(html)?.[1];
    const csrf = hiddenField(html, 'csrf');
    assert.ok(side && csrf, html);
    assert.match(html, /<script src="\/assets\/face\.js\?v=[\w-]+" defer><\/script>/);
    return { action: path, csrf, side, html };
  }

  async function postFrames(browser: TestBrowser, action: string, csrf: string, shots: string[]) {
    const body = new URLSearchParams({ csrf });
    for (const shot of shots) body.append('frame', shot);
    // TestBrowser.post takes a record; repeated `frame` fields need the raw form.
    return browser.postRaw(action, body.toString());
  }

  it('enrols Grace Hopper and issues acr=urn:acr:face and amr [pwd, face] when her face turns as asked', async () => {
    const person = await signet.createUser();
    assert.equal((await enroll(person.id, readFaceFixture('hopper'))).status, 200);
    const { url, verifier, nonce, state } = await start();
    const browser = new TestBrowser(signet.publicUrl);
    const next = await logIn(browser, url, person.username);
    assert.match(next, /^\/interaction\/[\w-]+\/face$/, 'a face step, not an error');
    const page = await facePage(browser, next);

    const res = await postFrames(browser, page.action, page.csrf, await frames('hopperTransformed', page.side));
    assert.equal(res.status, 303, await res.text());
    const callback = new URL(res.headers.get('location') as string);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    const tokens = await authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, person.id);
    assert.equal(claims?.acr, 'urn:acr:face');
    assert.deepEqual(claims?.amr, ['pwd', 'face']);

    // The session was upgraded: the next request for a face is answered without another check.
    const again = await start();
    const silent = await browser.get(again.url.href);
    assert.equal(silent.status, 303);
    assert.ok((silent.headers.get('location') ?? '').startsWith(`${REDIRECT_URI}?code=`));
  });

  it('refuses someone else, shows why, and after the last attempt ends in unmet_authentication_requirements', async () => {
    const person = await signet.createUser();
    assert.equal((await enroll(person.id, readFaceFixture('hopper'))).status, 200);
    const { url, state } = await start();
    const browser = new TestBrowser(signet.publicUrl);
    const next = await logIn(browser, url, person.username);
    let page = await facePage(browser, next);

    let res = await postFrames(browser, page.action, page.csrf, await frames('collins', page.side));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /The face does not match the face enrolled for you\./);
    assert.match(html, /Attempts left: <strong>1<\/strong>\./);
    page = { ...page, side: /data-side="(left|right)"/.exec(html)?.[1] ?? '' };

    res = await postFrames(browser, page.action, page.csrf, await frames('collins', page.side));
    assert.equal(res.status, 303, await res.text());
    const callback = new URL(res.headers.get('location') as string);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('code'), null);
    // The interaction is over: no further attempt.
    res = await postFrames(browser, page.action, page.csrf, await frames('hopperTransformed', page.side));
    assert.equal(res.status, 400);
  });

  it('refuses the right person turning the wrong way (liveness), with the reason', async () => {
    const person = await signet.createUser();
    assert.equal((await enroll(person.id, readFaceFixture('hopper'))).status, 200);
    const browser = new TestBrowser(signet.publicUrl);
    const page = await facePage(browser, await logIn(browser, (await start()).url, person.username));
    const wrong = page.side === 'left' ? 'right' : 'left';
    const res = await postFrames(browser, page.action, page.csrf, await frames('hopperTransformed', wrong));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /The head turn was not seen\./);
  });

  it('"I can\'t use a camera" ends honestly in unmet_authentication_requirements', async () => {
    const person = await signet.createUser();
    assert.equal((await enroll(person.id, readFaceFixture('hopper'))).status, 200);
    const browser = new TestBrowser(signet.publicUrl);
    const page = await facePage(browser, await logIn(browser, (await start()).url, person.username));
    const res = await browser.post(page.action, { csrf: page.csrf, cancel: 'no_camera' });
    assert.equal(res.status, 303);
    const callback = new URL(res.headers.get('location') as string);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  it('a person without an enrolled face ends in unmet_authentication_requirements after the password', async () => {
    const person = await signet.createUser();
    const browser = new TestBrowser(signet.publicUrl);
    const callback = new URL(await logIn(browser, (await start()).url, person.username));
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('code'), null);
  });

  it('a request that accepts the password level is not sent to the face step', async () => {
    const person = await signet.createUser();
    assert.equal((await enroll(person.id, readFaceFixture('hopper'))).status, 200);
    const browser = new TestBrowser(signet.publicUrl);
    const next = await logIn(browser, (await start('urn:acr:password urn:acr:face')).url, person.username);
    assert.ok(next.startsWith(`${REDIRECT_URI}?code=`), next);
  });

  it('discovery lists urn:acr:face', async () => {
    const metadata = config.serverMetadata();
    assert.deepEqual(metadata.acr_values_supported, ['urn:acr:password', 'urn:acr:face']);
  });
});
