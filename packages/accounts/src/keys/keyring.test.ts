import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { createAccounts } from '../accounts.js';
import { loadConfig } from '../config.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

async function jwks(t: TestAccounts): Promise<JSONWebKeySet> {
  const res = await t.publicApp.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  assert.equal(res.statusCode, 200);
  return res.json();
}

const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid).sort();

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

/** Verifies a token the way a resource server would, against a given JWKS, at the test clock's time. */
async function verifyWith(t: TestAccounts, set: JSONWebKeySet, token: string) {
  return jwtVerify(token, createLocalJWKSet(set), {
    issuer: t.config.issuer,
    audience: t.config.signerAudience,
    typ: 'at+jwt',
    currentDate: new Date(t.clock.now() * 1000),
  });
}

async function introspect(t: TestAccounts, client: { client_id: string; client_secret: string }, token: string) {
  const res = await t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/introspect',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: `token=${token}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { active: boolean };
}

describe('keyring on first start', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts();
  });
  after(async () => t.dispose());

  it('creates one active and one next ES256 key, and publishes both', async () => {
    const keys = await t.ctx.store.signingKeys.list(true);
    assert.deepEqual(
      keys.map((k) => k.status),
      ['active', 'next'],
    );
    const set = await jwks(t);
    assert.deepEqual(kids(set), keys.map((k) => k.kid).sort());
    for (const jwk of set.keys) {
      assert.equal(jwk.kty, 'EC');
      assert.equal(jwk.crv, 'P-256');
      assert.equal(jwk.alg, 'ES256');
      assert.equal(jwk.use, 'sig');
      for (const member of PRIVATE_MEMBERS)
        assert.equal((jwk as Record<string, unknown>)[member], undefined, `no "${member}" in the JWKS`);
    }
    assert.equal(t.ctx.keyring.signingKey().kid, keys[0]?.kid);
  });

  it('keeps the private keys sealed in the store', async () => {
    for (const key of await t.ctx.store.signingKeys.list(true)) {
      assert.match(key.privateJwkSealed, /^v1\./);
      assert.ok(!key.privateJwkSealed.includes('"d"'));
      for (const member of PRIVATE_MEMBERS) assert.equal(key.publicJwk[member], undefined);
    }
  });

  it('signs with the active key, and the signature verifies with jose', async () => {
    const client = await t.createClient();
    const token = await issue(t, client);
    const { protectedHeader } = await verifyWith(t, await jwks(t), token);
    assert.equal(protectedHeader.kid, t.ctx.keyring.signingKey().kid);
    assert.equal(protectedHeader.alg, 'ES256');
  });

  it('does not create keys again on a second start of the same database', async () => {
    const before = await t.ctx.store.signingKeys.list(true);
    const second = await createAccounts(t.config, { now: t.clock.now });
    try {
      assert.deepEqual(await second.ctx.store.signingKeys.list(true), before);
      assert.equal(second.ctx.keyring.signingKey().kid, t.ctx.keyring.signingKey().kid);
    } finally {
      await second.close();
    }
  });
});

describe('keyring rotation', () => {
  let t: TestAccounts;
  let client: { client_id: string; client_secret: string };
  before(async () => {
    t = await testAccounts();
    client = await t.createClient();
  });
  after(async () => t.dispose());

  it('publishes the next key before it signs, and keeps the old one published after', async () => {
    const beforeSet = await jwks(t);
    const [active, next] = await t.ctx.store.signingKeys.list();
    assert.ok(active && next);
    const oldToken = await issue(t, client);
    assert.equal(decodeProtectedHeader(oldToken).kid, active.kid);

    t.clock.advance(5);
    const rotatedTo = await t.ctx.keyring.rotate();
    assert.equal(rotatedTo, next.kid, 'the former next key signs now');
    const afterSet = await jwks(t);
    assert.equal(afterSet.keys.length, 3);
    assert.ok(kids(afterSet).includes(active.kid), 'the previous key stays published');

    const newToken = await issue(t, client);
    assert.equal(decodeProtectedHeader(newToken).kid, next.kid);
    await verifyWith(t, beforeSet, newToken); // a resource server's JWKS cached before the rotation
    await verifyWith(t, afterSet, oldToken); // a token signed before the rotation
    assert.equal((await introspect(t, client, oldToken)).active, true);
    assert.equal((await introspect(t, client, newToken)).active, true);

    const statuses = (await t.ctx.store.signingKeys.list()).map((k) => [k.kid, k.status]);
    assert.deepEqual(statuses.slice(0, 2), [
      [active.kid, 'previous'],
      [next.kid, 'active'],
    ]);
    assert.equal(statuses[2]?.[1], 'next');
  });
});

