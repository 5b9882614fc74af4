import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  introspect,
  type PeopleHarness,
  peopleHarness,
  signInForTokens,
  type TestClient,
  type TestPerson,
  type TokenAnswer,
  tokenRequest,
  userinfo,
} from '@signet/testing/people';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const SCOPE = 'openid profile email phone offline_access';

describe('refresh_token grant', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let person: TestPerson;
  let browser: TestBrowser;
  before(async () => {
    h = await peopleHarness();
    client = await h.client();
    person = await h.person();
    browser = h.browser();
  });
  after(async () => h?.close());

  /** Tokens from a new authorization of the signed-in person. */
  async function tokens(overrides: Record<string, string | undefined> = {}) {
    const result = await signInForTokens(h, browser, client, person, { scope: SCOPE, ...overrides });
    assert.ok(result.tokens.refresh_token, 'the grant has a refresh token');
    return result;
  }

  const refresh = (refreshToken: string | undefined, extra: Record<string, string> = {}, as = client) =>
    tokenRequest(h.origin, as, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });

  function assertInvalidGrant(answer: TokenAnswer, description?: RegExp): void {
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.error, 'invalid_grant');
    if (description) assert.match(answer.body.error_description ?? '', description);
  }

  it('rotates the refresh token on every use and issues a new access token and id_token', async () => {
    const { tokens: first, request } = await tokens({ acr_values: 'urn:acr:password' });
    const original = decodeJwt(first.id_token ?? '');
    assert.equal(original.nonce, request.nonce);
    let current = first;
    const seen = new Set([first.refresh_token]);
    for (let i = 0; i < 3; i++) {
      h.t.clock.advance(60);
      const next = await refresh(current.refresh_token);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.ok(next.body.refresh_token);
      assert.ok(!seen.has(next.body.refresh_token), 'each refresh token is new');
      seen.add(next.body.refresh_token);
      assert.notEqual(next.body.access_token, current.access_token);
      assert.equal(next.body.scope, SCOPE);
      const claims = (
        await jwtVerify(next.body.id_token ?? '', createRemoteJWKSet(new URL(`${h.origin}/.well-known/jwks.json`)), {
          issuer: h.t.config.issuer,
          audience: client.client_id,
          currentDate: new Date(h.t.clock.now() * 1000),
        })
      ).payload;
      assert.equal(claims.sub, original.sub);
      assert.equal(claims.sub, person.id);
      assert.equal(claims.auth_time, original.auth_time);
      assert.equal(claims.acr, 'urn:acr:password');
      assert.deepEqual(claims.amr, original.amr);
      assert.equal(claims.iat, h.t.clock.now());
      assert.ok(!('nonce' in claims), 'a refreshed id_token carries no nonce');
      const digest = createHash('sha256')
        .update(next.body.access_token ?? '')
        .digest();
      assert.equal(claims.at_hash, digest.subarray(0, 16).toString('base64url'));
      assert.equal(decodeJwt(next.body.access_token ?? '').sub, person.id);
      current = next.body;
    }
  });

  it('keeps the original auth_time even after the person signs in again', async () => {
    const { tokens: first } = await tokens();
    const authTime = decodeJwt(first.id_token ?? '').auth_time;
    h.t.clock.advance(300);
    const again = await tokens({ prompt: 'login' });
    assert.equal(decodeJwt(again.tokens.id_token ?? '').auth_time, h.t.clock.now());
    const next = await refresh(first.refresh_token);
    assert.equal(next.status, 200);
    assert.equal(decodeJwt(next.body.id_token ?? '').auth_time, authTime);
  });

  it("mints each refreshed id_token with a fresh jti and the sign-in's auth_time, acr and amr", async () => {
    const { tokens: first } = await tokens();
    const original = decodeJwt(first.id_token ?? '');
    const jtis = new Set([original.jti]);
    let current = first;
    for (let i = 0; i < 2; i++) {
      // The same second: the Signer must still tell the two id_tokens apart.
      const next = await refresh(current.refresh_token);
      assert.equal(next.status, 200, JSON.stringify(next.body));
      const claims = decodeJwt(next.body.id_token ?? '');
      assert.equal(typeof claims.jti, 'string', 'a refreshed id_token carries a jti');
      assert.ok(!jtis.has(claims.jti), 'the jti is new');
      jtis.add(claims.jti);
      assert.equal(claims.sub, original.sub);
      assert.equal(claims.auth_time, original.auth_time);
      assert.equal(claims.acr, original.acr);
      assert.deepEqual(claims.amr, original.amr);
      current = next.body;
    }
  });

  it('treats a used refresh token as theft: invalid_grant and the whole grant is revoked', async () => {
    const { tokens: first } = await tokens();
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.status, 200);
    for (const access of [first.access_token, second.body.access_token, third.body.access_token]) {
      assert.equal((await introspect(h.origin, client, access ?? '')).active, true);
    }

    assertInvalidGrant(await refresh(first.refresh_token), /already used/);

    // The newest refresh token is gone with the grant, and every access token is inactive.
    assertInvalidGrant(await refresh(third.body.refresh_token));
    for (const access of [first.access_token, second.body.access_token, third.body.access_token]) {
      assert.equal((await introspect(h.origin, client, access ?? '')).active, false);
      assert.equal((await userinfo(h.origin, access ?? '')).status, 401);
    }
  });

  it('lets exactly one of two concurrent uses of a refresh token succeed', async () => {
    const { tokens: first } = await tokens();
    const answers = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400]);
  });

  it('allows a narrower scope and releases only its claims; the grant keeps its scope', async () => {
    const { tokens: first } = await tokens();
    const narrow = await refresh(first.refresh_token, { scope: 'openid email' });
    assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
    assert.equal(narrow.body.scope, 'openid email');
    assert.equal(decodeJwt(narrow.body.access_token ?? '').scope, 'openid email');
    const claims = decodeJwt(narrow.body.id_token ?? '');
    assert.equal(claims.email, 'ada@example.com');
    assert.ok(!('birthdate' in claims));
    assert.ok(!('phone_number' in claims));
    const info = await userinfo(h.origin, narrow.body.access_token ?? '');
    assert.equal(info.status, 200);
    const body = (await info.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['email', 'email_verified', 'sub']);
    // Narrowing once does not shrink the grant: the next refresh may ask for all of it again.
    const full = await refresh(narrow.body.refresh_token);
    assert.equal(full.status, 200);
    assert.equal(full.body.scope, SCOPE);
  });

  it('omits the id_token when the narrower scope leaves out openid', async () => {
    const { tokens: first } = await tokens();
    const next = await refresh(first.refresh_token, { scope: 'email' });
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(next.body.id_token, undefined);
    assert.ok(next.body.refresh_token);
  });

  it('refuses a wider scope with invalid_scope and leaves the refresh token usable', async () => {
    const { tokens: first } = await tokens({ scope: 'openid email offline_access' });
    for (const scope of ['openid email phone offline_access', 'openid profile', 'openid unknown']) {
      const res = await refresh(first.refresh_token, { scope });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_scope', scope);
    }
    assert.equal((await refresh(first.refresh_token)).status, 200);
  });

  it('binds the refresh token to its client, and leaves it usable after another client tried it', async () => {
    const other = await h.client();
    const { tokens: first } = await tokens();
    assertInvalidGrant(await refresh(first.refresh_token, {}, other));
    assert.equal((await refresh(first.refresh_token)).status, 200);
  });

  it('refuses a client without the refresh_token grant with unauthorized_client', async () => {
    const noRefresh = await h.client({ grant_types: ['authorization_code'] });
    const { tokens: first } = await tokens();
    const res = await refresh(first.refresh_token, {}, noRefresh);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'unauthorized_client');
  });

  it('refuses an expired, unknown or missing refresh token', async () => {
    const { tokens: first } = await tokens();
    h.t.clock.advance(h.t.config.refreshTokenTtl);
    assertInvalidGrant(await refresh(first.refresh_token), /expired/);
    assertInvalidGrant(await refresh('not-a-refresh-token'));
    const missing = await refresh(undefined);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
  });

  it('stops working once revoked at the revocation endpoint', async () => {
    const { tokens: first } = await tokens();
    const res = await fetch(`${h.origin}/oauth2/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: first.refresh_token ?? '', token_type_hint: 'refresh_token' }),
    });
    assert.equal(res.status, 200);
    assertInvalidGrant(await refresh(first.refresh_token));
    assert.equal((await introspect(h.origin, client, first.access_token ?? '')).active, false);
  });

  it('is not issued for a request without offline scopes', async () => {
    const result = await signInForTokens(h, browser, client, person, { scope: 'openid email' });
    assert.equal(result.tokens.refresh_token, undefined);
  });
});
