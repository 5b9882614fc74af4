import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { FetchLike } from './http.js';
import { verifyIdToken } from './id-token.js';
import { RemoteJwks } from './jwks.js';
import type { JwsAlg } from './jws.js';

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

  it('refuses HS256 even when a caller widens algorithms at runtime, and a token not yet valid (nbf)', async () => {
    const algorithms = ['ES256', 'HS256'] as JwsAlg[];
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const hs = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64({ iss: issuer, sub: 'p', aud: clientId, iat: now, exp: now + 300 })}`;
    await assert.rejects(
      verifyIdToken(`${hs}.${Buffer.from('mac').toString('base64url')}`, {
        issuer,
        clientId,
        jwks,
        algorithms,
        now: () => now,
      }),
      { code: 'jwt_invalid', message: /HS256.*accepted: ES256\)/ },
    );
    await assert.rejects(verify(await sign({ aud: clientId, nbf: now + 60 })), {
      code: 'jwt_claim_invalid',
      claim: 'nbf',
    });
  });
});

describe('RemoteJwks on jose (createRemoteJWKSet)', () => {
  const issuer = 'https://issuer.example';
  const clientId = 'client-a';
  const now = 1_800_000_000;
  const claims = { iss: issuer, sub: 'person-1', aud: clientId, iat: now, exp: now + 300 };

  /** A fetch that answers with `answer()` and counts the requests. */
  function serving(answer: () => Response | Promise<Response>) {
    const seen: Headers[] = [];
    const fetch: FetchLike = async (_input, init) => {
      seen.push(new Headers(init?.headers));
      return answer();
    };
    return { fetch, seen };
  }
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('verifies a token without kid against each of several fitting keys (rotation: current and next)', async () => {
    const current = await generateKeyPair('ES256');
    const next = await generateKeyPair('ES256');
    const keys = [await exportJWK(current.publicKey), await exportJWK(next.publicKey)];
    const jwks = new RemoteJwks('https://issuer.example/jwks', { fetch: serving(() => json({ keys })).fetch });
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(next.privateKey);
    assert.equal((await verifyIdToken(token, { issuer, clientId, jwks, now: () => now })).sub, 'person-1');
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(stranger.privateKey);
    await assert.rejects(verifyIdToken(forged, { issuer, clientId, jwks, now: () => now }), {
      code: 'jwt_signature_invalid',
    });
  });

  it('serves concurrent verifications with one fetch, and its getKey works with jose directly', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const keys = [{ ...(await exportJWK(publicKey)), kid: 'k1' }];
    const server = serving(() => json({ keys }));
    const jwks = new RemoteJwks('https://issuer.example/jwks', { fetch: server.fetch, now: () => now });
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => verifyIdToken(token, { issuer, clientId, jwks, now: () => now })),
    );
    assert.ok(results.every((c) => c.sub === 'person-1'));
    assert.equal(jwks.fetchCount, 1);
    assert.equal(server.seen.length, 1);
    assert.match(server.seen[0]?.get('accept') ?? '', /application\/json/);
    const { payload } = await jwtVerify(token, jwks.getKey, { currentDate: new Date(now * 1000) });
    assert.equal(payload.sub, 'person-1');
  });

  it('turns a failing key set into the SDK codes, and does not refetch it within the cooldown', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    const verifyWith = (fetch: FetchLike) =>
      verifyIdToken(token, {
        issuer,
        clientId,
        jwks: new RemoteJwks('https://issuer.example/jwks', { fetch }),
        now: () => now,
      });
    await assert.rejects(verifyWith(serving(() => json({ error: 'server_error' }, 503)).fetch), {
      code: 'response_error',
      error: 'server_error',
      status: 503,
    });
    await assert.rejects(verifyWith(serving(() => new Response('<html>', { status: 200 })).fetch), {
      code: 'invalid_response',
    });
    await assert.rejects(verifyWith(serving(() => json({ keys: 'none' })).fetch), { code: 'invalid_response' });
    await assert.rejects(
      verifyWith(async () => {
        throw new TypeError('fetch failed');
      }),
      { code: 'request_failed' },
    );
    const empty = serving(() => json({ keys: [] }));
    let clock = now;
    const jwks = new RemoteJwks('https://issuer.example/jwks', { fetch: empty.fetch, now: () => clock });
    await assert.rejects(verifyIdToken(token, { issuer, clientId, jwks, now: () => now }), {
      code: 'jwks_no_matching_key',
      message: /kid "k1"/,
    });
    clock += 29;
    await assert.rejects(verifyIdToken(token, { issuer, clientId, jwks, now: () => now }), {
      code: 'jwks_no_matching_key',
    });
    assert.equal(empty.seen.length, 1, 'within the cooldown: no refetch');
    clock += 1;
    await assert.rejects(verifyIdToken(token, { issuer, clientId, jwks, now: () => now }), {
      code: 'jwks_no_matching_key',
    });
    assert.equal(empty.seen.length, 2, 'after the cooldown: one refetch');
    assert.throws(() => new RemoteJwks('not a url'), { code: 'invalid_argument' });
  });
});
