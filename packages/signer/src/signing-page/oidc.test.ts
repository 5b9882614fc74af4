import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { pickLocale } from './locale.js';
import { type IdTokenExpectations, isInvitedPerson, SignInError, verifyIdToken } from './oidc.js';

const ISSUER = 'https://issuer.example';
const NOW = 1_800_000_000;
let expected: IdTokenExpectations;
let sign: (claims?: JWTPayload, typ?: string) => Promise<string>;

before(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  expected = {
    issuerKeys: createLocalJWKSet({ keys: [jwk] }),
    issuer: ISSUER,
    clientId: 'signer',
    nonce: 'n-1',
    requiredAcr: 'urn:acr:face',
    authMaxAge: 900,
    now: NOW,
  };
  sign = (claims = {}, typ = 'JWT') =>
    new SignJWT({
      nonce: 'n-1',
      acr: 'urn:acr:face',
      auth_time: NOW - 60,
      email: 'ana@example.com',
      email_verified: true,
      name: 'Ana Ruiz',
      credential: { country: 'ES', number: '12345678Z' },
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
      .setSubject('person-1')
      .setAudience(claims.aud ?? 'signer')
      .setIssuedAt(NOW - 60)
      .setExpirationTime(claims.exp ?? NOW + 3600)
      .sign(privateKey);
});

const refusedWith = async (token: Promise<string>, code: string) =>
  assert.rejects(
    async () => verifyIdToken(await token, expected),
    (error: unknown) => error instanceof SignInError && error.code === code,
  );

describe('verifyIdToken', () => {
  test('a good id_token gives the identity and the claims a certificate needs', async () => {
    const identity = await verifyIdToken(await sign(), expected);
    assert.equal(identity.subject, 'person-1');
    assert.equal(identity.name, 'Ana Ruiz');
    assert.equal(identity.email, 'ana@example.com');
    assert.equal(identity.acr, 'urn:acr:face');
    assert.deepEqual(identity.claims.credential, { country: 'ES', number: '12345678Z' });
  });

  test('refuses another nonce, acr, a stale or missing auth_time, an unverified email, an access token', async () => {
    await refusedWith(sign({ nonce: 'other' }), 'nonce');
    await refusedWith(sign({ nonce: undefined }), 'nonce');
    await refusedWith(sign({ acr: 'urn:acr:password' }), 'acr');
    await refusedWith(sign({ auth_time: NOW - 901 }), 'auth_time');
    await refusedWith(sign({ auth_time: undefined }), 'auth_time');
    await refusedWith(sign({ email_verified: false }), 'email');
    await refusedWith(sign({ email_verified: undefined }), 'email');
    await refusedWith(sign({ email: undefined }), 'email');
    await refusedWith(sign({}, 'at+jwt'), 'id_token');
  });

  test('refuses another audience or issuer, an expired token, and azp of another client', async () => {
    await refusedWith(sign({ aud: 'someone-else' }), 'id_token');
    await refusedWith(sign({ iss: 'https://evil.example' }), 'id_token');
    await refusedWith(sign({ exp: NOW - 120 }), 'id_token');
    await refusedWith(sign({ aud: ['signer', 'other'], azp: 'other' }), 'azp');
    await refusedWith(Promise.resolve('not.a.jwt'), 'id_token');
  });
});

test('isInvitedPerson: the same address ignoring case and surrounding spaces, nothing else', () => {
  assert.ok(isInvitedPerson({ email: 'Ana.Ruiz@Example.COM' }, 'ana.ruiz@example.com '));
  assert.ok(!isInvitedPerson({ email: 'ana.ruiz@example.com.evil' }, 'ana.ruiz@example.com'));
  assert.ok(!isInvitedPerson({ email: 'anaruiz@example.com' }, 'ana.ruiz@example.com'));
});

test('pickLocale: ui_locales, then Accept-Language weights, then English', () => {
  assert.equal(pickLocale('fr es-419', 'en'), 'es');
  assert.equal(pickLocale(undefined, 'fr-CA, es-MX;q=0.8, en;q=0.7'), 'es');
  assert.equal(pickLocale(undefined, 'es;q=0.2, en;q=0.8'), 'en');
  assert.equal(pickLocale(undefined, 'es;q=0, fr'), 'en');
  assert.equal(pickLocale('', 'garbage;;;'), 'en');
  assert.equal(pickLocale(undefined, undefined), 'en');
});
