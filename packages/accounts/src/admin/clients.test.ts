import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthError } from '@signet/protocol';
import { basicAuth, createTestUser, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createClient } from './clients.js';

const HYDRA_FIELDS = [
  'audience',
  'client_id',
  'client_name',
  'created_at',
  'grant_types',
  'post_logout_redirect_uris',
  'redirect_uris',
  'response_types',
  'scope',
  'skip_consent',
  'token_endpoint_auth_method',
  'updated_at',
];

/** Calls the admin API as an administrator. */
function admin(
  t: TestAccounts,
  method: NonNullable<InjectOptions['method']>,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.adminApp.inject({
    method,
    url,
    headers: { authorization: t.adminAuth, ...headers },
    ...(payload === undefined ? {} : { payload: payload as NonNullable<InjectOptions['payload']> }),
  });
}

/** Asks for a client_credentials token with HTTP Basic. */
function token(t: TestAccounts, clientId: string, secret: string): Promise<LightMyRequestResponse> {
  return t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: `grant_type=client_credentials&audience=${encodeURIComponent(t.config.signerAudience)}`,
  });
}

function assertInvalidClient(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.json().error, 'invalid_client');
}

const iso = (t: TestAccounts) => new Date(t.clock.now() * 1000).toISOString();

describe('admin API authentication', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts();
  });
  after(async () => t.dispose());

  it('answers a request without a token with 401 and a bare Bearer challenge', async () => {
    for (const url of ['/admin/clients', '/admin/keys', '/admin/no-such-route']) {
      const res = await t.adminApp.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="signet-admin"');
      assert.ok(!String(res.headers['www-authenticate']).includes('error='), 'no error code without credentials');
    }
  });

  it('answers a wrong token with 401 invalid_token', async () => {
    for (const authorization of [`${t.adminAuth}x`, 'Bearer wrong-token-of-some-length', t.adminAuth.slice(0, -1)]) {
      const res = await t.adminApp.inject({ method: 'GET', url: '/admin/clients', headers: { authorization } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error, 'invalid_token');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="signet-admin", error="invalid_token"');
    }
  });

  it('refuses the token under another scheme, and creates nothing for a refused request', async () => {
    const res = await t.adminApp.inject({
      method: 'POST',
      url: '/admin/clients',
      headers: { authorization: `Basic ${t.admin.token}` },
      payload: { client_id: 'not-created' },
    });
    assert.equal(res.statusCode, 401);
    assert.equal(await t.ctx.store.clients.get('not-created'), undefined);
  });

  it('accepts the Bearer scheme name in any case (RFC 9110 §11.1)', async () => {
    const res = await t.adminApp.inject({
      method: 'GET',
      url: '/admin/clients',
      headers: { authorization: `bearer ${t.admin.token}` },
    });
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('admin API clients', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts();
  });
  after(async () => t.dispose());

  it('creates a client with the Hydra OAuth2Client shape, the defaults and a one-time secret', async () => {
    const res = await admin(t, 'POST', '/admin/clients', { client_name: 'Acme' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), [...HYDRA_FIELDS, 'client_secret'].sort());
    assert.match(body.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(body.client_name, 'Acme');
    assert.deepEqual(body.grant_types, ['client_credentials']);
    assert.deepEqual(body.response_types, []);
    assert.deepEqual(body.redirect_uris, []);
    assert.equal(body.scope, 'envelopes:read envelopes:write');
    assert.deepEqual(body.audience, [t.config.signerAudience]);
    assert.equal(body.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(body.created_at, iso(t));
    assert.equal(body.updated_at, iso(t));

    assert.match(body.client_secret, /^[A-Za-z0-9_-]{43,}$/);
    assert.ok(Buffer.from(body.client_secret, 'base64url').length >= 32, 'at least 256 bits');

    const res2 = await token(t, body.client_id, body.client_secret);
    assert.equal(res2.statusCode, 200, res2.body);
    assert.ok(res2.json().access_token);
  });

  it('stores a keyed hash, never the secret', async () => {
    const created = await t.createClient({ client_id: 'hash-check' });
    const stored = await t.ctx.store.clients.get('hash-check');
    assert.ok(stored?.clientSecretHash);
    assert.notEqual(stored.clientSecretHash, created.client_secret);
    assert.ok(!stored.clientSecretHash.includes(created.client_secret));
    assert.ok(!JSON.stringify(stored).includes(created.client_secret));
  });

  it('gives every client its own secret', async () => {
    const a = await t.createClient();
    const b = await t.createClient();
    assert.notEqual(a.client_id, b.client_id);
    assert.notEqual(a.client_secret, b.client_secret);
    assertInvalidClient(await token(t, a.client_id, b.client_secret));
  });

  it('creates a client with every field set, and the client works as registered', async () => {
    const res = await admin(t, 'POST', '/admin/clients', {
      client_id: 'full.client_1~x',
      client_name: 'Full',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: ['https://app.example.com/callback'],
      scope: 'envelopes:read',
      audience: [t.config.signerAudience, 'https://other.example.com'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.client_id, 'full.client_1~x');
    assert.deepEqual(body.redirect_uris, ['https://app.example.com/callback']);
    assert.equal(body.scope, 'envelopes:read');
    assert.deepEqual(body.audience, [t.config.signerAudience, 'https://other.example.com']);
    assert.equal(body.token_endpoint_auth_method, 'client_secret_post');

    const post = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: body.client_id,
        client_secret: body.client_secret,
        audience: 'https://other.example.com',
      }).toString(),
    });
    assert.equal(post.statusCode, 200, post.body);
    assert.equal(post.json().scope, 'envelopes:read');
    assertInvalidClient(await token(t, body.client_id, body.client_secret));
  });

  it('never shows the secret after creation', async () => {
    const created = await t.createClient({ client_id: 'no-secret-shown' });
    const one = await admin(t, 'GET', '/admin/clients/no-secret-shown');
    assert.equal(one.statusCode, 200);
    assert.deepEqual(Object.keys(one.json()).sort(), HYDRA_FIELDS);
    assert.ok(!one.body.includes(created.client_secret));
    const list = await admin(t, 'GET', '/admin/clients?limit=500');
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().some((c: { client_id: string }) => c.client_id === 'no-secret-shown'));
    for (const c of list.json()) assert.deepEqual(Object.keys(c).sort(), HYDRA_FIELDS);
    assert.ok(!list.body.includes(created.client_secret));
  });

  it('replaces fields with PUT and moves updated_at only', async () => {
    const created = await t.createClient({ client_id: 'to-replace', client_name: 'Before', scope: 'envelopes:read' });
    const createdAt = iso(t);
    t.clock.advance(90);
    const res = await admin(t, 'PUT', '/admin/clients/to-replace', {
      client_id: 'to-replace',
      client_name: 'After',
      audience: ['https://new.example.com'],
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.client_name, 'After');
    assert.deepEqual(body.audience, ['https://new.example.com']);
    assert.equal(body.scope, 'envelopes:read envelopes:write', 'an omitted field takes its default');
    assert.equal(body.created_at, createdAt);
    assert.equal(body.updated_at, iso(t));
    assert.notEqual(body.updated_at, body.created_at);
    assert.equal(body.client_secret, undefined);

    const got = (await admin(t, 'GET', '/admin/clients/to-replace')).json();
    assert.deepEqual(got, body);
    const stored = await t.ctx.store.clients.get('to-replace');
    assert.equal(stored?.clientName, 'After');

    const res2 = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        authorization: basicAuth('to-replace', created.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials&audience=https%3A%2F%2Fnew.example.com',
    });
    assert.equal(res2.statusCode, 200, 'the secret survives a PUT and the new audience applies');
  });

  it('refuses to change client_id with PUT', async () => {
    await t.createClient({ client_id: 'fixed-id', client_name: 'Fixed' });
    const res = await admin(t, 'PUT', '/admin/clients/fixed-id', { client_id: 'other-id', client_name: 'Changed' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
    assert.match(res.json().error_description, /client_id/);
    assert.equal((await t.ctx.store.clients.get('fixed-id'))?.clientName, 'Fixed');
    assert.equal(await t.ctx.store.clients.get('other-id'), undefined);
  });

  const invalidBodies: [string, unknown, Record<string, string>?][] = [
    ['an unknown grant type', { grant_types: ['password'] }],
    ['a grant type that is not implemented', { grant_types: ['client_credentials', 'authorization_code'] }],
    ['an unknown auth method', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['auth method none', { token_endpoint_auth_method: 'none' }],
    ['an unknown property', { client_name: 'x', jwks_uri: 'https://example.com/jwks' }],
    ['a client secret chosen by the caller', { client_secret: 'my-own-weak-secret' }],
    ['an audience with a space', { audience: ['https://a.example.com https://b.example.com'] }],
    ['a client_id with a slash', { client_id: 'a/b' }],
    ['an empty client_id', { client_id: '' }],
    ['a scope with a quote', { scope: 'envelopes:read "x"' }],
    ['a response type', { response_types: ['code'] }],
    ['a JSON array', []],
    ['JSON null', 'null', { 'content-type': 'application/json' }],
    ['malformed JSON', '{"client_name": ', { 'content-type': 'application/json' }],
    ['a text body', 'client_name=x', { 'content-type': 'text/plain' }],
    ['a form body', 'client_name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
  ];
  for (const [what, payload, headers] of invalidBodies) {
    it(`refuses ${what} with 400 invalid_request and creates nothing`, async () => {
      const before = (await t.ctx.store.clients.list({ limit: 10_000 })).length;
      const res = await admin(t, 'POST', '/admin/clients', payload, headers);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_request');
      assert.ok(res.json().error_description);
      assert.equal((await t.ctx.store.clients.list({ limit: 10_000 })).length, before);
    });
  }

  const invalidRedirectUris: [string, string][] = [
    ['a redirect URI with a fragment', 'https://app.example.com/cb#frag'],
    ['a redirect URI with an empty fragment', 'https://app.example.com/cb#'],
    ['a relative redirect URI', '/callback'],
    ['a javascript: redirect URI', 'javascript:alert(document.cookie)'],
    ['a data: redirect URI', 'data:text/html,<script>alert(1)</script>'],
    ['a redirect URI with credentials', 'https://user:pw@app.example.com/cb'],
  ];
  for (const [what, uri] of invalidRedirectUris) {
    it(`refuses ${what} with 400 invalid_redirect_uri (RFC 7591 §3.2.2) and creates nothing`, async () => {
      const before = (await t.ctx.store.clients.list({ limit: 10_000 })).length;
      for (const field of ['redirect_uris', 'post_logout_redirect_uris']) {
        const res = await admin(t, 'POST', '/admin/clients', { [field]: [uri] });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error, 'invalid_redirect_uri');
        assert.ok(res.json().error_description.startsWith(`${field}: `), res.json().error_description);
      }
      assert.equal((await t.ctx.store.clients.list({ limit: 10_000 })).length, before);
    });
  }

  it('names the field at fault', async () => {
    const unknown = await admin(t, 'POST', '/admin/clients', {
      client_name: 'x',
      jwks_uri: 'https://example.com/jwks',
    });
    assert.match(unknown.json().error_description, /jwks_uri/);
    const method = await admin(t, 'POST', '/admin/clients', { token_endpoint_auth_method: 'private_key_jwt' });
    assert.match(method.json().error_description, /token_endpoint_auth_method/);
    assert.match(method.json().error_description, /client_secret_basic/);
    const secret = await admin(t, 'POST', '/admin/clients', { client_secret: 'chosen' });
    assert.match(secret.json().error_description, /client_secret .*generated by the server/);
  });

  it('refuses an invalid PUT body and keeps the stored client', async () => {
    await t.createClient({ client_id: 'keep-me', client_name: 'Kept' });
    for (const payload of [
      { client_name: 'x', grant_types: ['password'] },
      { client_name: 'x', unknown: true },
      { client_name: 'x', redirect_uris: ['https://a.example.com/#f'] },
      { client_name: 'x', client_secret: 'chosen' },
    ]) {
      const res = await admin(t, 'PUT', '/admin/clients/keep-me', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error, 'redirect_uris' in payload ? 'invalid_redirect_uri' : 'invalid_request');
    }
    assert.equal((await t.ctx.store.clients.get('keep-me'))?.clientName, 'Kept');
  });

  it("refuses a client_id equal to a person's sub, so no client_credentials token can carry it (RFC 9700 §4.15)", async () => {
    const person = await createTestUser(t);
    const res = await admin(t, 'POST', '/admin/clients', { client_id: person.id, client_name: 'Impostor' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'invalid_client_metadata');
    assert.match(res.json().error_description, /^client_id .*sub/);
    assert.equal(await t.ctx.store.clients.get(person.id), undefined, 'no client was created');
  });

  it('refuses a plain http redirect URI on a host that is not the loopback, on create and on replace', async () => {
    await t.createClient({ client_id: 'http-check', client_name: 'Kept' });
    const uris = [
      'http://app.example.com/callback',
      'http://10.0.0.7/callback',
      'http://127.0.0.1.nip.io/callback',
      'http://localhost.example.com/callback',
      'HTTP://APP.EXAMPLE.COM/callback',
    ];
    for (const uri of uris) {
      for (const [field, extra] of [
        ['redirect_uris', { grant_types: ['authorization_code'] }],
        ['post_logout_redirect_uris', { grant_types: ['authorization_code'], redirect_uris: ['https://a.example/cb'] }],
      ] as const) {
        for (const [method, url] of [
          ['POST', '/admin/clients'],
          ['PUT', '/admin/clients/http-check'],
        ] as const) {
          const res = await admin(t, method, url, { ...extra, [field]: [uri] });
          assert.equal(res.statusCode, 400, `${method} ${field} ${uri}: ${res.body}`);
          assert.equal(res.json().error, 'invalid_redirect_uri');
          assert.match(res.json().error_description, new RegExp(`^${field}: .*https`));
        }
      }
    }
    assert.equal((await t.ctx.store.clients.get('http-check'))?.clientName, 'Kept');
  });

  it('accepts https, http on the loopback (127.0.0.1, [::1], localhost) and private-use schemes (RFC 8252)', async () => {
    const uris = [
      'https://app.example.com/callback',
      'http://127.0.0.1:8080/callback',
      'http://[::1]:8080/callback',
      'http://localhost:8080/callback',
      'com.example.app:/oauth2redirect',
    ];
    const res = await admin(t, 'POST', '/admin/clients', { grant_types: ['authorization_code'], redirect_uris: uris });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().redirect_uris, uris);
  });

  it('answers a duplicate client_id with 409 and keeps the first client', async () => {
    const first = await t.createClient({ client_id: 'dup', client_name: 'First' });
    const res = await admin(t, 'POST', '/admin/clients', { client_id: 'dup', client_name: 'Second' });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error, 'invalid_request');
    assert.equal((await t.ctx.store.clients.get('dup'))?.clientName, 'First');
    assert.equal((await token(t, 'dup', first.client_secret)).statusCode, 200);
  });

  it('answers 409, not 500, when the same client_id is created twice at once', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((n) => admin(t, 'POST', '/admin/clients', { client_id: 'racing', client_name: `r${n}` })),
    );
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409], results.map((r) => r.body).join('\n'));
    const winner = results.find((r) => r.statusCode === 201)?.json();
    assert.equal((await token(t, 'racing', winner.client_secret)).statusCode, 200);
  });

  it('lets exactly one of several concurrent creations of one client_id win; the others get 409', async () => {
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => createClient(t.ctx, { client_id: 'racing-direct' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.ok(r.reason instanceof OAuthError, `a raw ${String(r.reason)} would be a 500`);
        assert.equal(r.reason.status, 409);
      }
    }
  });

  it('deletes a client: 204, then 404, and its credentials stop working', async () => {
    const created = await t.createClient({ client_id: 'to-delete' });
    assert.equal((await token(t, 'to-delete', created.client_secret)).statusCode, 200);
    const res = await admin(t, 'DELETE', '/admin/clients/to-delete');
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal((await admin(t, 'GET', '/admin/clients/to-delete')).statusCode, 404);
    assert.equal((await admin(t, 'DELETE', '/admin/clients/to-delete')).statusCode, 404);
    assertInvalidClient(await token(t, 'to-delete', created.client_secret));
  });

  it('rotates a secret: the new one works and the old one fails at once', async () => {
    const created = await t.createClient({ client_id: 'to-rotate' });
    // Used before the rotation, so the process has the old secret among those it verified.
    assert.equal((await token(t, 'to-rotate', created.client_secret)).statusCode, 200);
    t.clock.advance(30);
    const res = await admin(t, 'POST', '/admin/clients/to-rotate/secret/rotate');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), [...HYDRA_FIELDS, 'client_secret'].sort());
    assert.match(body.client_secret, /^[A-Za-z0-9_-]{43,}$/);
    assert.notEqual(body.client_secret, created.client_secret);
    assert.equal(body.updated_at, iso(t));
    assert.equal((await token(t, 'to-rotate', body.client_secret)).statusCode, 200);
    assertInvalidClient(await token(t, 'to-rotate', created.client_secret));
    assert.ok(!(await admin(t, 'GET', '/admin/clients/to-rotate')).body.includes(body.client_secret));
  });

  it('answers 404 not_found for an unknown client on every route', async () => {
    const calls: [NonNullable<InjectOptions['method']>, string, unknown?][] = [
      ['GET', '/admin/clients/nobody'],
      ['PUT', '/admin/clients/nobody', { client_name: 'x' }],
      ['DELETE', '/admin/clients/nobody'],
      ['POST', '/admin/clients/nobody/secret/rotate'],
    ];
    for (const [method, url, payload] of calls) {
      const res = await admin(t, method, url, payload);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error, 'not_found');
      assert.match(res.json().error_description, /nobody/);
    }
    assert.equal(await t.ctx.store.clients.get('nobody'), undefined, 'PUT does not create');
  });

  it('answers 404 for unknown admin routes', async () => {
    const res = await admin(t, 'GET', '/admin/nothing-here');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });
});

