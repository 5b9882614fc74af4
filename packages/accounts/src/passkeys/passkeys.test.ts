import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  type PeopleHarness,
  peopleHarness,
  redeemCode,
  type TestClient,
  type TestPerson,
} from '@signet/testing/people';
import { decodeJwt } from 'jose';
import { hashFaceEnrolmentToken, issueFaceEnrolmentLink } from '../face/enrolment-links.js';
import { SoftwarePasskey } from './testing-authenticator.js';

// Passkeys (issue 10), attacked the way an attacker would: the password-and-photo route to
// urn:acr:face, and passkey answers replayed, for another site, without user verification, or
// reusing a challenge. A software authenticator answers; the real @simplewebauthn/server checks.

const unescapeHtml = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The ceremony form of a passkey page: its action, CSRF token and WebAuthn options. */
function ceremonyOf(html: string) {
  const form = html.match(/<form[^>]*id="passkey-form"[^>]*>/)?.[0];
  assert.ok(form, `a passkey form: ${html.slice(0, 400)}`);
  const attr = (name: string) => unescapeHtml(form.match(new RegExp(`${name}="([^"]*)"`))?.[1] ?? '');
  const csrf = html.slice(html.indexOf('id="passkey-form"')).match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
  return {
    action: attr('action'),
    csrf,
    options: JSON.parse(attr('data-options')) as {
      challenge: string;
      rpId?: string;
      rp: { id?: string };
      user: { id: string };
      userVerification?: string;
      allowCredentials?: unknown[];
      authenticatorSelection?: { residentKey?: string; userVerification?: string };
    },
  };
}

