import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { FetchLike } from './http.js';
import { verifyIdToken } from './id-token.js';
import { RemoteJwks } from './jwks.js';

// The real issuer only makes single-audience tokens, so the azp rules and odd headers are
// exercised on tokens jose signs with a key of our own, published as a JWKS.
describe('verifyIdToken on tokens no issuer of ours makes', () => {
  const issuer = 'https://issuer.example';
  const clientId = 'client-a';
  const now = 1_800_000_000;
  let sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
  let jwks: RemoteJwks;
  let weakRsa: RemoteJwks;
  let weakRsaToken: string;

  const serve =
    (body: unknown): FetchLike =>
    async () =>
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    jwks = new RemoteJwks('https://issuer.example/jwks', {
      fetch: serve({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }),
      now: () => now,
    });
    sign = (claims, header = {}) =>
      new SignJWT({ iss: issuer, sub: 'person-1', iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
        .sign(privateKey);
    // jose refuses to sign with a short RSA key, so node:crypto makes this one.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    weakRsa = new RemoteJwks('https://issuer.example/jwks', {
      fetch: serve({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1' }] }),
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ alg: 'RS256', kid: 'r1' })}.${b64({ iss: issuer, sub: 'p', aud: clientId, iat: now, exp: now + 300 })}`;
    weakRsaToken = `${input}.${createSign('sha256').update(input).sign(rsa.privateKey).toString('base64url')}`;
  });

  const verify = (token: string) => verifyIdToken(token, { issuer, clientId, jwks, now: () => now });

  it('accepts several audiences only with azp naming this client (OpenID Connect Core §3.1.3.7)', async () => {
    const claims = await verify(await sign({ aud: [clientId, 'client-b'], azp: clientId }));
    assert.deepEqual(claims.aud, [clientId, 'client-b']);
    await assert.rejects(verify(await sign({ aud: [clientId, 'client-b'] })), {
      code: 'jwt_claim_invalid',
      claim: 'azp',
    });
    await assert.rejects(verify(await sign({ aud: [clientId, 'client-b'], azp: 'client-b' })), {
      code: 'jwt_claim_invalid',
      claim: 'azp',
    });
    await assert.rejects(verify(await sign({ aud: clientId, azp: 'client-b' })), {
      code: 'jwt_claim_invalid',
      claim: 'azp',
    });
  });

  it('refuses critical header extensions and a missing sub, exp or iat', async () => {
    await assert.rejects(verify(await sign({ aud: clientId }, { crit: ['b64'], b64: true })), { code: 'jwt_invalid' });
    await assert.rejects(verify(await sign({ aud: clientId, sub: undefined })), { claim: 'sub' });
    await assert.rejects(verify(await sign({ aud: clientId, exp: undefined })), { claim: 'exp' });
    await assert.rejects(verify(await sign({ aud: clientId, iat: undefined })), { claim: 'iat' });
  });

  it('refuses RSA keys shorter than 2048 bits, and RS256 when only ES256 is accepted', async () => {
    const token = weakRsaToken;
    await assert.rejects(verifyIdToken(token, { issuer, clientId, jwks: weakRsa, now: () => now }), {
      code: 'jwt_invalid',
      message: /2048/,
    });
    await assert.rejects(
      verifyIdToken(token, { issuer, clientId, jwks: weakRsa, now: () => now, algorithms: ['ES256'] }),
      { code: 'jwt_invalid', message: /RS256/ },
    );
  });
});
