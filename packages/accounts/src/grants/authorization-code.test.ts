import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  authorizationRequest,
  codeFrom,
  introspect,
  PASSWORD,
  type PeopleHarness,
  peopleHarness,
  REDIRECT_URI,
  redeemCode,
  type TestClient,
  type TestPerson,
  tokenRequest,
  userinfo,
  walk,
} from '@signet/testing/people';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';

const SIGNER = 'https://signer.example';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PROFILE_CLAIMS = ['name', 'given_name', 'family_name', 'birthdate', 'updated_at', 'credential'];
const EMAIL_CLAIMS = ['email', 'email_verified'];
const PHONE_CLAIMS = ['phone_number', 'phone_number_verified'];

const pgUrl = process.env.TEST_DATABASE_URL;
const backends = [
  { name: 'SQLite', postgresUrl: undefined, skip: false as const },
  {
    name: 'PostgreSQL',
    postgresUrl: pgUrl,
    skip: pgUrl ? (false as const) : 'TEST_DATABASE_URL is not set: the PostgreSQL leg was SKIPPED',
  },
];

for (const backend of backends) {
  describe(`authorization_code grant on ${backend.name}`, { skip: backend.skip }, () => {
    let h: PeopleHarness;
    let client: TestClient;
    let person: TestPerson;
    let browser: TestBrowser;
    let issuer: string;
    before(async () => {
      h = await peopleHarness(backend.postgresUrl ? { postgresUrl: backend.postgresUrl } : {});
      client = await h.client({
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        audience: [SIGNER],
      });
      person = await h.person();
      browser = h.browser();
      issuer = h.t.config.issuer;
      // Sign in and consent once to the default scope set, so later codes come without pages.
      await walk(browser, authorizationRequest(client.client_id).path, person);
    });
    after(async () => h?.close());

    /** A fresh code for `forClient` (signed in already, or signing in now), and the request's verifier. */
    async function code(
      overrides: Record<string, string | undefined> = {},
      forClient: TestClient = client,
      inBrowser: TestBrowser = browser,
    ): Promise<{ code: string; verifier: string; nonce: string }> {
      const req = authorizationRequest(forClient.client_id, overrides);
      const result = await walk(inBrowser, req.path, person);
      return { code: codeFrom(result.callback, req.state, issuer), verifier: req.verifier, nonce: req.nonce };
    }

    const jwks = () => createRemoteJWKSet(new URL(`${h.origin}/.well-known/jwks.json`));
    const at = () => new Date(h.t.clock.now() * 1000);

    it('issues an RFC 9068 access token, an id_token and a refresh token, all verifiable against the JWKS', async () => {
      const c = await code({ audience: SIGNER, scope: 'openid profile email phone offline_access' });
      const res = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const body = res.body;
      assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'expires_in',
        'id_token',
        'refresh_token',
        'scope',
        'token_type',
      ]);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      assert.equal(body.scope, 'openid profile email phone offline_access');

      const access = await jwtVerify(body.access_token ?? '', jwks(), { issuer, typ: 'at+jwt', currentDate: at() });
      assert.equal(access.payload.sub, person.id);
      assert.equal(access.payload.client_id, client.client_id);
      assert.deepEqual(access.payload.aud, [SIGNER, `${issuer}/userinfo`]);
      assert.equal(access.payload.scope, 'openid profile email phone offline_access');
      assert.equal(typeof access.payload.jti, 'string');

      const id = await jwtVerify(body.id_token ?? '', jwks(), {
        issuer,
        audience: client.client_id,
        currentDate: at(),
      });
      assert.equal(id.protectedHeader.alg, h.t.config.signingAlg);
      assert.ok(id.protectedHeader.kid);
      const claims = id.payload;
      assert.equal(claims.iss, issuer);
      assert.equal(claims.sub, person.id);
      assert.match(String(claims.sub), UUID, 'sub is the random id the admin API returned');
      assert.equal(claims.aud, client.client_id);
      assert.equal(claims.azp, client.client_id);
      assert.equal(claims.iat, h.t.clock.now());
      assert.equal((claims.exp as number) - (claims.iat as number), h.t.config.idTokenTtl);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok((claims.auth_time as number) <= (claims.iat as number));
      assert.equal(claims.nonce, c.nonce);
      assert.equal(claims.acr, 'urn:acr:password');
      assert.deepEqual(claims.amr, ['pwd']);
      const digest = createHash('sha256')
        .update(body.access_token ?? '')
        .digest();
      assert.equal(claims.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
      for (const name of [...PROFILE_CLAIMS, ...EMAIL_CLAIMS, ...PHONE_CLAIMS]) {
        assert.ok(name in claims, `${name} is released by the granted scopes`);
      }
      assert.equal(claims.birthdate, '1815-12-10');
      assert.deepEqual(claims.credential, { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' });
      assert.equal(claims.email_verified, true);
    });

    it('gives every id_token its own jti, even two minted in the same second for the same sign-in', async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 3; i++) {
        const c = await code();
        const res = await redeemCode(h.origin, client, c.code, c.verifier);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const { payload } = await jwtVerify(res.body.id_token ?? '', jwks(), { issuer, currentDate: at() });
        assert.equal(typeof payload.jti, 'string', 'the id_token carries a jti');
        assert.ok((payload.jti as string).length >= 16, 'the jti is long enough not to collide');
        assert.notEqual(payload.jti, decodeJwt(res.body.access_token ?? '').jti, 'not the access token jti');
        seen.add(payload.jti);
      }
      assert.equal(seen.size, 3, 'no two id_tokens share a jti');
    });

    it('releases only the claims of the granted scopes', async () => {
      const cases: [string, string[], string[]][] = [
        ['openid email', EMAIL_CLAIMS, [...PROFILE_CLAIMS, ...PHONE_CLAIMS]],
        ['openid phone', PHONE_CLAIMS, [...PROFILE_CLAIMS, ...EMAIL_CLAIMS]],
        ['openid birthdate', ['birthdate'], ['name', 'credential', 'updated_at', ...EMAIL_CLAIMS, ...PHONE_CLAIMS]],
        ['openid credential', ['credential'], ['name', 'birthdate', 'updated_at', ...EMAIL_CLAIMS, ...PHONE_CLAIMS]],
        ['openid', [], [...PROFILE_CLAIMS, ...EMAIL_CLAIMS, ...PHONE_CLAIMS]],
      ];
      for (const [scope, present, absent] of cases) {
        const c = await code({ scope });
        const res = await redeemCode(h.origin, client, c.code, c.verifier);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.scope, scope);
        const claims = decodeJwt(res.body.id_token ?? '');
        for (const name of present) assert.ok(name in claims, `${scope}: ${name} is released`);
        for (const name of absent) assert.ok(!(name in claims), `${scope}: ${name} is not released`);
        assert.equal(claims.sub, person.id);
        assert.equal(res.body.refresh_token, undefined, `${scope}: no offline scope, no refresh token`);
      }
    });

    it('omits nonce when none was sent, and aud is only userinfo when no audience was asked for', async () => {
      const c = await code({ nonce: undefined });
      const res = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(res.status, 200);
      assert.ok(!('nonce' in decodeJwt(res.body.id_token ?? '')));
      assert.equal(decodeJwt(res.body.access_token ?? '').aud, `${issuer}/userinfo`);
    });

    it('redeems a code once: the second redemption is invalid_grant and revokes what the first issued', async () => {
      const c = await code();
      const first = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(first.status, 200);
      const accessToken = first.body.access_token ?? '';
      const refreshToken = first.body.refresh_token ?? '';
      assert.ok(refreshToken);
      assert.equal((await introspect(h.origin, client, accessToken)).active, true);
      assert.equal((await userinfo(h.origin, accessToken)).status, 200);

      const second = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(second.status, 400);
      assert.equal(second.body.error, 'invalid_grant');
      assert.match(second.body.error_description ?? '', /already used/);

      assert.equal((await introspect(h.origin, client, accessToken)).active, false);
      const info = await userinfo(h.origin, accessToken);
      assert.equal(info.status, 401);
      assert.match(info.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      const refresh = await tokenRequest(h.origin, client, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });
      assert.equal(refresh.status, 400);
      assert.equal(refresh.body.error, 'invalid_grant');
      // A third try is still refused.
      assert.equal((await redeemCode(h.origin, client, c.code, c.verifier)).body.error, 'invalid_grant');
    });

    it('revokes the tokens of a refreshed grant too when its code is replayed', async () => {
      const c = await code();
      const first = await redeemCode(h.origin, client, c.code, c.verifier);
      const refreshed = await tokenRequest(h.origin, client, {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal((await redeemCode(h.origin, client, c.code, c.verifier)).body.error, 'invalid_grant');
      assert.equal((await introspect(h.origin, client, refreshed.body.access_token ?? '')).active, false);
      const again = await tokenRequest(h.origin, client, {
        grant_type: 'refresh_token',
        refresh_token: refreshed.body.refresh_token,
      });
      assert.equal(again.body.error, 'invalid_grant');
    });

    it('still revokes on replay after expired rows were purged, while tokens from the code live', async () => {
      const c = await code();
      const first = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(first.status, 200);
      h.t.clock.advance(h.t.config.authorizationCodeTtl + 1);
      await h.t.ctx.store.grants.purgeExpired(h.t.clock.now());
      const replay = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal((await introspect(h.origin, client, first.body.access_token ?? '')).active, false);
      const refresh = await tokenRequest(h.origin, client, {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
      });
      assert.equal(refresh.body.error, 'invalid_grant');
    });

    it('purges expired codes: unused ones at once, used ones once nothing issued from them lives', async () => {
      const codes = () => h.t.ctx.store.db.selectFrom('authorization_codes').select('code_hash').execute();
      await h.t.ctx.store.grants.purgeExpired(h.t.clock.now() + h.t.config.refreshTokenTtl * 2);
      assert.equal((await codes()).length, 0, 'every code of earlier tests is gone once its tokens are');
      await code();
      const used = await code();
      assert.equal((await redeemCode(h.origin, client, used.code, used.verifier)).status, 200);
      assert.equal((await codes()).length, 2);
      h.t.clock.advance(h.t.config.authorizationCodeTtl);
      await h.t.ctx.store.grants.purgeExpired(h.t.clock.now());
      assert.equal((await codes()).length, 1, 'the unused code is purged, the used one kept');
      h.t.clock.advance(h.t.config.refreshTokenTtl);
      await h.t.ctx.store.grants.purgeExpired(h.t.clock.now());
      assert.equal((await codes()).length, 0, 'the used code goes with the last token issued from it');
    });

    it('lets exactly one of two concurrent redemptions of a code succeed', async () => {
      for (let round = 0; round < 5; round++) {
        const c = await code();
        const answers = await Promise.all([
          redeemCode(h.origin, client, c.code, c.verifier),
          redeemCode(h.origin, client, c.code, c.verifier),
        ]);
        const statuses = answers.map((a) => a.status).sort();
        assert.deepEqual(statuses, [200, 400], JSON.stringify(answers.map((a) => a.body)));
        const failed = answers.find((a) => a.status === 400);
        assert.equal(failed?.body.error, 'invalid_grant');
        // The loser presented a used code: as for any reuse, what the winner got is revoked.
        const winner = answers.find((a) => a.status === 200);
        assert.equal((await introspect(h.origin, client, winner?.body.access_token ?? '')).active, false);
      }
    });

    it('refuses an expired code with invalid_grant', async () => {
      const ttl = h.t.config.authorizationCodeTtl;
      assert.equal(ttl, 60);
      const fresh = await code();
      h.t.clock.advance(ttl - 1);
      assert.equal((await redeemCode(h.origin, client, fresh.code, fresh.verifier)).status, 200);
      const stale = await code();
      h.t.clock.advance(ttl + 1);
      const res = await redeemCode(h.origin, client, stale.code, stale.verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
      assert.match(res.body.error_description ?? '', /expired/);
    });

    it('refuses an unknown code with invalid_grant', async () => {
      const res = await redeemCode(h.origin, client, 'not-a-code', authorizationRequest('x').verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
    });

    it('binds the code to its client: another client gets invalid_grant, and the code stays usable', async () => {
      const other = await h.client();
      const c = await code();
      const res = await redeemCode(h.origin, other, c.code, c.verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_grant');
      const wrongSecret = await redeemCode(h.origin, { ...client, client_secret: 'wrong' }, c.code, c.verifier);
      assert.equal(wrongSecret.status, 401);
      assert.equal(wrongSecret.body.error, 'invalid_client');
      const ok = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.ok(ok.body.access_token);
    });

    it('refuses a client that may not use the grant with unauthorized_client', async () => {
      const machine = await h.t.createClient({ grant_types: ['client_credentials'] });
      const c = await code();
      const res = await redeemCode(h.origin, machine, c.code, c.verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unauthorized_client');
      assert.equal((await redeemCode(h.origin, client, c.code, c.verifier)).status, 200);
    });

    it('binds the code to its redirect_uri, character for character', async () => {
      const c = await code();
      for (const redirectUri of [`${REDIRECT_URI}/`, 'https://evil.example/callback', `${REDIRECT_URI}?x=1`]) {
        const res = await redeemCode(h.origin, client, c.code, c.verifier, redirectUri);
        assert.equal(res.status, 400);
        assert.equal(res.body.error, 'invalid_grant', redirectUri);
      }
      const missing = await tokenRequest(h.origin, client, {
        grant_type: 'authorization_code',
        code: c.code,
        code_verifier: c.verifier,
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_request');
      assert.equal((await redeemCode(h.origin, client, c.code, c.verifier)).status, 200);
    });

    it('binds the code to the PKCE verifier: wrong or missing is invalid_grant, and the code stays usable', async () => {
      const c = await code();
      const wrong = await redeemCode(h.origin, client, c.code, authorizationRequest('x').verifier);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error, 'invalid_grant');
      assert.match(wrong.body.error_description ?? '', /code_verifier/);
      // The challenge itself is not the verifier (a plain downgrade).
      const challenge = createHash('sha256').update(c.verifier).digest('base64url');
      assert.equal((await redeemCode(h.origin, client, c.code, challenge)).body.error, 'invalid_grant');
      const missing = await redeemCode(h.origin, client, c.code, undefined);
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_grant');
      assert.match(missing.body.error_description ?? '', /code_verifier is required/);
      const malformed = await redeemCode(h.origin, client, c.code, 'short');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error, 'invalid_request');
      const ok = await redeemCode(h.origin, client, c.code, c.verifier);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    it('gives no refresh token to a client without the refresh_token grant, even for offline_access', async () => {
      const noRefresh = await h.client({ grant_types: ['authorization_code'], skip_consent: true });
      const c = await code({ scope: 'openid offline_access offline' }, noRefresh);
      const res = await redeemCode(h.origin, noRefresh, c.code, c.verifier);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.refresh_token, undefined);
      assert.ok(res.body.id_token);
    });

    it('gives a refresh token for offline alone, as for offline_access', async () => {
      for (const scope of ['openid offline', 'openid offline_access']) {
        const c = await code({ scope });
        const res = await redeemCode(h.origin, client, c.code, c.verifier);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(res.body.refresh_token, scope);
      }
    });

    it('keeps the id_token acr and auth_time of the sign-in the code came from', async () => {
      const fresh = h.browser();
      const req = authorizationRequest(client.client_id, { acr_values: 'urn:acr:password' });
      const signInTime = h.t.clock.now();
      const result = await walk(fresh, req.path, { username: person.username, password: PASSWORD });
      h.t.clock.advance(30);
      const res = await redeemCode(h.origin, client, codeFrom(result.callback, req.state, issuer), req.verifier);
      const claims = decodeJwt(res.body.id_token ?? '');
      assert.equal(claims.auth_time, signInTime);
      assert.equal(claims.iat, signInTime + 30);
      assert.equal(claims.acr, 'urn:acr:password');
    });
  });
}

describe('authorization_code grant with RS256 keys', () => {
  let h: PeopleHarness;
  before(async () => {
    h = await peopleHarness({ env: { SIGNET_SIGNING_ALG: 'RS256' } });
  });
  after(async () => h?.close());

  it('signs the id_token with RS256 and computes at_hash with SHA-256', async () => {
    const client = await h.client({ skip_consent: true });
    const person = await h.person();
    const req = authorizationRequest(client.client_id, { scope: 'openid email' });
    const result = await walk(h.browser(), req.path, person);
    const res = await redeemCode(
      h.origin,
      client,
      codeFrom(result.callback, req.state, h.t.config.issuer),
      req.verifier,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { payload, protectedHeader } = await jwtVerify(
      res.body.id_token ?? '',
      createRemoteJWKSet(new URL(`${h.origin}/.well-known/jwks.json`)),
      { issuer: h.t.config.issuer, audience: client.client_id, currentDate: new Date(h.t.clock.now() * 1000) },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, person.id);
    const digest = createHash('sha256')
      .update(res.body.access_token ?? '')
      .digest();
    assert.equal(payload.at_hash, digest.subarray(0, 16).toString('base64url'));
  });
});
