import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertErrorPage,
  authorizationRequest,
  codeFrom,
  type PeopleHarness,
  peopleHarness,
  type TestClient,
  tokenRequest,
  walk,
} from '@signet/testing/people';
import { isRegisteredRedirectUri } from './redirect-uri.js';

const LOOPBACK_V4 = 'http://127.0.0.1:4447/callback';
const LOOPBACK_V6 = 'http://[::1]:4447/callback';
const LOCALHOST = 'http://localhost:4447/callback';
const WEB = 'https://app.example/callback';

describe('isRegisteredRedirectUri', () => {
  const registered = [LOOPBACK_V4, LOOPBACK_V6, LOCALHOST, WEB];

  it('matches a loopback IP redirect URI on any port, and with no port (RFC 8252 §7.3)', () => {
    for (const uri of [
      'http://127.0.0.1:51234/callback',
      'http://127.0.0.1:1/callback',
      'http://127.0.0.1/callback',
      'http://[::1]:60000/callback',
      LOOPBACK_V4,
    ]) {
      assert.equal(isRegisteredRedirectUri(registered, uri), true, uri);
    }
  });

  it('holds everything but the port of a loopback IP redirect URI to an exact match', () => {
    for (const uri of [
      'http://127.0.0.1:51234/callback/',
      'http://127.0.0.1:51234/Callback',
      'http://127.0.0.1:51234/callback?x=1',
      'http://127.0.0.1:51234/callback#',
      'http://127.0.0.1:51234/other/../callback',
      'https://127.0.0.1:51234/callback',
      'http://127.0.0.2:51234/callback',
      'http://127.1:51234/callback',
      'http://0x7f.0.0.1:51234/callback',
      'http://[0:0:0:0:0:0:0:1]:51234/callback',
      'http://user@127.0.0.1:51234/callback',
      'http://127.0.0.1:80/callback',
      'http://127.0.0.1:51234@evil.example/callback',
      'http://127.0.0.1.evil.example:51234/callback',
      'not a url',
    ]) {
      assert.equal(isRegisteredRedirectUri(registered, uri), false, uri);
    }
  });

  it('gives localhost and other hosts no port leeway: they match only exactly', () => {
    assert.equal(isRegisteredRedirectUri(registered, LOCALHOST), true);
    assert.equal(isRegisteredRedirectUri(registered, 'http://localhost:51234/callback'), false);
    assert.equal(isRegisteredRedirectUri(registered, WEB), true);
    assert.equal(isRegisteredRedirectUri(registered, 'https://app.example:8443/callback'), false);
    assert.equal(
      isRegisteredRedirectUri(['http://app.example:4447/callback'], 'http://app.example:4448/callback'),
      false,
    );
  });

  it('does not let a loopback URI on one host stand for the other', () => {
    assert.equal(isRegisteredRedirectUri([LOOPBACK_V4], 'http://[::1]:51234/callback'), false);
    assert.equal(isRegisteredRedirectUri([LOOPBACK_V6], 'http://127.0.0.1:51234/callback'), false);
  });
});

// The same rules at the real authorization endpoint, as an attacker would send them.
describe('/oauth2/auth with loopback redirect URIs', () => {
  let h: PeopleHarness;
  let client: TestClient;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ redirect_uris: [LOOPBACK_V4, WEB] });
  });
  after(() => h?.close());

  it('signs in and redeems the code on a port other than the registered one; the code is bound to that port', async () => {
    const redirectUri = 'http://127.0.0.1:51234/callback';
    const request = authorizationRequest(client.client_id, { redirect_uri: redirectUri });
    const { callback } = await walk(h.browser(), request.path, await h.person());
    assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
    const code = callback.searchParams.get('code');
    assert.ok(code, callback.href);
    assert.equal(callback.searchParams.get('state'), request.state);

    // RFC 6749 §4.1.3: the token request repeats the redirect URI exactly, port included.
    const wrongPort = await tokenRequest(h.origin, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: LOOPBACK_V4,
      code_verifier: request.verifier,
    });
    assert.equal(wrongPort.status, 400);
    assert.equal(wrongPort.body.error, 'invalid_grant');
  });

  it('redeems the code with the redirect URI of the request', async () => {
    const redirectUri = 'http://127.0.0.1:40001/callback';
    const request = authorizationRequest(client.client_id, { redirect_uri: redirectUri });
    const { callback } = await walk(h.browser(), request.path, await h.person());
    const code = callback.searchParams.get('code') ?? '';
    const answer = await tokenRequest(h.origin, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: request.verifier,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(answer.body.id_token);
  });

  it('attack: a non-loopback redirect URI still needs an exact match, port included', async () => {
    for (const redirectUri of [
      'https://app.example:8443/callback',
      'http://localhost:51234/callback',
      'http://127.0.0.1:51234@evil.example/callback',
      'http://127.0.0.1.evil.example:51234/callback',
      'http://127.0.0.1:51234/callback/../../evil',
      'https://127.0.0.1:51234/callback',
    ]) {
      const request = authorizationRequest(client.client_id, { redirect_uri: redirectUri });
      const res = await fetch(`${h.origin}${request.path}`, { redirect: 'manual' });
      const html = await assertErrorPage(res, 400, 'invalid_request');
      assert.match(html, /an address the application has not registered/, redirectUri);
    }
  });

  it('still accepts the registered web redirect URI exactly', async () => {
    const request = authorizationRequest(client.client_id);
    const { callback } = await walk(h.browser(), request.path, await h.person());
    assert.ok(codeFrom(callback, request.state, h.t.config.issuer));
  });
});
