import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { USER_SCOPES } from '../scopes.js';

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
    for (const required of ['introspection_endpoint', 'jwks_uri', 'revocation_endpoint', 'token_endpoint']) {
      assert.ok(
        endpoints.some(([k]) => k === required),
        required,
      );
    }
    for (const [name, url] of endpoints) {
      assert.equal(typeof url, 'string');
      assert.ok((url as string).startsWith(`${issuer}/`), `${name} = ${url}`);
    }
    assert.equal(doc.token_endpoint, `${issuer}/oauth2/token`);
    assert.equal(doc.introspection_endpoint, `${issuer}/oauth2/introspect`);
    assert.equal(doc.revocation_endpoint, `${issuer}/oauth2/revoke`);
    assert.equal(doc.jwks_uri, `${issuer}/.well-known/jwks.json`);
  });

  it('keeps endpoints under an issuer that has a path', async () => {
    const withPath = 'https://id.example.test/tenant-a';
    const other = await testAccounts({ env: { SIGNET_ISSUER: withPath } });
    try {
      const doc = (await other.publicApp.inject({ method: 'GET', url: WELL_KNOWN[0] as string })).json() as Record<
        string,
        unknown
      >;
      assert.equal(doc.issuer, withPath);
      const urls = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
      assert.ok(urls.length >= 4);
      for (const [name, url] of urls) assert.ok(String(url).startsWith(`${withPath}/`), `${name} = ${url}`);
    } finally {
      await other.dispose();
    }
  });

  it('serves every advertised endpoint', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as Record<string, unknown>;
    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    for (const [name, url] of endpoints) {
      const path = new URL(String(url)).pathname;
      const method = ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint'].includes(name)
        ? 'POST'
        : 'GET';
      const res = await t.publicApp.inject({
        method,
        url: path,
        headers: FORM,
        ...(method === 'POST' ? { payload: '' } : {}),
      });
      assert.notEqual(res.statusCode, 404, `${name} (${method} ${path}) is routed: ${res.body}`);
      assert.ok(res.statusCode < 500, `${name}: ${res.statusCode}`);
    }
  });

  it('advertises exactly the grant types the token endpoint implements', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as { grant_types_supported: string[] };
    assert.ok(doc.grant_types_supported.includes('client_credentials'));
    const c = await t.createClient();
    const known = [
      'client_credentials',
      'authorization_code',
      'refresh_token',
      'password',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:openid:params:grant-type:ciba',
    ];
    for (const grant of known) {
      const res = await t.publicApp.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
        payload: new URLSearchParams({ grant_type: grant }).toString(),
      });
      const unsupported = res.json().error === 'unsupported_grant_type';
      assert.equal(
        unsupported,
        !doc.grant_types_supported.includes(grant),
        `${grant}: advertised=${doc.grant_types_supported.includes(grant)}, answer ${res.body}`,
      );
    }
  });

  it('advertises nothing that is not implemented', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as Record<string, unknown>;
    const list = (name: string) => (doc[name] ?? []) as string[];
    // Client authentication: exactly the two methods, both tested in token.test.ts.
    for (const name of [
      'token_endpoint_auth_methods_supported',
      'introspection_endpoint_auth_methods_supported',
      'revocation_endpoint_auth_methods_supported',
    ]) {
      assert.deepEqual(list(name), ['client_secret_basic', 'client_secret_post'], name);
    }
    // The authorization endpoint, response types and PKCE come together or not at all.
    const hasAuthorize = doc.authorization_endpoint !== undefined;
    assert.ok(Array.isArray(doc.response_types_supported), 'response_types_supported is required (RFC 8414 §2)');
    assert.equal(list('response_types_supported').length > 0, hasAuthorize);
    assert.equal(list('grant_types_supported').includes('authorization_code'), hasAuthorize);
    if (!hasAuthorize) assert.equal(doc.code_challenge_methods_supported, undefined);
    for (const method of list('code_challenge_methods_supported')) assert.equal(method, 'S256', 'plain is not offered');
    // ID token algorithms, when advertised, are the algorithm the published keys sign with.
    const algs = new Set(t.ctx.keyring.publicJwks().keys.map((k) => k.alg));
    for (const alg of list('id_token_signing_alg_values_supported')) assert.ok(algs.has(alg), alg);
    // Request objects are not supported.
    assert.notEqual(doc.request_parameter_supported, true);
    assert.notEqual(doc.request_uri_parameter_supported, true);
    for (const absent of [
      'registration_endpoint',
      'device_authorization_endpoint',
      'pushed_authorization_request_endpoint',
      'backchannel_authentication_endpoint',
      'mtls_endpoint_aliases',
      'dpop_signing_alg_values_supported',
      'tls_client_certificate_bound_access_tokens',
      'request_object_signing_alg_values_supported',
      'token_endpoint_auth_signing_alg_values_supported',
    ]) {
      assert.equal(doc[absent], undefined, `${absent} is not implemented and must not be advertised`);
    }
  });

  it('advertises Signer API scopes that client_credentials grants', async () => {
    const doc = (await get(WELL_KNOWN[0] as string)).json() as { scopes_supported: string[] };
    const serviceScopes = doc.scopes_supported.filter((s) => !USER_SCOPES.has(s));
    assert.deepEqual(serviceScopes, ['envelopes:read', 'envelopes:write']);
    const c = await t.createClient();
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        audience: t.config.signerAudience,
        scope: serviceScopes.join(' '),
      }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, serviceScopes.join(' '));
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
