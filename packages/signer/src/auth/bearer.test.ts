import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testAccounts } from '@signet/testing/accounts';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { CLOCK_LEEWAY_SECONDS } from './access-token.js';

/** GET /v1/me with an Authorization header (or none). */
function me(t: TestSigner, authorization?: string, url = '/v1/me') {
  return t.app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Asserts an RFC 6750 invalid_token answer whose description contains `fragment`. */
function assertInvalidToken(res: Awaited<ReturnType<typeof me>>, fragment: string): void {
  assert.equal(res.statusCode, 401, res.body);
  const body = res.json() as { error: string; error_description: string };
  assert.equal(body.error, 'invalid_token');
  assert.match(body.error_description, new RegExp(fragment));
  const challenge = String(res.headers['www-authenticate']);
  assert.match(challenge, /^Bearer realm="signet", error="invalid_token", error_description="[^"]+"$/);
  assert.ok(challenge.includes(body.error_description), 'the challenge carries the same description');
}

const jwksFetches = (t: TestSigner) => t.issuerFetches.filter((u) => u.endsWith('/.well-known/jwks.json')).length;

describe('bearer access tokens against a real issuer', () => {
  let t: TestSigner;
  before(async () => {
    t = await testSigner();
  });
  after(() => t.dispose());

  it('accepts a client_credentials token for its audience and names the calling client', async () => {
    const client = await t.newClient();
    const res = await me(t, client.authorization);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { client_id: client.clientId, scope: 'envelopes:read envelopes:write' });
    assert.equal(res.headers['cache-control'], 'no-store');
    // The scheme name is case-insensitive (RFC 6750 §2.1, RFC 9110 §11.1).
    assert.equal((await me(t, `bearer ${client.accessToken}`)).statusCode, 200);
  });

  it('answers a request without a token with a bare Bearer challenge (no error code)', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ']) {
      const res = await me(t, authorization);
      assert.equal(res.statusCode, 401, `${authorization}: ${res.body}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="signet"');
      assert.equal(res.json().error, 'invalid_token');
    }
  });

  it('refuses a malformed Authorization header as invalid_request', async () => {
    const res = await me(t, 'Bearer two tokens');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="signet", error="invalid_request"');
  });

  it('refuses tokens that are not JWTs or are tampered with', async () => {
    assertInvalidToken(await me(t, 'Bearer not-a-jwt'), 'malformed');
    const { accessToken } = await t.newClient();
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64({ ...claims, client_id: 'someone-else' })}.${signature}`;
    assertInvalidToken(await me(t, `Bearer ${forged}`), 'signature is invalid');
  });

  it('refuses alg none and HS256 (keyed with the public JWK) whatever their claims', async () => {
    const { accessToken } = await t.newClient();
    const { kid } = decodeProtectedHeader(accessToken);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());
    const none = `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`;
    assertInvalidToken(await me(t, `Bearer ${none}`), 'algorithm is not allowed');
    // The classic confusion attack: HMAC keyed with material everyone can read.
    const jwks = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const publicJwk = JSON.stringify(jwks.keys.find((k) => k.kid === kid));
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...(kid ? { kid } : {}) })
      .sign(new TextEncoder().encode(publicJwk));
    assertInvalidToken(await me(t, `Bearer ${hs256}`), 'algorithm is not allowed');
  });

  it('refuses a token for another audience', async () => {
    const client = await t.createClient({ audience: ['https://other-api.example', t.config.audience] });
    const token = await t.accessToken(client, { audience: 'https://other-api.example' });
    assertInvalidToken(await me(t, `Bearer ${token}`), 'not meant for this API \\(aud\\)');
  });

  it('refuses an id_token presented as an access token (typ JWT, not at+jwt)', async () => {
    const { tokens } = await t.signIn();
    assert.ok(tokens.id_token);
    assert.equal(decodeProtectedHeader(tokens.id_token).typ, 'JWT');
    assertInvalidToken(await me(t, `Bearer ${tokens.id_token}`), 'typ must be at\\+jwt');
  });

  it('refuses a token with the query-string method (RFC 6750 §2.3), even next to a valid header', async () => {
    const { accessToken, authorization } = await t.newClient();
    const alone = await t.app.inject({ url: `/v1/me?access_token=${accessToken}` });
    assert.equal(alone.statusCode, 400);
    assert.equal(alone.json().error, 'invalid_request');
    assert.match(alone.json().error_description, /Authorization header/);
    const both = await me(t, authorization, `/v1/me?access_token=${accessToken}`);
    assert.equal(both.statusCode, 400);
  });

  it('keeps public routes public', async () => {
    for (const url of ['/health', '/openapi.json', '/docs']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
    }
  });
});

describe('token lifetime against the shared clock', () => {
  let t: TestSigner;
  before(async () => {
    t = await testSigner();
  });
  after(() => t.dispose());

  it(`accepts a token up to ${CLOCK_LEEWAY_SECONDS} s after exp, then refuses it as expired`, async () => {
    const { authorization, accessToken } = await t.newClient();
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());
    t.clock.advance(claims.exp - t.clock.now() + CLOCK_LEEWAY_SECONDS - 1);
    assert.equal((await me(t, authorization)).statusCode, 200);
    t.clock.advance(2);
    assertInvalidToken(await me(t, authorization), 'expired');
  });
});

