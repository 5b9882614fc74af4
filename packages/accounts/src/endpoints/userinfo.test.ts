import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  type PeopleHarness,
  peopleHarness,
  signInForTokens,
  type TestClient,
  type TestPerson,
  tokenRequest,
  userinfo,
} from '@signet/testing/people';
import { generateKeyPair, SignJWT } from 'jose';

const BARE_CHALLENGE = 'Bearer realm="signet"';

describe('GET and POST /userinfo', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let person: TestPerson;
  let browser: TestBrowser;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
    person = await h.person();
    browser = h.browser();
  });
  after(async () => h?.close());

  const accessToken = async (scope = 'openid profile email phone offline_access') =>
    (await signInForTokens(h, browser, client, person, { scope })).tokens;

  async function assertInvalidToken(res: Response): Promise<void> {
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="signet", error="invalid_token"/);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
  }

  for (const method of ['GET', 'POST'] as const) {
    it(`${method} returns the claims of the granted scopes for a bearer token`, async () => {
      const tokens = await accessToken();
      const res = await userinfo(h.origin, tokens.access_token ?? '', method);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const claims = (await res.json()) as Record<string, unknown>;
      assert.equal(claims.sub, person.id);
      assert.equal(claims.name, 'Ada Lovelace');
      assert.equal(claims.birthdate, '1815-12-10');
      assert.deepEqual(claims.credential, { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' });
      assert.equal(claims.email, 'ada@example.com');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.phone_number, '+34600000000');
      assert.equal(claims.phone_number_verified, true);
      assert.equal(typeof claims.updated_at, 'number');
    });

    it(`${method} without a token answers 401 with a bare Bearer challenge`, async () => {
      const res = await fetch(`${h.origin}/userinfo`, { method });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), BARE_CHALLENGE);
      const basic = await fetch(`${h.origin}/userinfo`, { method, headers: { authorization: 'Basic YTpi' } });
      assert.equal(basic.status, 401);
      assert.equal(basic.headers.get('www-authenticate'), BARE_CHALLENGE);
    });

    it(`${method} with an invalid token answers 401 invalid_token`, async () => {
      await assertInvalidToken(await userinfo(h.origin, 'not-a-jwt', method));
    });
  }

  it('returns the claims of the granted scopes only', async () => {
    const cases: [string, string[]][] = [
      ['openid', ['sub']],
      ['openid email', ['email', 'email_verified', 'sub']],
      ['openid phone', ['phone_number', 'phone_number_verified', 'sub']],
      ['openid birthdate credential', ['birthdate', 'credential', 'sub']],
    ];
    for (const [scope, names] of cases) {
      const tokens = await accessToken(scope);
      const res = await userinfo(h.origin, tokens.access_token ?? '');
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys((await res.json()) as object).sort(), names, scope);
    }
  });

  it('reflects the person as they are now, not as they were when the token was issued', async () => {
    const someone = await h.person({ email: 'old@example.com' });
    const b = h.browser();
    const { tokens } = await signInForTokens(h, b, client, someone, { scope: 'openid email' });
    const put = await h.t.adminApp.inject({
      method: 'PUT',
      url: `/admin/users/${someone.id}`,
      headers: { authorization: h.t.adminAuth },
      payload: { email: 'new@example.com', email_verified: false },
    });
    assert.equal(put.statusCode, 200, put.body);
    const claims = (await (await userinfo(h.origin, tokens.access_token ?? '')).json()) as Record<string, unknown>;
    assert.equal(claims.email, 'new@example.com');
    assert.equal(claims.email_verified, false);
  });

  it('refuses a token with a tampered signature, an expired one and one signed by another key', async () => {
    const tokens = await accessToken();
    const token = tokens.access_token ?? '';
    const [header, payload, signature] = token.split('.');
    const flipped = `${signature?.[0] === 'A' ? 'B' : 'A'}${signature?.slice(1)}`;
    await assertInvalidToken(await userinfo(h.origin, `${header}.${payload}.${flipped}`));

    const { privateKey } = await generateKeyPair('ES256');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const kid = (JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid: string }).kid;
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    await assertInvalidToken(await userinfo(h.origin, forged));

    h.t.clock.advance(h.t.config.accessTokenTtl);
    await assertInvalidToken(await userinfo(h.origin, token));
  });

  it('refuses an id_token used as an access token', async () => {
    const tokens = await accessToken();
    await assertInvalidToken(await userinfo(h.origin, tokens.id_token ?? ''));
  });

  it('refuses a client_credentials token, which is not meant for userinfo', async () => {
    const res = await tokenRequest(h.origin, client, {
      grant_type: 'client_credentials',
      audience: h.t.config.signerAudience,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await assertInvalidToken(await userinfo(h.origin, res.body.access_token ?? ''));
  });

  it('refuses a client_credentials token even when the client may ask for the userinfo audience', async () => {
    const sneaky = await h.t.createClient({ audience: [`${h.t.config.issuer}/userinfo`] });
    const res = await tokenRequest(h.origin, sneaky, {
      grant_type: 'client_credentials',
      audience: `${h.t.config.issuer}/userinfo`,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const info = await userinfo(h.origin, res.body.access_token ?? '');
    assert.ok(info.status === 401 || info.status === 403, String(info.status));
    assert.match(info.headers.get('www-authenticate') ?? '', /^Bearer realm="signet", error="/);
  });

  it('answers 403 insufficient_scope for a token without openid', async () => {
    const tokens = await accessToken();
    const narrowed = await tokenRequest(h.origin, client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      scope: 'email',
    });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    const res = await userinfo(h.origin, narrowed.body.access_token ?? '');
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it('refuses the tokens of a client that was deleted', async () => {
    const doomed = await h.client({ skip_consent: true });
    const { tokens } = await signInForTokens(h, h.browser(), doomed, person, { scope: 'openid email' });
    assert.equal((await userinfo(h.origin, tokens.access_token ?? '')).status, 200);
    const res = await h.t.adminApp.inject({
      method: 'DELETE',
      url: `/admin/clients/${doomed.client_id}`,
      headers: { authorization: h.t.adminAuth },
    });
    assert.equal(res.statusCode, 204);
    await assertInvalidToken(await userinfo(h.origin, tokens.access_token ?? ''));
  });

  it('refuses a revoked access token', async () => {
    const tokens = await accessToken();
    const res = await fetch(`${h.origin}/oauth2/revoke`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: tokens.access_token ?? '' }),
    });
    assert.equal(res.status, 200);
    await assertInvalidToken(await userinfo(h.origin, tokens.access_token ?? ''));
  });
});
