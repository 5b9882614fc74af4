import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '../testing.js';
import { metadata } from './discovery.js';

const WELL_KNOWN = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];
const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

describe('discovery and JWKS', () => {
  let t: TestAccounts;
  const issuer = 'https://id.example.test';
  before(async () => {
    t = await testAccounts({ env: { SIGNET_ISSUER: issuer } });
  });
  after(async () => t.dispose());

  const get = (url: string) => t.publicApp.inject({ method: 'GET', url });

  it('serves the same metadata at both well-known locations', async () => {
    const [oidc, oauth] = await Promise.all(WELL_KNOWN.map(get));
    for (const res of [oidc, oauth]) {
      assert.equal(res?.statusCode, 200, res?.body);
      assert.match(String(res?.headers['content-type']), /^application\/json/);
    }
    assert.equal(oidc?.body, oauth?.body);
  });

  it('names the configured issuer and places every endpoint under it', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as Record<string, unknown>;
    assert.equal(doc.issuer, issuer);
    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    assert.deepEqual(endpoints.map(([k]) => k).sort(), [
      'introspection_endpoint',
      'jwks_uri',
      'revocation_endpoint',
      'token_endpoint',
    ]);
    for (const [name, url] of endpoints) {
      assert.equal(typeof url, 'string');
      assert.ok((url as string).startsWith(`${issuer}/`), `${name} = ${url}`);
    }
    assert.equal(doc.token_endpoint, `${issuer}/oauth2/token`);
    assert.equal(doc.introspection_endpoint, `${issuer}/oauth2/introspect`);
    assert.equal(doc.revocation_endpoint, `${issuer}/oauth2/revoke`);
    assert.equal(doc.jwks_uri, `${issuer}/.well-known/jwks.json`);
  });

  it('keeps endpoints under an issuer that has a path', () => {
    const withPath = 'https://id.example.test/tenant-a';
    const doc = metadata(withPath);
    assert.equal(doc.issuer, withPath);
    for (const url of [doc.token_endpoint, doc.jwks_uri, doc.introspection_endpoint, doc.revocation_endpoint]) {
      assert.ok(url?.startsWith(`${withPath}/`), url);
    }
  });

  it('serves every advertised endpoint at its path', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as Record<string, string>;
    const path = (url: string | undefined) => new URL(url as string).pathname;
    assert.equal((await get(path(doc.jwks_uri))).statusCode, 200);
    for (const name of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
      const res = await t.publicApp.inject({ method: 'POST', url: path(doc[name]), headers: FORM, payload: '' });
      assert.notEqual(res.statusCode, 404, `${name} is routed`);
      assert.equal(res.statusCode < 500, true);
    }
  });

  it('advertises only what is implemented', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as Record<string, unknown>;
    assert.deepEqual(doc.grant_types_supported, ['client_credentials']);
    assert.deepEqual(doc.response_types_supported, []);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    assert.deepEqual(doc.introspection_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    assert.deepEqual(doc.scopes_supported, ['envelopes:read', 'envelopes:write']);
    assert.equal(doc.request_parameter_supported, false);
    assert.equal(doc.request_uri_parameter_supported, false);
    for (const absent of [
      'authorization_endpoint',
      'userinfo_endpoint',
      'end_session_endpoint',
      'registration_endpoint',
      'device_authorization_endpoint',
      'pushed_authorization_request_endpoint',
      'code_challenge_methods_supported',
      'id_token_signing_alg_values_supported',
      'dpop_signing_alg_values_supported',
      'tls_client_certificate_bound_access_tokens',
    ]) {
      assert.equal(doc[absent], undefined, `${absent} is not implemented and must not be advertised`);
    }
  });

  it('advertises exactly the behaviour the token endpoint has', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as { scopes_supported: string[] };
    const c = await t.createClient();
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        audience: t.config.signerAudience,
        scope: doc.scopes_supported.join(' '),
      }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, doc.scopes_supported.join(' '));
  });

  it('publishes keys with kid, alg and use, and no private members', async () => {
    const res = await get('/.well-known/jwks.json');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
    const { keys } = res.json() as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 2, 'the active key and the next key are published');
    assert.ok(
      keys.some((k) => k.kid === t.ctx.keyring.signingKey().kid),
      'the signing key is published',
    );
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, 'kids are unique');
    for (const key of keys) {
      assert.equal(typeof key.kid, 'string');
      assert.ok((key.kid as string).length > 0);
      assert.equal(key.alg, 'ES256');
      assert.equal(key.use, 'sig');
      assert.equal(key.kty, 'EC');
      assert.equal(key.crv, 'P-256');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
        assert.equal(key[member], undefined, `private member ${member} must not be published`);
      }
    }
  });

  it('publishes RSA keys without private members', async () => {
    const rsa = await testAccounts({ env: { SIGNET_SIGNING_ALG: 'RS256' } });
    try {
      const { keys } = (await rsa.publicApp.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
        keys: Record<string, unknown>[];
      };
      assert.ok(keys.length >= 1);
      for (const key of keys) {
        assert.equal(key.kty, 'RSA');
        assert.equal(key.alg, 'RS256');
        assert.equal(key.use, 'sig');
        assert.equal(typeof key.n, 'string');
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']) assert.equal(key[member], undefined, member);
      }
    } finally {
      await rsa.dispose();
    }
  });
});

describe('health', () => {
  it('answers /health/alive and /health/ready with 200 while the store is open', async () => {
    const t = await testAccounts();
    try {
      for (const url of ['/health/alive', '/health/ready']) {
        const res = await t.publicApp.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
        assert.equal(res.json().status, 'ok');
      }
    } finally {
      await t.dispose();
    }
  });

  it('answers /health/ready with 503 once the database is gone, while /health/alive stays 200', async () => {
    const t = await testAccounts();
    try {
      await t.ctx.store.close();
      const ready = await t.publicApp.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 503, ready.body);
      assert.equal(ready.json().status, 'unavailable');
      const alive = await t.publicApp.inject({ method: 'GET', url: '/health/alive' });
      assert.equal(alive.statusCode, 200);
    } finally {
      await t.dispose();
    }
  });
});
