import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import {
  type PeopleHarness,
  peopleHarness,
  REDIRECT_URI,
  type TestClient,
  type TestPerson,
  walk,
} from '@signet/testing/people';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  ACR_FACE,
  authorizationUrl,
  DOCUMENTED_SCOPE,
  type ExchangeCodeOptions,
  exchangeCode,
} from './authorization.js';
import { discover } from './discovery.js';
import { SdkError } from './errors.js';
import { verifyIdToken } from './id-token.js';
import { RemoteJwks } from './jwks.js';
import { codeChallengeFor, createPkce, randomNonce, randomState } from './pkce.js';
import { appFetch } from './testing.js';

describe('PKCE (RFC 7636)', () => {
  it('matches the Appendix B test vector', async () => {
    assert.equal(
      await codeChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates a fresh 43-character unreserved verifier with its S256 challenge', async () => {
    const a = await createPkce();
    const b = await createPkce();
    assert.match(a.codeVerifier, /^[A-Za-z0-9\-._~]{43}$/);
    assert.equal(a.method, 'S256');
    assert.equal(a.codeChallenge, await codeChallengeFor(a.codeVerifier));
    assert.notEqual(a.codeVerifier, b.codeVerifier);
    assert.match(randomState(), /^[A-Za-z0-9_-]{27}$/);
    assert.notEqual(randomNonce(), randomNonce());
  });

  it('refuses verifiers that are too short, too long or not unreserved', async () => {
    for (const verifier of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`]) {
      await assert.rejects(codeChallengeFor(verifier), { code: 'invalid_argument' });
    }
  });
});

/** A sign-in in flight: what the app keeps in the session, and where the browser came back. */
interface SignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  callback: URL | string;
}

const callbackOf = (s: SignIn): URL => new URL(s.callback);

function authorizationCodeSuite(alg: 'ES256' | 'RS256') {
  describe(`the authorization code flow against the real issuer (${alg})`, () => {
    let h: PeopleHarness;
    let client: TestClient;
    let person: TestPerson;
    let browser: TestBrowser;
    let issuer: string;
    const app = () => appFetch(h.t.publicApp);

    before(async () => {
      h = await peopleHarness({ env: { SIGNET_SIGNING_ALG: alg } });
      issuer = h.t.config.issuer;
      client = await h.client();
      person = await h.person();
      browser = h.browser();
    });
    after(async () => h?.close());

    /** Builds the URL with the SDK and lets the person sign in and consent (or deny). */
    async function signIn(decision: 'allow' | 'deny' = 'allow', prompt?: string): Promise<SignIn> {
      const pkce = await createPkce();
      const state = randomState();
      const nonce = randomNonce();
      const url = await authorizationUrl({
        issuer,
        clientId: client.client_id,
        redirectUri: REDIRECT_URI,
        scope: DOCUMENTED_SCOPE,
        state,
        nonce,
        codeChallenge: pkce.codeChallenge,
        fetch: app().fetch,
        ...(prompt ? { prompt } : {}),
      });
      const result = await walk(browser, `${url.pathname}${url.search}`, person, decision);
      return { state, nonce, codeVerifier: pkce.codeVerifier, callback: result.callback };
    }

    const exchange = (s: SignIn, overrides: Partial<ExchangeCodeOptions> = {}) =>
      exchangeCode({
        issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        redirectUri: REDIRECT_URI,
        callbackUrl: s.callback,
        expectedState: s.state,
        nonce: s.nonce,
        codeVerifier: s.codeVerifier,
        fetch: app().fetch,
        now: h.t.clock.now,
        ...overrides,
      } as ExchangeCodeOptions);

    it('builds the documented authorization request', async () => {
      const url = await authorizationUrl({
        issuer,
        clientId: client.client_id,
        redirectUri: REDIRECT_URI,
        scope: DOCUMENTED_SCOPE,
        state: '12345678901234567890',
        nonce: 'n-0S6_WzA2Mj',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        acrValues: ACR_FACE,
        prompt: 'login',
        maxAge: 300,
        uiLocales: ['es', 'en'],
        fetch: app().fetch,
      });
      assert.equal(`${url.origin}${url.pathname}`, `${issuer}/oauth2/auth`);
      assert.deepEqual(Object.fromEntries(url.searchParams), {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        scope: DOCUMENTED_SCOPE,
        state: '12345678901234567890',
        nonce: 'n-0S6_WzA2Mj',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        acr_values: 'urn:acr:face',
        prompt: 'login',
        max_age: '300',
        ui_locales: 'es en',
      });
    });

    it('exchanges the code for tokens and verified claims identifying the signer', async () => {
      const s = await signIn();
      assert.equal(callbackOf(s).searchParams.get('iss'), issuer);
      const recorder = app();
      const result = await exchange(s, { fetch: recorder.fetch });
      assert.equal(result.claims.sub, person.id);
      assert.equal(result.claims.iss, issuer);
      assert.equal(result.claims.aud, client.client_id);
      assert.equal(result.claims.nonce, s.nonce);
      assert.equal(result.claims.acr, 'urn:acr:password');
      assert.deepEqual(result.claims.amr, ['pwd']);
      assert.equal(result.claims.birthdate, '1815-12-10');
      assert.deepEqual(result.claims.credential, {
        country: 'ES',
        issuer: 'DGP',
        type: 'id_card',
        number: '12345678Z',
      });
      assert.ok(result.refreshToken, 'offline_access yields a refresh token');
      assert.equal(result.expiresIn, 3600);
      assert.ok(result.accessToken);
      // An independent verifier agrees on the id_token.
      const { payload, protectedHeader } = await jwtVerify(
        result.idToken,
        createLocalJWKSet(h.t.ctx.keyring.publicJwks()),
        {
          issuer,
          audience: client.client_id,
          currentDate: new Date(h.t.clock.now() * 1000),
        },
      );
      assert.equal(protectedHeader.alg, alg);
      assert.deepEqual(payload, result.claims);
      const token = recorder.requests.find((r) => r.url.pathname === '/oauth2/token');
      assert.match(token?.headers.authorization ?? '', /^Basic /);
      const body = new URLSearchParams(token?.body);
      assert.equal(body.get('grant_type'), 'authorization_code');
      assert.equal(body.get('code_verifier'), s.codeVerifier);
      assert.equal(body.get('redirect_uri'), REDIRECT_URI);
    });

    it('refuses a callback from another issuer or without iss (RFC 9207), before redeeming the code', async () => {
      const s = await signIn();
      const forged = new URL(callbackOf(s));
      forged.searchParams.set('iss', 'https://evil.example');
      const recorder = app();
      await assert.rejects(exchange({ ...s, callback: forged }, { fetch: recorder.fetch }), {
        code: 'issuer_mismatch',
      });
      forged.searchParams.delete('iss');
      await assert.rejects(exchange({ ...s, callback: forged }, { fetch: recorder.fetch }), {
        code: 'issuer_mismatch',
      });
      assert.equal(recorder.count('/oauth2/token'), 0, 'the code was never sent');
      const relative = { ...s, callback: `${callbackOf(s).pathname}${callbackOf(s).search}` };
      assert.equal(
        (await exchange(relative)).claims.sub,
        person.id,
        'the untouched callback works, as path and query too',
      );
    });

    it('refuses a callback with another state, and asks for expectedState when there is one', async () => {
      const s = await signIn();
      await assert.rejects(exchange({ ...s, state: randomState() }), { code: 'state_mismatch' });
      await assert.rejects(exchange(s, { expectedState: undefined }), { code: 'invalid_argument' });
    });

    it('turns an error callback into authorization_error with the wire fields', async () => {
      const s = await signIn('deny', 'consent');
      const error = await exchange(s).then(
        () => assert.fail('a denied request has no code'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SdkError);
      assert.equal(error.code, 'authorization_error');
      assert.equal(error.error, 'access_denied');
      assert.ok(error.error_description);
    });

    it('surfaces invalid_grant for a wrong code_verifier', async () => {
      const s = await signIn();
      const wrong = await createPkce();
      await assert.rejects(exchange({ ...s, codeVerifier: wrong.codeVerifier }), {
        code: 'response_error',
        error: 'invalid_grant',
        status: 400,
      });
    });

    it('refuses an id_token whose acr is not one of the acr_values asked for', async () => {
      const s = await signIn();
      await assert.rejects(exchange(s, { acrValues: [ACR_FACE] }), { code: 'jwt_claim_invalid', claim: 'acr' });
    });

    describe('id_token verification, negative cases on a token the real issuer made', () => {
      let idToken: string;
      let accessToken: string;
      let nonce: string;
      let jwksUri: string;
      const options = (extra: Partial<Parameters<typeof verifyIdToken>[1]> = {}) => ({
        issuer,
        clientId: client.client_id,
        jwks: new RemoteJwks(jwksUri, { fetch: app().fetch, now: h.t.clock.now }),
        nonce,
        now: h.t.clock.now,
        ...extra,
      });

      before(async () => {
        const s = await signIn();
        const result = await exchange(s);
        idToken = result.idToken;
        accessToken = result.accessToken;
        nonce = s.nonce;
        jwksUri = (await discover(issuer, { fetch: app().fetch })).jwks_uri;
      });

      const segments = () => idToken.split('.') as [string, string, string];
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

      it('accepts the untouched token, with at_hash checked against its access token', async () => {
        const claims = await verifyIdToken(idToken, options({ accessToken }));
        assert.equal(claims.sub, person.id);
        await assert.rejects(verifyIdToken(idToken, options({ accessToken: `${accessToken}x` })), {
          code: 'jwt_claim_invalid',
          claim: 'at_hash',
        });
      });

      it('refuses a tampered signature and a tampered payload', async () => {
        const [header, payload, signature] = segments();
        const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
        await assert.rejects(verifyIdToken(`${header}.${payload}.${flipped}`, options()), {
          code: 'jwt_signature_invalid',
        });
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        const forged = b64({ ...claims, sub: 'someone-else' });
        await assert.rejects(verifyIdToken(`${header}.${forged}.${signature}`, options()), {
          code: 'jwt_signature_invalid',
        });
        await assert.rejects(verifyIdToken(`${header}.${payload}`, options()), { code: 'jwt_invalid' });
      });

      it('refuses alg none and an HMAC token keyed with the public key', async () => {
        const [header, payload] = segments();
        const parsed = JSON.parse(Buffer.from(header, 'base64url').toString());
        await assert.rejects(verifyIdToken(`${b64({ ...parsed, alg: 'none' })}.${payload}.`, options()), {
          code: 'jwt_invalid',
        });
        const { createHmac } = await import('node:crypto');
        const hs = `${b64({ ...parsed, alg: 'HS256' })}.${payload}`;
        const jwk = h.t.ctx.keyring.publicJwks().keys.find((k) => k.kid === parsed.kid);
        const mac = createHmac('sha256', JSON.stringify(jwk)).update(hs).digest('base64url');
        await assert.rejects(verifyIdToken(`${hs}.${mac}`, options()), { code: 'jwt_invalid' });
      });

      it('refuses a wrong nonce, a wrong audience, a wrong issuer and a missing nonce', async () => {
        await assert.rejects(verifyIdToken(idToken, options({ nonce: randomNonce() })), {
          code: 'jwt_claim_invalid',
          claim: 'nonce',
        });
        await assert.rejects(verifyIdToken(idToken, options({ clientId: 'another-client' })), {
          code: 'jwt_claim_invalid',
          claim: 'aud',
        });
        await assert.rejects(verifyIdToken(idToken, options({ issuer: 'http://localhost:4445' })), {
          code: 'jwt_claim_invalid',
          claim: 'iss',
        });
      });

      it('refuses an expired token beyond the clock tolerance, and one issued in the future', async () => {
        const { exp, iat } = JSON.parse(Buffer.from(segments()[1], 'base64url').toString());
        await verifyIdToken(idToken, options({ now: () => exp + 29 }));
        await assert.rejects(verifyIdToken(idToken, options({ now: () => exp + 30 })), {
          code: 'jwt_claim_invalid',
          claim: 'exp',
        });
        await assert.rejects(verifyIdToken(idToken, options({ now: () => iat - 31 })), {
          code: 'jwt_claim_invalid',
          claim: 'iat',
        });
        await assert.rejects(verifyIdToken(idToken, options({ maxAge: 10, now: () => iat + 41 })), {
          code: 'jwt_claim_invalid',
          claim: 'auth_time',
        });
      });

      it('refetches the JWKS for an unknown kid once the cooldown has passed, and not before', async () => {
        const recorder = app();
        const jwks = new RemoteJwks(jwksUri, { fetch: recorder.fetch, now: h.t.clock.now, cooldownSeconds: 30 });
        await verifyIdToken(idToken, options({ jwks }));
        await verifyIdToken(idToken, options({ jwks }));
        assert.equal(recorder.count('/.well-known/jwks.json'), 1, 'the key set is cached');

        const [, payload, signature] = segments();
        const unknownKid = `${b64({ alg, typ: 'JWT', kid: 'not-a-published-kid' })}.${payload}.${signature}`;
        await assert.rejects(verifyIdToken(unknownKid, options({ jwks })), { code: 'jwks_no_matching_key' });
        await assert.rejects(verifyIdToken(unknownKid, options({ jwks })), { code: 'jwks_no_matching_key' });
        assert.equal(recorder.count('/.well-known/jwks.json'), 1, 'within the cooldown: no refetch');

        // The issuer rotates twice: the key that signs now was not even published as `next` when
        // the set was fetched, so a fresh id_token carries a kid the cached set has never seen.
        // (The second rotation is forced, as for a compromised key: unforced, it waits for the key to be published.)
        await h.t.ctx.keyring.rotate();
        await h.t.ctx.keyring.rotate({ force: true });
        h.t.clock.advance(30);
        const s = await signIn();
        const rotated = await exchange(s, { jwks });
        assert.equal(recorder.count('/.well-known/jwks.json'), 2, 'the new kid was fetched once');
        assert.equal(rotated.claims.sub, person.id);
        h.t.clock.advance(600);
        await verifyIdToken(rotated.idToken, options({ jwks, nonce: s.nonce }));
        assert.equal(recorder.count('/.well-known/jwks.json'), 3, 'refetched after maxAgeSeconds');
      });
    });
  });
}

authorizationCodeSuite('ES256');
authorizationCodeSuite('RS256');
