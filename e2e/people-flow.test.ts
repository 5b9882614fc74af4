import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formAction, hiddenField, TestBrowser } from '@signet/testing/browser';
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
import { type RunningSignet, startSignet } from './signet.js';

const REDIRECT_URI = 'https://example.com/callback';
const DOCUMENTED_SCOPE = 'openid profile birthdate email phone credential offline offline_access';

// openid-client v6, unmodified, drives the documented authorization request; a cookie-keeping
// fetch plays the person filling in the login and consent forms over plain HTTP.
describe('the documented authorization code flow with openid-client', () => {
  let signet: RunningSignet;
  let config: Configuration;
  let person: { id: string; username: string };

  before(async () => {
    signet = await startSignet();
    const client = await signet.createClient({
      client_name: 'Acme Signing',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: [REDIRECT_URI],
    });
    person = await signet.createUser();
    config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      {
        execute: [allowInsecureRequests],
      },
    );
  });
  after(async () => signet?.close());

  /** Walks the browser from the authorization URL to the redirect back to the client. */
  async function signIn(browser: TestBrowser, url: URL, password = 'correct horse battery'): Promise<URL> {
    let res = await browser.get(url.href);
    assert.equal(res.status, 303, await res.text());
    let location = res.headers.get('location') as string;
    while (!location.startsWith(REDIRECT_URI)) {
      res = await browser.get(location);
      const html = await res.text();
      assert.equal(res.status, 200, html);
      const action = formAction(html);
      const csrf = hiddenField(html, 'csrf');
      assert.ok(action && csrf, 'the page has a form with a CSRF token');
      res = action.endsWith('/login')
        ? await browser.post(action, { csrf, username: person.username, password })
        : await browser.post(action, { csrf, decision: 'allow' });
      assert.equal(res.status, 303, await res.text());
      location = res.headers.get('location') as string;
    }
    return new URL(location);
  }

  it('signs the person in, consents, and yields an id_token, userinfo and rotating refresh tokens', async () => {
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
    });
    const callback = await signIn(new TestBrowser(signet.publicUrl), url);
    assert.equal(callback.searchParams.get('iss'), signet.issuer);

    const tokens = await authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.sub, person.id);
    assert.equal(claims.acr, 'urn:acr:password');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(claims.birthdate, '1815-12-10');
    assert.deepEqual(claims.credential, { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' });
    assert.equal(typeof claims.auth_time, 'number');
    assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');

    const userinfo = await fetchUserInfo(config, tokens.access_token, person.id);
    assert.equal(userinfo.email, 'ada@example.com');
    assert.equal(userinfo.phone_number, '+34600000000');

    const refreshed = await refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
    const again = refreshed.claims();
    assert.equal(again?.sub, person.id);
    assert.equal(again?.auth_time, claims.auth_time);
    assert.equal(again?.acr, claims.acr);
  });

  it('ends the documented request for urn:acr:face in unmet_authentication_requirements for a person without an enrolled face, never a lower acr', async () => {
    const verifier = randomPKCECodeVerifier();
    const state = '12345678901234567890';
    const url = buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: DOCUMENTED_SCOPE,
      state,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      acr_values: 'urn:acr:face',
    });
    const callback = await signIn(new TestBrowser(signet.publicUrl), url);
    assert.equal(callback.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('code'), null);
    await assert.rejects(
      authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
      (error: unknown) =>
        error instanceof AuthorizationResponseError && error.error === 'unmet_authentication_requirements',
    );
  });
});