describe('a token from another issuer signed with the same keys', () => {
  it('is refused on iss', async () => {
    const t = await testSigner();
    // A second accounts on the same database and master key signs with the very same keys,
    // under another issuer name.
    const masterKey = readFileSync(join(t.accounts.config.dataDir, 'master-key'), 'utf8').trim();
    const other = await testAccounts({
      clock: t.clock,
      env: {
        SIGNET_ISSUER: 'http://127.0.0.1:1',
        SIGNET_MASTER_KEY: masterKey,
        SIGNET_DATABASE_URL: t.accounts.config.databaseUrl,
        SIGNET_DEMO_CLIENT: 'false',
      },
    });
    try {
      const client = await t.createClient();
      const res = await other.publicApp.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', audience: t.config.audience }).toString(),
      });
      assert.equal(res.statusCode, 200, res.body);
      const token = res.json().access_token as string;
      assertInvalidToken(await me(t, `Bearer ${token}`), 'not issued by the trusted issuer');
    } finally {
      await other.dispose();
      await t.dispose();
    }
  });
});

describe('key rotation and the JWKS cache', () => {
  let t: TestSigner;
  before(async () => {
    t = await testSigner();
  });
  after(() => t.dispose());

  const rotate = async () => {
    const res = await t.accounts.adminApp.inject({
      method: 'POST',
      url: '/admin/keys/rotate',
      headers: { authorization: t.accounts.adminAuth },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().active_kid as string;
  };

  it('accepts a token signed by a key rotated in after the keys were cached, with one refetch', async () => {
    const client = await t.createClient();
    assert.equal((await me(t, `Bearer ${await t.accessToken(client)}`)).statusCode, 200);
    assert.equal(jwksFetches(t), 1);
    // Accounts publishes the next key ahead of use: two rotations (the second once its next key
    // has been published long enough) make a signing key the Signer has never seen.
    await rotate();
    t.clock.advance(70);
    const kid = await rotate();
    t.clock.advance(31);
    const token = await t.accessToken(client);
    assert.equal(decodeProtectedHeader(token).kid, kid);
    assert.equal((await me(t, `Bearer ${token}`)).statusCode, 200);
    assert.equal(jwksFetches(t), 2, 'exactly one refetch');
    assert.equal((await me(t, `Bearer ${token}`)).statusCode, 200);
    assert.equal(jwksFetches(t), 2, 'the new key is cached');
  });

  it('rotations attempted every second while tokens are issued and used: no request is refused', async () => {
    t.clock.advance(31);
    const client = await t.createClient();
    let rotations = 0;
    const refused: number[] = [];
    for (let second = 0; second < 200; second++) {
      t.clock.advance(1);
      const res = await t.accounts.adminApp.inject({
        method: 'POST',
        url: '/admin/keys/rotate',
        headers: { authorization: t.accounts.adminAuth },
      });
      if (res.statusCode === 200) rotations++;
      else {
        assert.equal(res.statusCode, 409, res.body);
        assert.ok(Number(res.headers['retry-after']) >= 1, 'says when the rotation becomes safe');
      }
      const answer = await me(t, `Bearer ${await t.accessToken(client)}`);
      if (answer.statusCode !== 200) refused.push(second);
    }
    assert.deepEqual(refused, [], 'every fresh token was accepted');
    assert.ok(rotations >= 2, `the keys did rotate (${rotations} times)`);
  });

  it('rate-limits refetches caused by a flood of unknown kids', async () => {
    t.clock.advance(31);
    const before = jwksFetches(t);
    const { accessToken } = await t.newClient();
    const [, payload, signature] = accessToken.split('.') as [string, string, string];
    const unknown = (i: number) =>
      `Bearer ${b64({ alg: 'ES256', typ: 'at+jwt', kid: `made-up-${i}` })}.${payload}.${signature}`;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => me(t, unknown(i))));
    for (const res of answers) assertInvalidToken(res, 'unknown key');
    for (let i = 50; i < 100; i++) assertInvalidToken(await me(t, unknown(i)), 'unknown key');
    assert.equal(jwksFetches(t) - before, 1, 'one refetch for 100 unknown kids inside the cooldown');
    t.clock.advance(31);
    assertInvalidToken(await me(t, unknown(100)), 'unknown key');
    assert.equal(jwksFetches(t) - before, 2, 'the next refetch waits for the cooldown');
  });

  it('refetches the keys once their TTL has passed', async () => {
    const { authorization } = await t.newClient();
    const before = jwksFetches(t);
    assert.equal((await me(t, authorization)).statusCode, 200);
    t.clock.advance(601);
    assert.equal((await me(t, authorization)).statusCode, 200);
    assert.equal(jwksFetches(t) - before, 1);
  });
});

describe('a verified token whose key leaves the issuer key set', () => {
  it('is served from the cache until the key set is refetched, then refused', async () => {
    const t = await testSigner();
    try {
      const { authorization, accessToken } = await t.newClient();
      const { kid } = decodeProtectedHeader(accessToken);
      assert.equal((await me(t, authorization)).statusCode, 200);
      const res = await t.accounts.adminApp.inject({
        method: 'POST',
        url: '/admin/keys/rotate',
        headers: { authorization: t.accounts.adminAuth },
      });
      assert.equal(res.statusCode, 200, res.body);
      // An operator removes the rotated-out key at once (it leaked), before its tokens expire.
      assert.ok(await t.accounts.ctx.store.signingKeys.retire(String(kid), t.clock.now()));
      await t.accounts.ctx.keyring.reload();
      const published = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      assert.ok(!published.keys.some((k) => k.kid === kid), 'the key left the JWKS');
      const fetches = jwksFetches(t);
      t.clock.advance(601);
      assertInvalidToken(await me(t, authorization), 'unknown key');
      assert.equal(jwksFetches(t), fetches + 1, 'the stale key set was refetched');
      assertInvalidToken(await me(t, authorization), 'unknown key');
    } finally {
      await t.dispose();
    }
  });
});
