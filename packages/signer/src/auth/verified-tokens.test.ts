import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCESS_TOKEN_TYP, OAuthError } from '@signet/protocol';
import { testClock } from '@signet/testing/accounts';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { CLOCK_LEEWAY_SECONDS } from './access-token.js';
import { VerifiedTokens } from './verified-tokens.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://signer.example';

/** An issuer's published keys that a test can change, counting the signature checks they serve. */
async function issuerKeys(now: () => number) {
  const published = new Map<string, { key: CryptoKey; jwk: JWK }>();
  const keys = {
    lookups: 0,
    async add(kid: string) {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      published.set(kid, { key: publicKey, jwk: await exportJWK(publicKey) });
      return privateKey;
    },
    remove(kid: string) {
      published.delete(kid);
    },
    getKey: async (header: { kid?: string }) => {
      keys.lookups++;
      const found = header.kid === undefined ? undefined : published.get(header.kid);
      if (!found) throw new OAuthError('invalid_token', 'unknown key', 401);
      return found.key;
    },
    hasFreshKey: (kid: string) => published.has(kid),
  };
  return { keys, check: { issuer: ISSUER, audience: AUDIENCE, issuerKeys: keys, now } };
}

async function accessToken(key: CryptoKey, kid: string, iat: number, claims: Record<string, unknown> = {}) {
  return new SignJWT({ client_id: 'c1', scope: 'envelopes:read', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: ACCESS_TOKEN_TYP, kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('c1')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
}

async function refused(promise: Promise<unknown>, status = 401): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof OAuthError && error.status === status);
}

describe('the cache of verified access tokens', () => {
  it('checks a reused token once, and a different token on its own', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const key = await keys.add('k1');
    const verified = new VerifiedTokens(check);
    const token = await accessToken(key, 'k1', clock.now());
    for (let i = 0; i < 5; i++) assert.equal((await verified.verify(token)).clientId, 'c1');
    assert.equal(keys.lookups, 1, 'one signature check for five calls');
    const other = await accessToken(key, 'k1', clock.now(), { client_id: 'c2' });
    assert.equal((await verified.verify(other)).clientId, 'c2');
    assert.equal(keys.lookups, 2);
  });

  it('is no hit for another spelling of a cached token: forged claims or signature are checked and refused', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const verified = new VerifiedTokens(check);
    const token = await accessToken(await keys.add('k1'), 'k1', clock.now());
    await verified.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, client_id: 'someone-else' })).toString('base64url');
    await refused(verified.verify(`${header}.${forged}.${signature}`));
    // The same claims with a flipped signature character.
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    await refused(verified.verify(`${header}.${payload}.${flipped}`));
    // Trailing junk after the token is another token, refused by the strict parser.
    await refused(verified.verify(`${token}.`));
    assert.equal(keys.lookups, 3, 'the forgeries were each checked against the key');
    assert.equal(verified.size, 1);
  });

  it('refuses a cached token once it has expired, on the shared clock', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const verified = new VerifiedTokens(check);
    const token = await accessToken(await keys.add('k1'), 'k1', clock.now());
    await verified.verify(token);
    clock.advance(3599);
    await verified.verify(token);
    assert.equal(keys.lookups, 1, 'served from the cache before exp');
    clock.advance(1);
    // At exp the cache no longer answers; the full check still grants the leeway…
    await verified.verify(token);
    assert.equal(keys.lookups, 2, 'at exp the token is verified afresh');
    clock.advance(CLOCK_LEEWAY_SECONDS + 1);
    // …and then refuses it.
    await refused(verified.verify(token));
  });

  it('refuses a cached token once its key has left the key set', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const verified = new VerifiedTokens(check);
    const token = await accessToken(await keys.add('k1'), 'k1', clock.now());
    await verified.verify(token);
    keys.remove('k1');
    await refused(verified.verify(token));
    assert.equal(verified.size, 0, 'the entry is dropped');
  });

  it('holds at most its bound, dropping the least recently used token', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const key = await keys.add('k1');
    const verified = new VerifiedTokens(check, 3);
    const tokens = await Promise.all(
      [0, 1, 2, 3].map((i) => accessToken(key, 'k1', clock.now(), { client_id: `c${i}` })),
    );
    for (const token of tokens.slice(0, 3)) await verified.verify(token);
    await verified.verify(tokens[0] as string); // c0 becomes the most recently used
    await verified.verify(tokens[3] as string); // evicts c1
    assert.equal(verified.size, 3);
    const before = keys.lookups;
    await verified.verify(tokens[0] as string);
    assert.equal(keys.lookups, before, 'c0 was kept');
    await verified.verify(tokens[1] as string);
    assert.equal(keys.lookups, before + 1, 'c1 was dropped and is verified again');
    assert.equal(verified.size, 3);
  });

  it('never caches a token that names no kid', async () => {
    const clock = testClock();
    const { keys, check } = await issuerKeys(clock.now);
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    keys.getKey = async () => {
      keys.lookups++;
      return publicKey;
    };
    const token = await new SignJWT({ client_id: 'c1' })
      .setProtectedHeader({ alg: 'ES256', typ: ACCESS_TOKEN_TYP })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('c1')
      .setIssuedAt(clock.now())
      .setExpirationTime(clock.now() + 3600)
      .sign(privateKey);
    const verified = new VerifiedTokens(check);
    await verified.verify(token);
    await verified.verify(token);
    assert.equal(keys.lookups, 2, 'verified each time');
    assert.equal(verified.size, 0);
  });
});