describe('admin API client listing', () => {
  let t: TestAccounts;
  const ids = ['c-01', 'c-02', 'c-03', 'c-04', 'c-05'];
  before(async () => {
    t = await testAccounts();
    for (const id of [...ids].reverse()) await t.createClient({ client_id: id });
  });
  after(async () => t.dispose());

  it('lists every client ordered by client_id', async () => {
    const res = await admin(t, 'GET', '/admin/clients');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().map((c: { client_id: string }) => c.client_id),
      ids,
    );
    assert.equal(res.headers.link, undefined, 'no next page');
  });

  it('pages with limit and a Link rel="next" header until the end', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/admin/clients?limit=2';
    let pages = 0;
    while (url) {
      const res = await admin(t, 'GET', url);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json().map((c: { client_id: string }) => c.client_id);
      assert.ok(page.length <= 2);
      seen.push(...page);
      pages += 1;
      const link = res.headers.link as string | undefined;
      if (link) assert.match(link, /^<[^>]+>; rel="next"$/);
      url = link ? /^<([^>]+)>/.exec(link)?.[1] : undefined;
      assert.ok(pages <= 4, 'pagination ends');
    }
    assert.deepEqual(seen, ids);
    assert.equal(pages, 3);
  });

  it('refuses a bad limit', async () => {
    for (const limit of ['0', '-1', 'ten', '501']) {
      const res = await admin(t, 'GET', `/admin/clients?limit=${limit}`);
      assert.equal(res.statusCode, 400, limit);
      assert.equal(res.json().error, 'invalid_request');
    }
  });
});

