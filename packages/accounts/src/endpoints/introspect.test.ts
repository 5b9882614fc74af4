import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { decodeJwt, decodeProtectedHeader } from 'jose';

type Credentials = { client_id: string; client_secret: string };

const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

describe('POST /oauth2/introspect (RFC 7662)', () => {
  let t: TestAccounts;
  let alice: Credentials;
  let bob: Credentials;
  before(async () => {
    t = await testAccounts();
    alice = await t.createClient({ client_name: 'Alice' });
    bob = await t.createClient({ client_name: 'Bob' });
  });
  after(async () => t.dispose());

  async function issue(c: Credentials, scope?: string): Promise<string> {
    const params = new URLSearchParams({ grant_type: 'client_credentials', audience: t.config.signerAudience });
    if (scope) params.set('scope', scope);
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
      payload: params.toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().access_token;
  }

  const introspect = (payload: string, c: Credentials | null = alice) =>
    t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/introspect',
      headers: { ...FORM, ...(c ? { authorization: basicAuth(c.client_id, c.client_secret) } : {}) },
      payload,
    });
  const introspectToken = (token: string, c: Credentials = alice) =>
    introspect(new URLSearchParams({ token }).toString(), c);

  async function assertInactive(res: Awaited<ReturnType<typeof introspect>>): Promise<void> {
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.json(), { active: false });
  }

  it('reports an active token as active with its claims', async () => {
    const token = await issue(alice, 'envelopes:read');
    const res = await introspectToken(token);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    const claims = decodeJwt(token);
    assert.deepEqual(body, {
      active: true,
      token_type: 'Bearer',
      iss: t.config.issuer,
      sub: alice.client_id,
      aud: t.config.signerAudience,
      client_id: alice.client_id,
      iat: claims.iat,
      exp: claims.exp,
      jti: claims.jti,
      scope: 'envelopes:read',
    });
  });

  it('accepts token_type_hint and client_secret_post credentials', async () => {
    const postClient = await t.createClient({ token_endpoint_auth_method: 'client_secret_post' });
    const params = new URLSearchParams({ grant_type: 'client_credentials', audience: t.config.signerAudience });
    params.set('client_id', postClient.client_id);
    params.set('client_secret', postClient.client_secret);
    const token = (
      await t.publicApp.inject({ method: 'POST', url: '/oauth2/token', headers: FORM, payload: params.toString() })
    ).json().access_token;
    const res = await introspect(
      new URLSearchParams({
        token,
        token_type_hint: 'access_token',
        client_id: postClient.client_id,
        client_secret: postClient.client_secret,
      }).toString(),
      null,
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().active, true);
  });

  it('reports a token as inactive once its exp has passed', async () => {
    const token = await issue(alice);
    const { exp } = decodeJwt(token);
    t.clock.advance((exp as number) - t.clock.now() - 1);
    assert.equal((await introspectToken(token)).json().active, true, 'one second before exp it is still active');
    t.clock.advance(2);
    await assertInactive(await introspectToken(token));
  });

  it('reports a revoked token as inactive', async () => {
    const token = await issue(alice);
    const revoke = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/revoke',
      headers: { ...FORM, authorization: basicAuth(alice.client_id, alice.client_secret) },
      payload: new URLSearchParams({ token }).toString(),
    });
    assert.equal(revoke.statusCode, 200, revoke.body);
    await assertInactive(await introspectToken(token));
  });

  it("reports another client's token as inactive", async () => {
    const token = await issue(bob);
    await assertInactive(await introspectToken(token, alice));
    assert.equal((await introspectToken(token, bob)).json().active, true);
  });

  it('reports garbage, tampered and foreign-issuer tokens as inactive', async () => {
    const token = await issue(alice);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: 'admin' })).toString('base64url');
    const other = await testAccounts();
    try {
      const c = await other.createClient();
      const res = await other.publicApp.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
        payload: `grant_type=client_credentials&audience=${encodeURIComponent(other.config.signerAudience)}`,
      });
      const foreign = res.json().access_token as string;
      for (const garbage of [
        'garbage',
        'a.b.c',
        `${header}.${forged}.${signature}`,
        foreign,
        '\u0000',
        'é'.repeat(5000),
      ]) {
        await assertInactive(await introspectToken(garbage));
      }
    } finally {
      await other.dispose();
    }
  });

  it('reports tokens signed with our key but not access tokens of this issuer as inactive', async () => {
    const claims = decodeJwt(await issue(alice));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const notAccessTokens = await Promise.all([
      // alg "none" with otherwise perfect claims.
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`,
      // An ID token or any other JWT signed by the same key is not an access token (RFC 9068 §4).
      t.ctx.keyring.signJwt({ typ: 'JWT' }, { ...claims }),
      t.ctx.keyring.signJwt({}, { ...claims }),
      // Another issuer's claims, or required claims missing.
      t.ctx.keyring.signJwt({ typ: 'at+jwt' }, { ...claims, iss: 'https://other.example' }),
      t.ctx.keyring.signJwt({ typ: 'at+jwt' }, { ...claims, jti: undefined }),
      t.ctx.keyring.signJwt({ typ: 'at+jwt' }, { ...claims, client_id: undefined }),
    ]);
    for (const token of notAccessTokens) await assertInactive(await introspectToken(token));
    // The control: the same helper with the right header and claims is accepted.
    assert.equal(
      (await introspectToken(await t.ctx.keyring.signJwt({ typ: 'at+jwt' }, { ...claims }))).json().active,
      true,
    );
  });

  it('keeps tokens active across a signing key rotation', async () => {
    const token = await issue(alice);
    await t.ctx.keyring.rotate();
    assert.notEqual(decodeProtectedHeader(token).kid, t.ctx.keyring.signingKey().kid, 'a new key signs now');
    assert.equal((await introspectToken(token)).json().active, true);
  });

  it('answers a missing token with invalid_request', async () => {
    for (const payload of ['', 'token=', 'token_type_hint=access_token']) {
      const res = await introspect(payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_request');
      assert.match(res.json().error_description, /token/);
    }
  });

  it('answers a repeated token with invalid_request', async () => {
    const token = await issue(alice);
    const res = await introspect(`token=${token}&token=${token}`);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('answers an unauthenticated or badly authenticated caller with 401 invalid_client', async () => {
    const token = await issue(alice);
    const payload = new URLSearchParams({ token }).toString();
    const cases = [
      {},
      { authorization: basicAuth(alice.client_id, 'wrong') },
      { authorization: basicAuth('nobody', alice.client_secret) },
      { authorization: 'Bearer abc' },
    ];
    for (const headers of cases) {
      const res = await t.publicApp.inject({
        method: 'POST',
        url: '/oauth2/introspect',
        headers: { ...FORM, ...headers },
        payload,
      });
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic/);
      assert.equal(res.json().active, undefined, 'an unauthenticated caller learns nothing about the token');
    }
  });

  it('refuses bodies that are not form-urlencoded', async () => {
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/introspect',
      headers: { 'content-type': 'application/json', authorization: basicAuth(alice.client_id, alice.client_secret) },
      payload: JSON.stringify({ token: 'x' }),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const res = await t.publicApp.inject({ method: 'GET', url: '/oauth2/introspect' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'POST');
    assert.equal(res.json().error, 'invalid_request');
  });
});
