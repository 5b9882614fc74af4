import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { RETIRE_GRACE_SECONDS } from '../keys/keyring.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

interface KeyJson {
  kid: string;
  alg: string;
  status: string;
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  public_jwk: Record<string, unknown>;
}

function admin(
  t: TestAccounts,
  method: NonNullable<InjectOptions['method']>,
  url: string,
): Promise<LightMyRequestResponse> {
  return t.adminApp.inject({ method, url, headers: { authorization: t.adminAuth } });
}

async function listKeys(t: TestAccounts): Promise<KeyJson[]> {
  const res = await admin(t, 'GET', '/admin/keys');
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function jwks(t: TestAccounts): Promise<JSONWebKeySet> {
  return (await t.publicApp.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
}

async function issue(t: TestAccounts, client: { client_id: string; client_secret: string }): Promise<string> {
  const res = await t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: `grant_type=client_credentials&audience=${encodeURIComponent(t.config.signerAudience)}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().access_token;
}

/** True when a resource server holding `set` would accept `token` at the test clock's time. */
async function verifies(t: TestAccounts, set: JSONWebKeySet, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(set), {
      issuer: t.config.issuer,
      audience: t.config.signerAudience,
      typ: 'at+jwt',
      currentDate: new Date(t.clock.now() * 1000),
    });
    return true;
  } catch {
    return false;
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('admin API signing keys', () => {
  let t: TestAccounts;
  let client: { client_id: string; client_secret: string };
  before(async () => {
    t = await testAccounts();
    client = await t.createClient();
  });
  after(async () => t.dispose());

  it('needs the admin token', async () => {
    for (const [method, url] of [
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys/rotate'],
      ['POST', '/admin/keys/x/retire'],
    ] as const) {
      const res = await t.adminApp.inject({ method, url });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
    }
    assert.equal((await t.ctx.store.signingKeys.list()).length, 2, 'an unauthenticated rotate changed nothing');
  });

  it('lists the keys with their public part only', async () => {
    const keys = await listKeys(t);
    assert.deepEqual(
      keys.map((k) => k.status),
      ['active', 'next'],
    );
    const res = await admin(t, 'GET', '/admin/keys');
    assert.ok(!res.body.includes('sealed'), 'no sealed private key in the listing');
    for (const key of keys) {
      assert.deepEqual(Object.keys(key).sort(), [
        'activated_at',
        'alg',
        'created_at',
        'kid',
        'public_jwk',
        'retired_at',
        'status',
      ]);
      assert.equal(key.public_jwk.kid, key.kid);
      assert.equal(key.public_jwk.kty, 'EC');
      for (const member of PRIVATE_MEMBERS) assert.equal(key.public_jwk[member], undefined, `no "${member}"`);
      assert.equal(key.created_at, iso(t.clock.now()));
      assert.equal(key.retired_at, null);
    }
    assert.equal(keys[0]?.activated_at, iso(t.clock.now()));
    assert.equal(keys[1]?.activated_at, null);
  });

  it('rotates, retires only when no live token needs the key, and then stops publishing it', async () => {
    const [first, second] = await listKeys(t);
    assert.ok(first && second);
    const oldToken = await issue(t, client);
    assert.equal(decodeProtectedHeader(oldToken).kid, first.kid);
    const publishedBefore = await jwks(t);
    assert.ok(
      publishedBefore.keys.some((k) => k.kid === second.kid),
      'the next key is published before it signs',
    );

    t.clock.advance(100);
    const rotatedAt = t.clock.now();
    const rotated = await admin(t, 'POST', '/admin/keys/rotate');
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.equal(rotated.json().active_kid, second.kid);
    assert.deepEqual(
      rotated
        .json()
        .keys.map((k: KeyJson) => [k.kid, k.status])
        .slice(0, 2),
      [
        [first.kid, 'previous'],
        [second.kid, 'active'],
      ],
    );
    const newToken = await issue(t, client);
    assert.equal(decodeProtectedHeader(newToken).kid, second.kid);
    assert.ok(await verifies(t, await jwks(t), oldToken), 'a token signed before the rotation still verifies');
    assert.ok(await verifies(t, publishedBefore, newToken), 'a JWKS cached before the rotation verifies new tokens');

    // The active and next keys can never be retired.
    const third = (await listKeys(t)).find((k) => k.status === 'next');
    for (const kid of [second.kid, third?.kid]) {
      const res = await admin(t, 'POST', `/admin/keys/${kid}/retire`);
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error, 'invalid_request');
    }

    // The previous key is needed while a token it signed can be live.
    const retirableAt = rotatedAt + t.config.accessTokenTtl + RETIRE_GRACE_SECONDS;
    const early = await admin(t, 'POST', `/admin/keys/${first.kid}/retire`);
    assert.equal(early.statusCode, 409, early.body);
    assert.ok(early.json().error_description.includes(iso(retirableAt)), early.json().error_description);
    t.clock.advance(t.config.accessTokenTtl);
    assert.equal((await admin(t, 'POST', `/admin/keys/${first.kid}/retire`)).statusCode, 409, 'still within the grace');
    assert.ok(kids(await jwks(t)).includes(first.kid));

    t.clock.advance(retirableAt - t.clock.now());
    const retired = await admin(t, 'POST', `/admin/keys/${first.kid}/retire`);
    assert.equal(retired.statusCode, 200, retired.body);
    assert.equal(retired.json().status, 'retired');
    assert.equal(retired.json().retired_at, iso(t.clock.now()));
    assert.ok(!kids(await jwks(t)).includes(first.kid), 'a retired key leaves the JWKS');
    assert.equal((await listKeys(t)).find((k) => k.kid === first.kid)?.status, 'retired');
    assert.ok(await verifies(t, await jwks(t), await issue(t, client)), 'signing goes on');

    const again = await admin(t, 'POST', `/admin/keys/${first.kid}/retire`);
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error_description, /already retired/);
  });

  it('answers 404 for an unknown key', async () => {
    const res = await admin(t, 'POST', '/admin/keys/no-such-kid/retire');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });
});

const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid);

describe('retiring a key when id_tokens live longer than access tokens', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts({ env: { SIGNET_ID_TOKEN_TTL: '7200' } });
  });
  after(async () => t.dispose());

  it('waits for the longer lifetime', async () => {
    const oldKid = t.ctx.keyring.signingKey().kid;
    const rotatedAt = t.clock.now();
    assert.equal((await admin(t, 'POST', '/admin/keys/rotate')).statusCode, 200);
    t.clock.advance(t.config.accessTokenTtl + RETIRE_GRACE_SECONDS);
    const early = await admin(t, 'POST', `/admin/keys/${oldKid}/retire`);
    assert.equal(early.statusCode, 409, 'an id_token signed just before the rotation is still live');
    assert.ok(early.json().error_description.includes(iso(rotatedAt + 7200 + RETIRE_GRACE_SECONDS)));
    t.clock.advance(7200 - t.config.accessTokenTtl);
    assert.equal((await admin(t, 'POST', `/admin/keys/${oldKid}/retire`)).statusCode, 200);
  });
});

describe('retiring a key in a cluster', () => {
  const masterKey = randomBytes(32).toString('base64url');
  let a: TestAccounts;
  let b: TestAccounts;
  before(async () => {
    a = await testAccounts({ env: { SIGNET_MASTER_KEY: masterKey } });
    b = await testAccounts({
      clock: a.clock,
      env: { SIGNET_MASTER_KEY: masterKey, SIGNET_DATABASE_URL: a.config.databaseUrl },
    });
    b.ctx.keyring.stop();
  });
  after(async () => {
    await b.dispose();
    await a.dispose();
  });

  it('waits for tokens another node signed with the old key before its next refresh', async () => {
    const client = await a.createClient();
    const oldKid = a.ctx.keyring.signingKey().kid;
    assert.equal((await admin(a, 'POST', '/admin/keys/rotate')).statusCode, 200);

    // Node b learns of the rotation at its next refresh; until then it still signs with the old key.
    a.clock.advance(9);
    const lateToken = await issue(b, client);
    assert.equal(decodeProtectedHeader(lateToken).kid, oldKid);
    await b.ctx.keyring.reload();

    // One token lifetime after the rotation, that token is still live for 9 seconds.
    a.clock.advance(a.config.accessTokenTtl - 9);
    const exp = (JSON.parse(Buffer.from(lateToken.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
    assert.ok(exp > a.clock.now());
    const early = await admin(a, 'POST', `/admin/keys/${oldKid}/retire`);
    assert.equal(early.statusCode, 409, 'retiring now would break a live token');
    assert.ok(await verifies(a, await jwks(a), lateToken));

    a.clock.advance(RETIRE_GRACE_SECONDS);
    assert.ok(exp <= a.clock.now());
    const res = await admin(a, 'POST', `/admin/keys/${oldKid}/retire`);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!kids(await jwks(a)).includes(oldKid));
  });
});
