import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashClientSecret, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { decodeJwt } from 'jose';
import { discover } from './discovery.js';
import { SdkError } from './errors.js';
import { type AppFetch, appFetch } from './testing.js';
import { type ClientCredentials, createTokenProvider } from './token-provider.js';
import { clientSecretBasic } from './token-request.js';

const ISSUER = 'http://localhost:4444';
const AUDIENCE = 'http://localhost:4446';
const TOKEN = '/oauth2/token';

describe('ClientCredentials against the real accounts issuer', () => {
  let t: TestAccounts;
  let client: { client_id: string; client_secret: string };

  before(async () => {
    t = await testAccounts();
    client = await t.createClient({ client_name: 'SDK test' });
  });
  after(async () => t?.dispose());

  /** A provider on a fresh recording fetch and the test clock. */
  function provider(overrides: Partial<ConstructorParameters<typeof ClientCredentials>[0]> = {}, app?: AppFetch) {
    const recorder = app ?? appFetch(t.publicApp);
    const tokens = createTokenProvider({
      issuer: ISSUER,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      audience: AUDIENCE,
      fetch: recorder.fetch,
      now: t.clock.now,
      ...overrides,
    });
    return { tokens, recorder };
  }

  it('gets a token for the audience with client_secret_basic and serves it from the cache', async () => {
    const { tokens, recorder } = provider();
    const first = await tokens.getToken();
    for (let i = 0; i < 9; i++) assert.equal(await tokens.getToken(), first);
    assert.equal(recorder.count(TOKEN), 1, 'ten getToken calls, one token request');
    const [request] = recorder.requests.filter((r) => r.url.pathname === TOKEN);
    assert.equal(request?.headers.authorization, clientSecretBasic(client.client_id, client.client_secret));
    const body = new URLSearchParams(request?.body);
    assert.equal(body.get('grant_type'), 'client_credentials');
    assert.equal(body.get('audience'), AUDIENCE);
    assert.equal(body.get('client_secret'), null, 'the secret travels only in the header');
    const claims = decodeJwt(first);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.client_id, client.client_id);
  });

  it('renews once the clock passes expires_in minus the skew, not before', async () => {
    const { tokens, recorder } = provider({ refreshSkewSeconds: 60 });
    const first = await tokens.getToken();
    t.clock.advance(3600 - 60 - 1);
    assert.equal(await tokens.getToken(), first, 'still inside expires_in - skew');
    assert.equal(recorder.count(TOKEN), 1);
    t.clock.advance(1);
    const second = await tokens.getToken();
    assert.notEqual(second, first, 'a new token at expires_in - skew');
    assert.equal(recorder.count(TOKEN), 2);
    assert.equal(await tokens.getToken(), second);
    assert.equal(recorder.count(TOKEN), 2);
  });

  it('shares one in-flight request among 20 concurrent callers', async () => {
    const { tokens, recorder } = provider();
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    assert.equal(new Set(all).size, 1);
    assert.equal(recorder.count(TOKEN), 1);
    assert.equal(recorder.count('/.well-known/openid-configuration'), 1, 'one discovery too');
  });

  it('surfaces invalid_client with its code, description and status, and caches nothing', async () => {
    const { tokens, recorder } = provider({ clientSecret: 'not-the-secret' });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const error = await tokens.getToken().then(
        () => assert.fail('a wrong secret gets no token'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SdkError);
      assert.equal(error.code, 'response_error');
      assert.equal(error.error, 'invalid_client');
      assert.equal(error.status, 401);
      assert.equal(error.error_description, 'client authentication failed');
      assert.ok(!error.message.includes('not-the-secret'), 'the secret is never in the message');
      assert.equal(recorder.count(TOKEN), attempt, 'every call tries again');
    }
  });

  it('encodes id and secret before Basic (RFC 6749 §2.3.1): a secret with : % + and a space works', async () => {
    const created = await t.createClient({ client_id: 'sdk.special~1' });
    const secret = 'a:b%41+c d/é';
    assert.ok(
      await t.ctx.store.clients.setSecretHash(
        created.client_id,
        hashClientSecret(t.ctx.keys.clientSecret, secret),
        t.clock.now(),
      ),
    );
    assert.equal(
      clientSecretBasic('sdk.special~1', secret),
      `Basic ${Buffer.from('sdk.special~1:a%3Ab%2541%2Bc+d%2F%C3%A9').toString('base64')}`,
    );
    const { tokens } = provider({ clientId: created.client_id, clientSecret: secret });
    assert.equal(decodeJwt(await tokens.getToken()).client_id, created.client_id);
    const unencoded = `Basic ${Buffer.from(`${created.client_id}:${secret}`).toString('base64')}`;
    const res = await t.publicApp.inject({
      method: 'POST',
      url: TOKEN,
      headers: { authorization: unencoded, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&audience=${encodeURIComponent(AUDIENCE)}`,
    });
    assert.equal(res.statusCode, 401, 'the same secret without the encoding is refused: the encoding matters');
  });

  it('uses client_secret_post when told, with a narrower scope', async () => {
    const created = await t.createClient({ token_endpoint_auth_method: 'client_secret_post' });
    const { tokens, recorder } = provider({
      clientId: created.client_id,
      clientSecret: created.client_secret,
      authMethod: 'client_secret_post',
      scope: 'envelopes:read',
    });
    assert.equal(decodeJwt(await tokens.getToken()).scope, 'envelopes:read');
    const [request] = recorder.requests.filter((r) => r.url.pathname === TOKEN);
    assert.equal(request?.headers.authorization, undefined);
    assert.equal(new URLSearchParams(request?.body).get('client_secret'), created.client_secret);
  });

  it('invalidate() drops the cached token, but not when handed a stale one', async () => {
    const { tokens, recorder } = provider();
    const first = await tokens.getToken();
    tokens.invalidate('some-older-token');
    assert.equal(await tokens.getToken(), first);
    assert.equal(recorder.count(TOKEN), 1);
    tokens.invalidate(first);
    t.clock.advance(1); // a new iat, so the new JWT differs
    const second = await tokens.getToken();
    assert.notEqual(second, first);
    assert.equal(recorder.count(TOKEN), 2);
  });

  it('a failed renewal is not cached: the next call retries; a still-valid token is served meanwhile', async () => {
    let failing = 0;
    const recorder = appFetch(t.publicApp);
    const flaky: AppFetch = {
      ...recorder,
      fetch: async (input, init) => {
        if (String(input).endsWith(TOKEN) && failing > 0) {
          failing--;
          throw new TypeError('fetch failed');
        }
        return recorder.fetch(input, init);
      },
    };
    const { tokens } = provider({ retryCooldownSeconds: 5 }, flaky);
    failing = 1;
    const error = await tokens.getToken().then(
      () => assert.fail('the network failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SdkError);
    assert.equal(error.code, 'request_failed');
    const first = await tokens.getToken();
    assert.ok(first, 'the next call retries and succeeds');

    t.clock.advance(3600 - 30); // inside the skew, still valid
    failing = 1;
    assert.equal(await tokens.getToken(), first, 'the renewal failed; the still-valid token is served');
    assert.equal(await tokens.getToken(), first, 'within the cooldown no new attempt');
    assert.equal(failing, 0);
    t.clock.advance(5);
    const second = await tokens.getToken();
    assert.notEqual(second, first, 'after the cooldown it renews');

    t.clock.advance(3600 + 1); // expired: nothing to fall back on
    failing = 1;
    await assert.rejects(tokens.getToken(), { code: 'request_failed' });
  });

  it('refuses a config without a secret or an audience, naming the field', () => {
    assert.throws(() => provider({ clientSecret: '' }), { code: 'invalid_argument', message: /clientSecret/ });
    assert.throws(() => provider({ audience: [] }), { code: 'invalid_argument', message: /audience/ });
    assert.throws(() => provider({ refreshSkewSeconds: -1 }), {
      code: 'invalid_argument',
      message: /refreshSkewSeconds/,
    });
  });
});

describe('discover', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts();
  });
  after(async () => t?.dispose());

  it('returns the metadata, cached per issuer', async () => {
    const recorder = appFetch(t.publicApp);
    const [a, b] = await Promise.all([
      discover(ISSUER, { fetch: recorder.fetch }),
      discover(ISSUER, { fetch: recorder.fetch }),
    ]);
    assert.equal(a.token_endpoint, `${ISSUER}/oauth2/token`);
    assert.equal(a, b);
    await discover(ISSUER, { fetch: recorder.fetch });
    assert.equal(recorder.count('/.well-known/openid-configuration'), 1);
  });

  it('refetches after maxAgeSeconds', async () => {
    const recorder = appFetch(t.publicApp);
    await discover(ISSUER, { fetch: recorder.fetch, now: t.clock.now });
    t.clock.advance(600);
    await discover(ISSUER, { fetch: recorder.fetch, now: t.clock.now });
    assert.equal(recorder.count('/.well-known/openid-configuration'), 2);
  });

  it('refuses a document naming another issuer (RFC 8414 §3.3), and does not cache the failure', async () => {
    const recorder = appFetch(t.publicApp);
    for (const issuer of ['http://localhost:4444/', 'http://127.0.0.1:4444']) {
      await assert.rejects(discover(issuer, { fetch: recorder.fetch }), { code: 'issuer_mismatch' });
      await assert.rejects(discover(issuer, { fetch: recorder.fetch }), { code: 'issuer_mismatch' });
    }
    assert.equal(recorder.count('/.well-known/openid-configuration'), 4);
  });
});