describe('admin API under malformed input', () => {
  let t: TestAccounts;
  before(async () => {
    t = await testAccounts();
    await t.createClient({ client_id: 'fuzz-target' });
  });
  after(async () => t.dispose());

  it('answers 500 requests of generated junk with a well-formed 4xx, and stays healthy', async () => {
    // A small deterministic generator (mulberry32), so a failure can be replayed.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const junk = (): unknown =>
      pick([
        () => null,
        () => true,
        () => Math.floor(random() * 1e6) - 5e5,
        () => 'x'.repeat(Math.floor(random() * 3000)),
        () => String.fromCharCode(...Array.from({ length: 8 }, () => Math.floor(random() * 0xffff))),
        () => [pick(['client_credentials', 'https://a.example.com', '', '#'])],
        () => ({ nested: 'object' }),
        () => '\u0000',
      ])();
    const fields = ['client_id', 'client_name', 'grant_types', 'redirect_uris', 'scope', 'audience', 'response_types'];
    const fields2 = [...fields, 'token_endpoint_auth_method', 'skip_consent', 'created_at', '__proto__', 'constructor'];
    const urls = [
      '/admin/clients',
      '/admin/clients/fuzz-target',
      '/admin/clients/fuzz-target/secret/rotate',
      '/admin/clients?limit=',
      '/admin/clients?limit=1e3&page_token=%FF',
      '/admin/clients/%E0%A4%A',
      '/admin/keys/%00/retire',
      '/admin/keys/rotate?x=1',
    ];
    for (let i = 0; i < 500; i++) {
      const body: Record<string, unknown> = {};
      for (let n = Math.floor(random() * 4); n > 0; n--) body[pick(fields2)] = junk();
      const raw = pick([
        () => JSON.stringify(body),
        () => JSON.stringify(junk()),
        () => JSON.stringify(body).slice(0, Math.floor(random() * 20)),
        () => `{"__proto__": {"x": 1}, "client_name": "p"}`,
      ])();
      const method = pick(['POST', 'PUT', 'GET', 'DELETE', 'PATCH'] as const);
      const url = pick(urls);
      if (url === '/admin/clients/fuzz-target' && method === 'DELETE') continue;
      if (url === '/admin/keys/rotate?x=1') continue; // valid, and rotating 100 times is slow
      const res = await t.adminApp.inject({
        method,
        url,
        headers: {
          authorization: t.adminAuth,
          'content-type': pick(['application/json', 'text/plain', 'application/json; charset=utf-8']),
        },
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: raw }),
      });
      assert.ok(res.statusCode < 500, `${method} ${url} ${raw.slice(0, 200)} → ${res.statusCode} ${res.body}`);
      if (res.statusCode >= 400) {
        const parsed = res.json();
        assert.equal(typeof parsed.error, 'string', res.body);
        assert.equal(typeof parsed.error_description, 'string', res.body);
      }
    }
    const health = await t.publicApp.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(health.statusCode, 200);
    assert.equal((await admin(t, 'GET', '/admin/clients/fuzz-target')).statusCode, 200);
  });
});