describe('keyring on two nodes sharing one database', () => {
  const masterKey = randomBytes(32).toString('base64url');
  let a: TestAccounts;
  let b: TestAccounts;
  let client: { client_id: string; client_secret: string };
  before(async () => {
    a = await testAccounts({ env: { SIGNET_MASTER_KEY: masterKey } });
    b = await testAccounts({
      clock: a.clock,
      env: { SIGNET_MASTER_KEY: masterKey, SIGNET_DATABASE_URL: a.config.databaseUrl },
    });
    // Node b refreshes only when told, so the test decides when it learns of a rotation.
    b.ctx.keyring.stop();
    client = await a.createClient();
  });
  after(async () => {
    await b.dispose();
    await a.dispose();
  });

  it('share the same keys', async () => {
    assert.deepEqual(kids(await jwks(b)), kids(await jwks(a)));
    assert.equal(b.ctx.keyring.signingKey().kid, a.ctx.keyring.signingKey().kid);
    assert.equal((await introspect(b, client, await issue(a, client))).active, true);
  });

  it('verify tokens of a rotation made on the other node even before reloading, and sign with the new key after', async () => {
    const oldKid = b.ctx.keyring.signingKey().kid;
    const newKid = await a.ctx.keyring.rotate();
    assert.notEqual(newKid, oldKid);

    const fromA = await issue(a, client);
    assert.equal(decodeProtectedHeader(fromA).kid, newKid);
    assert.equal(decodeProtectedHeader(await issue(b, client)).kid, oldKid, 'b has not reloaded yet');
    await verifyWith(b, await jwks(b), fromA);
    assert.equal((await introspect(b, client, fromA)).active, true, 'the new key was published as next');

    await b.ctx.keyring.reload();
    assert.equal(b.ctx.keyring.signingKey().kid, newKid);
    assert.equal(decodeProtectedHeader(await issue(b, client)).kid, newKid);
    assert.deepEqual(kids(await jwks(b)), kids(await jwks(a)));
  });
});

describe('keyring and the master key', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-keys-'));
    dirs.push(dir);
    return dir;
  };

  it('refuses to start on a database sealed with another master key, naming SIGNET_MASTER_KEY', async () => {
    const t = await testAccounts({ env: { SIGNET_MASTER_KEY: randomBytes(32).toString('base64url') } });
    try {
      const before = await t.ctx.store.signingKeys.list(true);
      const config = loadConfig({
        SIGNET_DATA_DIR: dataDir(),
        SIGNET_LOG_LEVEL: 'silent',
        SIGNET_DATABASE_URL: t.config.databaseUrl,
        SIGNET_MASTER_KEY: randomBytes(32).toString('base64url'),
      });
      await assert.rejects(createAccounts(config), /SIGNET_MASTER_KEY/);
      assert.deepEqual(await t.ctx.store.signingKeys.list(true), before, 'the failed start changed no key');
    } finally {
      await t.dispose();
    }
  });

  it('refuses a database whose master-key file was lost', async () => {
    const t = await testAccounts();
    try {
      const config = loadConfig({
        SIGNET_DATA_DIR: dataDir(),
        SIGNET_LOG_LEVEL: 'silent',
        SIGNET_DATABASE_URL: t.config.databaseUrl,
      });
      await assert.rejects(createAccounts(config), /SIGNET_MASTER_KEY/);
    } finally {
      await t.dispose();
    }
  });
});

describe('keyring with SIGNET_SIGNING_ALG=RS256', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts({ env: { SIGNET_SIGNING_ALG: 'RS256' } });
  });
  after(async () => t.dispose());

  it('generates 2048-bit RSA keys and signs RS256 tokens that verify with jose', async () => {
    const set = await jwks(t);
    assert.equal(set.keys.length, 2);
    for (const jwk of set.keys) {
      assert.equal(jwk.kty, 'RSA');
      assert.equal(jwk.alg, 'RS256');
      assert.equal(Buffer.from(jwk.n ?? '', 'base64url').length * 8, 2048);
      for (const member of PRIVATE_MEMBERS)
        assert.equal((jwk as Record<string, unknown>)[member], undefined, `no "${member}" in the JWKS`);
    }
    const token = await issue(t, await t.createClient());
    const { protectedHeader } = await verifyWith(t, set, token);
    assert.equal(protectedHeader.alg, 'RS256');

    await t.ctx.keyring.rotate();
    const rotated = await jwks(t);
    assert.ok(rotated.keys.every((k) => k.kty === 'RSA'));
    await verifyWith(t, rotated, token);
  });
});
