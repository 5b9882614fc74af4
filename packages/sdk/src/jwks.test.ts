import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { RemoteJwks } from './jwks.js';

/** An issuer whose published key set a test can change, and a clock it controls. */
async function issuer() {
  const jwk = async (kid: string) => ({
    ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
    kid,
    alg: 'ES256',
    use: 'sig',
  });
  const state = { keys: [await jwk('k1'), await jwk('k2')], now: 1_800_000_000 };
  const fetch = async () =>
    new Response(JSON.stringify({ keys: state.keys }), { headers: { 'content-type': 'application/json' } });
  const jwks = new RemoteJwks('https://issuer.example/jwks', { fetch, now: () => state.now, maxAgeSeconds: 600 });
  return { state, jwks };
}

describe('RemoteJwks.hasFreshKey', () => {
  it('is false before a key set is held, and never fetches', async () => {
    const { jwks } = await issuer();
    assert.equal(jwks.hasFreshKey('k1'), false);
    assert.equal(jwks.fetchCount, 0);
  });

  it('says whether the fresh set lists a kid, and is false once the set is older than its TTL', async () => {
    const { state, jwks } = await issuer();
    await jwks.getKey({ alg: 'ES256', kid: 'k1' }, { payload: '', signature: '' });
    assert.equal(jwks.hasFreshKey('k1'), true);
    assert.equal(jwks.hasFreshKey('k2'), true);
    assert.equal(jwks.hasFreshKey('k3'), false);
    state.now += 599;
    assert.equal(jwks.hasFreshKey('k1'), true);
    state.now += 1;
    assert.equal(jwks.hasFreshKey('k1'), false, 'stale: the caller must verify afresh');
  });

  it('is false for a kid the issuer stopped publishing, once the set is refetched', async () => {
    const { state, jwks } = await issuer();
    await jwks.getKey({ alg: 'ES256', kid: 'k1' }, { payload: '', signature: '' });
    // Asked before the refetch too, so an answer remembered from the first set would show.
    assert.equal(jwks.hasFreshKey('k1'), true);
    state.keys = state.keys.filter((k) => k.kid !== 'k1');
    state.now += 600;
    await jwks.getKey({ alg: 'ES256', kid: 'k2' }, { payload: '', signature: '' });
    assert.equal(jwks.fetchCount, 2);
    assert.equal(jwks.hasFreshKey('k1'), false);
    assert.equal(jwks.hasFreshKey('k2'), true);
  });
});