describe('passkeys and what urn:acr:face means (issue 10)', () => {
  let h: PeopleHarness;
  let client: TestClient;
  const origin = 'http://localhost:4444'; // the default issuer: RP ID localhost

  before(async () => {
    h = await peopleHarness();
    client = await h.client({ skip_consent: true });
  });
  after(async () => h?.close());

  /** A person with a face on file (any sealed template: the face step is not reached here). */
  async function personWithFace(): Promise<TestPerson> {
    const person = await h.person();
    assert.ok(await h.t.ctx.store.users.setFaceTemplate(person.id, 'sealed-template', h.t.clock.now()));
    return person;
  }

  /** A passkey of `person`'s, registered as an honest authenticator would have it. */
  async function passkeyOf(person: TestPerson, options: { backupEligible?: boolean } = {}): Promise<SoftwarePasskey> {
    const key = new SoftwarePasskey({ origin, ...options });
    key.userHandle = Buffer.from(person.id).toString('base64url');
    const added = await h.t.ctx.store.passkeys.add({
      credentialId: key.credentialId,
      userId: person.id,
      publicKey: key.cosePublicKey().toString('base64url'),
      signCount: 0,
      transports: ['internal'],
      backupEligible: options.backupEligible ?? false,
      backedUp: false,
      attachment: 'platform',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Device passkey',
      createdAt: h.t.clock.now(),
      lastUsedAt: null,
    });
    assert.ok(added);
    return key;
  }

  /** Starts an authorization request and opens its passkey page. */
  async function passkeyPage(browser: TestBrowser, overrides: Record<string, string> = {}) {
    const request = authorizationRequest(client.client_id, overrides);
    const start = await browser.get(request.path);
    assert.equal(start.status, 303);
    const interaction = start.headers.get('location') ?? '';
    const page = await browser.get(`${interaction}/passkey`);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    return { request, interaction, ...ceremonyOf(html) };
  }

  const post = (browser: TestBrowser, action: string, csrf: string, answer: unknown) =>
    browser.post(action, { csrf, credential: JSON.stringify(answer) });

  async function refusedWith(res: Response, problem: RegExp) {
    const html = await res.text();
    assert.equal(res.status, 400, html);
    assert.match(html, /id="passkey-error"/);
    assert.match(html, problem);
  }

  it('password + face no longer reaches urn:acr:face: unmet_authentication_requirements (fails on the old code)', async () => {
    const person = await personWithFace();
    const browser = h.browser();
    const request = authorizationRequest(client.client_id, { acr_values: 'urn:acr:face' });
    const start = await browser.get(request.path);
    const login = await browser.get(start.headers.get('location') ?? '');
    const html = await login.text();
    const csrf = html.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
    const action = html.match(/<form[^>]*action="([^"]*)"/)?.[1] ?? '';
    const res = await browser.post(action, { csrf, username: person.username, password: 'correct horse battery' });
    // The old code sent the person on to the face page here; a photo then passed.
    assertErrorRedirect(res, 'unmet_authentication_requirements', request.state, h.t.config.issuer);
  });

  it('signs in usernameless with a passkey: amr [hwk, user], acr urn:acr:passkey; the face step follows for urn:acr:face', async () => {
    const person = await personWithFace();
    const key = await passkeyOf(person);
    const browser = h.browser();
    const page = await passkeyPage(browser, { acr_values: 'urn:acr:passkey' });
    assert.equal(page.options.userVerification, 'required');
    assert.deepEqual(page.options.allowCredentials ?? [], [], 'usernameless: no credential list');
    const res = await post(browser, page.action, page.csrf, key.assert(page.options));
    assert.equal(res.status, 303, await res.clone().text());
    const code = codeFrom(new URL(res.headers.get('location') ?? ''), page.request.state, h.t.config.issuer);
    const tokens = await redeemCode(h.origin, client, code, page.request.verifier);
    const claims = decodeJwt(String(tokens.body.id_token));
    assert.equal(claims.sub, person.id);
    assert.equal(claims.acr, 'urn:acr:passkey');
    assert.deepEqual(claims.amr, ['hwk', 'user']);

    const synced = await passkeyOf(person, { backupEligible: true });
    const facePage = await passkeyPage(h.browser(), { acr_values: 'urn:acr:face' });
    const other = h.browser();
    const second = await passkeyPage(other, { acr_values: 'urn:acr:face' });
    void facePage;
    const toFace = await post(other, second.action, second.csrf, synced.assert(second.options));
    assert.equal(toFace.status, 303);
    assert.match(
      toFace.headers.get('location') ?? '',
      /^\/interaction\/[^/]+\/face$/,
      'a passkey leads to the face step',
    );
  });

  it('refuses a replayed assertion, and a challenge used twice', async () => {
    const person = await h.person();
    const key = await passkeyOf(person);
    const browser = h.browser();
    const page = await passkeyPage(browser);
    const answer = key.assert(page.options);
    const [a, b] = await Promise.all([
      post(browser, page.action, page.csrf, answer),
      post(browser, page.action, page.csrf, answer),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [303, 400], 'of two posts of one answer, one signs in');
    // Replayed after the sign-in: refused (its interaction and its challenge are both spent).
    const replay = await post(browser, page.action, page.csrf, answer);
    assert.equal(replay.status, 400);
    assert.equal(replay.headers.get('location'), null, 'no code for a replay');
    // A fresh answer with a stale counter but the new challenge: the counter must move on.
    const cloned = h.browser();
    const fresh = await passkeyPage(cloned);
    key.counter = 0; // a clone of the authenticator, behind the counter the server saw
    await refusedWith(
      await post(cloned, fresh.action, fresh.csrf, key.assert(fresh.options)),
      /could not be checked|used somewhere else/,
    );
  });

  it('refuses an answer to another interaction’s challenge', async () => {
    const person = await h.person();
    const key = await passkeyOf(person);
    const victim = await passkeyPage(h.browser());
    const attacker = h.browser();
    const mine = await passkeyPage(attacker);
    await refusedWith(
      await post(attacker, mine.action, mine.csrf, key.assert(victim.options)),
      /expired or was already used/,
    );
  });

  it('refuses an assertion for another RP ID or origin, and one without user verification', async () => {
    const person = await h.person();
    const key = await passkeyOf(person);
    const browser = h.browser();
    let page = await passkeyPage(browser);
    await refusedWith(
      await post(browser, page.action, page.csrf, key.assert(page.options, { rpId: 'evil.example' })),
      /another website/,
    );
    page = await passkeyPage(browser);
    await refusedWith(
      await post(browser, page.action, page.csrf, key.assert(page.options, { origin: 'https://evil.example' })),
      /another website/,
    );
    page = await passkeyPage(browser);
    await refusedWith(
      await post(browser, page.action, page.csrf, key.assert(page.options, { userVerified: false })),
      /did not confirm it is you/,
    );
    page = await passkeyPage(browser);
    const stranger = new SoftwarePasskey({ origin });
    await refusedWith(
      await post(browser, page.action, page.csrf, stranger.assert(page.options)),
      /not registered here/,
    );
  });

  it('registers a passkey through the enrolment link’s passkey step, UV required, once', async () => {
    const person = await h.person();
    const { url } = await issueFaceEnrolmentLink(h.t.ctx, person.id);
    const path = new URL(url).pathname;
    const token = path.split('/').pop() ?? '';
    const browser = h.browser();
    assert.equal((await browser.get(path)).status, 200, 'the face page binds this browser');
    const hash = hashFaceEnrolmentToken(h.t.ctx.keys.faceEnrolment, token);
    // Before the face: the passkey step sends the person to the face.
    assert.equal((await browser.get(`${path}/passkey`)).status, 303);
    // The face passed (the real check runs in face-enrolment.test.ts and the browser test): the
    // link is used, and its passkey step opened as the face page opens it.
    const link = await h.t.ctx.faceEnrolmentLinks.find(hash, h.t.clock.now());
    assert.ok(link.status === 'live');
    const redeemed = await h.t.ctx.faceEnrolmentLinks.redeem(
      hash,
      h.t.clock.now(),
      link.link.browserHash ?? '',
      () => 'sealed',
    );
    assert.equal(redeemed.status, 'ok');
    await h.t.ctx.store.passkeys.issueChallenge({
      binding: `link:${hash}`,
      purpose: 'register',
      userId: person.id,
      challenge: 'not-the-page-challenge-0123456789',
      challengeExpiresAt: h.t.clock.now() + 300,
      expiresAt: h.t.clock.now() + 900,
    });
    const res = await browser.get(`${path}/passkey`);
    const page = ceremonyOf(await res.text());
    assert.equal(page.options.authenticatorSelection?.residentKey, 'required');
    assert.equal(page.options.authenticatorSelection?.userVerification, 'required');
    assert.equal(
      (await h.browser().get(`${path}/passkey`)).status,
      403,
      'another browser cannot take over the passkey step',
    );
    const key = new SoftwarePasskey({ origin });
    await refusedWith(
      await post(browser, page.action, page.csrf, key.register(page.options, { userVerified: false })),
      /did not confirm it is you/,
    );
    const again = ceremonyOf(await (await browser.get(`${path}/passkey`)).text());
    await refusedWith(
      await post(browser, again.action, again.csrf, key.register(again.options, { origin: 'https://evil.example' })),
      /another website/,
    );
    const third = ceremonyOf(await (await browser.get(`${path}/passkey`)).text());
    const done = await post(browser, third.action, third.csrf, key.register(third.options));
    const html = await done.text();
    assert.equal(done.status, 200, html);
    assert.match(html, /Your face and passkey are enrolled/);
    const stored = await h.t.ctx.store.passkeys.listByUser(person.id);
    assert.deepEqual(
      stored.map((p) => [p.credentialId, p.backupEligible]),
      [[key.credentialId, false]],
    );
    // The step is over: the same answer, or a new ceremony, is refused.
    const replay = await post(browser, third.action, third.csrf, key.register(third.options));
    assert.ok(replay.status === 403 || replay.status === 410, String(replay.status));
    assert.equal((await h.t.ctx.store.passkeys.listByUser(person.id)).length, 1);
  });

  it('a session adds a passkey only after a fresh passkey confirmation; a password session never', async () => {
    const person = await h.person();
    // A password session (the attacker's, with the person's password).
    const browser = h.browser();
    const request = authorizationRequest(client.client_id);
    const start = await browser.get(request.path);
    const login = await (await browser.get(start.headers.get('location') ?? '')).text();
    const csrf = login.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
    const action = login.match(/<form[^>]*action="([^"]*)"/)?.[1] ?? '';
    await browser.post(action, { csrf, username: person.username, password: 'correct horse battery' });
    const page = await browser.get('/account/passkeys');
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.doesNotMatch(html, /id="passkey-form"/, 'no ceremony for a password session without a passkey');
    const pageCsrf = html.match(/name="csrf" value="([^"]*)"/)?.[1];
    const forced = await browser.post('/account/passkeys/add', {
      csrf: pageCsrf ?? '',
      credential: JSON.stringify(
        new SoftwarePasskey({ origin }).register({ challenge: 'x'.repeat(43), rp: {}, user: { id: 'eA' } }),
      ),
    });
    assert.equal(forced.status, 403, 'a password session cannot add a passkey');
    assert.deepEqual(await h.t.ctx.store.passkeys.listByUser(person.id), []);

    // The person: confirms with their passkey, then adds a second.
    const key = await passkeyOf(person);
    const confirmPage = ceremonyOf(await (await browser.get('/account/passkeys')).text());
    assert.equal(confirmPage.action, '/account/passkeys/confirm');
    const confirmed = await post(browser, confirmPage.action, confirmPage.csrf, key.assert(confirmPage.options));
    assert.equal(confirmed.status, 303, await confirmed.clone().text());
    const addPage = ceremonyOf(await (await browser.get('/account/passkeys')).text());
    assert.equal(addPage.action, '/account/passkeys/add');
    const second = new SoftwarePasskey({ origin, backupEligible: true });
    assert.equal((await post(browser, addPage.action, addPage.csrf, second.register(addPage.options))).status, 303);
    const listed = await (await browser.get('/account/passkeys')).text();
    assert.match(listed, /synced between devices/);
    // Later than the re-authentication window: confirm again first.
    h.t.clock.advance(301);
    try {
      const stale = ceremonyOf(await (await browser.get('/account/passkeys')).text());
      assert.equal(stale.action, '/account/passkeys/confirm');
      // Removing one.
      const removeCsrf = listed.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
      const removed = await browser.post('/account/passkeys/remove', {
        csrf: removeCsrf,
        credential_id: second.credentialId,
      });
      assert.equal(removed.status, 303);
      assert.deepEqual(
        (await h.t.ctx.store.passkeys.listByUser(person.id)).map((p) => p.credentialId),
        [key.credentialId],
      );
    } finally {
      h.t.clock.advance(-301);
    }
  });

  it('SIGNET_FACE_ALLOW_PASSWORD=true restores password + face as the documented weaker level', async () => {
    const lenient = await peopleHarness({ env: { SIGNET_FACE_ALLOW_PASSWORD: 'true' } });
    try {
      const person = await lenient.person();
      await lenient.t.ctx.store.users.setFaceTemplate(person.id, 'sealed-template', lenient.t.clock.now());
      const c = await lenient.client({ skip_consent: true });
      const browser = lenient.browser();
      const request = authorizationRequest(c.client_id, { acr_values: 'urn:acr:face' });
      const start = await browser.get(request.path);
      const login = await (await browser.get(start.headers.get('location') ?? '')).text();
      const csrf = login.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
      const action = login.match(/<form[^>]*action="([^"]*)"/)?.[1] ?? '';
      const res = await browser.post(action, { csrf, username: person.username, password: 'correct horse battery' });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /\/face$/);
    } finally {
      await lenient.close();
    }
  });
});
