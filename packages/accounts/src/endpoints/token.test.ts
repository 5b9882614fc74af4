import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { openStore, type Store } from '../store/accounts-store.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

/** The characters RFC 6749 §5.2 allows in error_description. */
const RFC6749_DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/** A form body from name/value pairs, keeping repeats and order. */
const form = (pairs: [string, string][]): string => new URLSearchParams(pairs).toString();

/** POSTs a form to the token endpoint of `t` with the given extra headers. */
function tokenRequest(t: TestAccounts, payload: string, headers: Record<string, string> = {}) {
  return t.publicApp.inject({ method: 'POST', url: '/oauth2/token', headers: { ...FORM, ...headers }, payload });
}

/** Asserts an RFC 6749 §5.2 error response and returns its body. */
function assertOAuthError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string; json(): unknown },
  status: number,
  error: string,
): { error: string; error_description?: string } {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['cache-control'], 'no-store');
  const body = res.json() as { error: string; error_description?: string };
  assert.equal(body.error, error, res.body);
  if (body.error_description !== undefined) {
    assert.match(body.error_description, RFC6749_DESCRIPTION, 'error_description uses the RFC 6749 §5.2 characters');
  }
  return body;
}

describe('POST /oauth2/token with client_credentials', () => {
  let t: TestAccounts;
  let client: { client_id: string; client_secret: string };
  let aud: string;
  before(async () => {
    t = await testAccounts();
    client = await t.createClient({ client_name: 'Acme' });
    aud = t.config.signerAudience;
  });
  after(async () => t.dispose());

  const verify = (token: string, audience = aud) =>
    jwtVerify(token, createLocalJWKSet(t.ctx.keyring.publicJwks()), {
      issuer: t.config.issuer,
      audience,
      typ: 'at+jwt',
      currentDate: new Date(t.clock.now() * 1000),
    });

  it('issues the documented 60-minute RFC 9068 token for the Signer audience', async () => {
    const res = await tokenRequest(t, `grant_type=client_credentials&audience=${encodeURIComponent(aud)}`, {
      authorization: basicAuth(client.client_id, client.client_secret),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'envelopes:read envelopes:write');
    const { payload, protectedHeader } = await verify(body.access_token);
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.ok(protectedHeader.kid);
    assert.ok(t.ctx.keyring.publicJwks().keys.some((k) => k.kid === protectedHeader.kid));
    assert.equal(payload.iss, t.config.issuer);
    assert.equal(payload.sub, client.client_id);
    assert.equal(payload.aud, aud);
    assert.equal(payload.client_id, client.client_id);
    assert.equal(payload.iat, t.clock.now());
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
    assert.equal(payload.scope, 'envelopes:read envelopes:write');
    assert.equal(typeof payload.jti, 'string');
    assert.ok((payload.jti as string).length >= 16);
  });

  it('gives every token its own jti', async () => {
    const headers = { authorization: basicAuth(client.client_id, client.client_secret) };
    const body = form([
      ['grant_type', 'client_credentials'],
      ['audience', aud],
    ]);
    const a = (await tokenRequest(t, body, headers)).json();
    const b = (await tokenRequest(t, body, headers)).json();
    assert.notEqual(decodeJwt(a.access_token).jti, decodeJwt(b.access_token).jti);
  });

  describe('client authentication', () => {
    let special: { client_id: string; client_secret: string };
    let postClient: { client_id: string; client_secret: string };
    before(async () => {
      special = await t.createClient({ client_id: 'acme.signer~prod_v1-x' });
      postClient = await t.createClient({ token_endpoint_auth_method: 'client_secret_post' });
    });

    const ccBody = () =>
      form([
        ['grant_type', 'client_credentials'],
        ['audience', aud],
      ]);
    const rawBasic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

    it('accepts client_secret_basic with RFC 6749 §2.3.1 form-urlencoded id and secret', async () => {
      // URLSearchParams form-urlencodes `~` as %7E, as a strict RFC 6749 client does.
      const encodedId = new URLSearchParams({ v: special.client_id }).toString().slice(2);
      assert.equal(encodedId, 'acme.signer%7Eprod_v1-x');
      const res = await tokenRequest(t, ccBody(), { authorization: rawBasic(`${encodedId}:${special.client_secret}`) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(decodeJwt(res.json().access_token).client_id, special.client_id);
    });

    it('accepts the same id sent without encoding, as curl -u does', async () => {
      const res = await tokenRequest(t, ccBody(), {
        authorization: rawBasic(`${special.client_id}:${special.client_secret}`),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(decodeJwt(res.json().access_token).sub, special.client_id);
    });

    it('decodes a percent-encoded secret inside Basic', async () => {
      const percentAll = (s: string) =>
        [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const res = await tokenRequest(t, ccBody(), {
        authorization: rawBasic(`${percentAll(special.client_id)}:${percentAll(special.client_secret)}`),
      });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('refuses Basic credentials that are not valid form-urlencoding', async () => {
      const res = await tokenRequest(t, ccBody(), { authorization: rawBasic(`${client.client_id}:%E0%A4%A`) });
      const body = assertOAuthError(res, 401, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic/);
      assert.ok(body.error_description);
    });

    it('accepts client_secret_post for a client registered for it', async () => {
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          ['client_id', postClient.client_id],
          ['client_secret', postClient.client_secret],
        ]),
      );
      assert.equal(res.statusCode, 200, res.body);
      const { payload } = await verify(res.json().access_token);
      assert.equal(payload.client_id, postClient.client_id);
    });

    it('refuses client_secret_post from a client registered for client_secret_basic', async () => {
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          ['client_id', client.client_id],
          ['client_secret', client.client_secret],
        ]),
      );
      assertOAuthError(res, 401, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic/);
    });

    it('refuses client_secret_basic from a client registered for client_secret_post', async () => {
      const res = await tokenRequest(t, ccBody(), {
        authorization: basicAuth(postClient.client_id, postClient.client_secret),
      });
      assertOAuthError(res, 401, 'invalid_client');
    });

    it('refuses credentials sent both in the header and in the body', async () => {
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          ['client_id', client.client_id],
          ['client_secret', client.client_secret],
        ]),
        { authorization: basicAuth(client.client_id, client.client_secret) },
      );
      const body = assertOAuthError(res, 400, 'invalid_request');
      assert.match(body.error_description ?? '', /not both/);
    });

    it('refuses a body client_id that differs from the Basic one', async () => {
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          ['client_id', special.client_id],
        ]),
        { authorization: basicAuth(client.client_id, client.client_secret) },
      );
      assertOAuthError(res, 400, 'invalid_request');
    });

    it('answers an unknown client and a wrong secret with byte-identical 401s', async () => {
      const unknown = await tokenRequest(t, ccBody(), { authorization: basicAuth('no-such-client', 'whatever') });
      const wrong = await tokenRequest(t, ccBody(), {
        authorization: basicAuth(client.client_id, `${client.client_secret}x`),
      });
      for (const res of [unknown, wrong]) {
        assertOAuthError(res, 401, 'invalid_client');
        assert.equal(res.headers['www-authenticate'], 'Basic realm="signet"');
      }
      assert.equal(unknown.body, wrong.body);
      assert.equal(unknown.headers['content-length'], wrong.headers['content-length']);
    });

    it('answers an unknown client and a wrong secret alike with client_secret_post too', async () => {
      const post = (id: string, secret: string) =>
        tokenRequest(
          t,
          form([
            ['grant_type', 'client_credentials'],
            ['audience', aud],
            ['client_id', id],
            ['client_secret', secret],
          ]),
        );
      const unknown = await post('no-such-client', 'whatever');
      const wrong = await post(postClient.client_id, 'not-the-secret');
      assertOAuthError(unknown, 401, 'invalid_client');
      assertOAuthError(wrong, 401, 'invalid_client');
      assert.equal(unknown.body, wrong.body);
    });

    it('requires client authentication', async () => {
      const res = await tokenRequest(t, ccBody());
      assertOAuthError(res, 401, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic/);
    });

    it('refuses a non-Basic Authorization header', async () => {
      const res = await tokenRequest(t, ccBody(), { authorization: `Bearer ${client.client_secret}` });
      assertOAuthError(res, 401, 'invalid_client');
    });

    it('refuses a client_id outside RFC 6749 VSCHAR as an unknown client', async () => {
      for (const id of ['\u0000', 'a\nb', 'é']) {
        const res = await tokenRequest(t, ccBody(), { authorization: basicAuth(id, client.client_secret) });
        assertOAuthError(res, 401, 'invalid_client');
      }
    });
  });

  describe('audience', () => {
    const a1 = 'https://a.example/api';
    const a2 = 'https://b.example';
    let multi: { client_id: string; client_secret: string };
    before(async () => {
      multi = await t.createClient({ audience: [a1, a2] });
    });
    const request = (pairs: [string, string][]) =>
      tokenRequest(t, form([['grant_type', 'client_credentials'], ...pairs]), {
        authorization: basicAuth(multi.client_id, multi.client_secret),
      });

    it('accepts space-delimited audiences', async () => {
      const res = await request([['audience', `${a1} ${a2}`]]);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(decodeJwt(res.json().access_token).aud, [a1, a2]);
    });

    it('accepts repeated audience parameters', async () => {
      const res = await request([
        ['audience', a2],
        ['audience', a1],
      ]);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(decodeJwt(res.json().access_token).aud, [a2, a1]);
    });

    it('issues a single audience as a string', async () => {
      const res = await request([['audience', a2]]);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(decodeJwt(res.json().access_token).aud, a2);
    });

    it('refuses an audience not on the client list, naming it', async () => {
      const res = await request([['audience', `${a1} https://evil.example`]]);
      const body = assertOAuthError(res, 400, 'invalid_request');
      assert.match(body.error_description ?? '', /https:\/\/evil\.example/);
    });

    it('refuses a missing audience, saying one is required', async () => {
      for (const pairs of [[], [['audience', '']], [['audience', '   ']]] as [string, string][][]) {
        const body = assertOAuthError(await request(pairs), 400, 'invalid_request');
        assert.match(body.error_description ?? '', /audience is required/);
      }
    });

    it('accepts RFC 8707 resource as the audience', async () => {
      const res = await request([
        ['resource', a1],
        ['resource', a2],
      ]);
      assert.equal(res.statusCode, 200, res.body);
      const { payload } = await jwtVerify(res.json().access_token, createLocalJWKSet(t.ctx.keyring.publicJwks()), {
        issuer: t.config.issuer,
        audience: a1,
        typ: 'at+jwt',
        currentDate: new Date(t.clock.now() * 1000),
      });
      assert.deepEqual(payload.aud, [a1, a2]);
    });

    it('merges resource and audience without duplicates', async () => {
      const res = await request([
        ['audience', a1],
        ['resource', a1],
        ['resource', a2],
      ]);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(decodeJwt(res.json().access_token).aud, [a1, a2]);
    });

    it('answers a bad resource with invalid_target', async () => {
      for (const resource of ['not a uri', '/relative', `${a1}#fragment`, 'https://evil.example']) {
        const body = assertOAuthError(await request([['resource', resource]]), 400, 'invalid_target');
        assert.ok(body.error_description?.includes(resource), body.error_description);
      }
    });
  });

  describe('scope', () => {
    let withUserScope: { client_id: string; client_secret: string };
    before(async () => {
      withUserScope = await t.createClient({ scope: 'openid envelopes:read' });
    });
    const request = (scope: string | undefined, c = client) =>
      tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          ...(scope === undefined ? [] : [['scope', scope] as [string, string]]),
        ]),
        { authorization: basicAuth(c.client_id, c.client_secret) },
      );

    it('grants a scope within the allowed ones', async () => {
      const res = await request('envelopes:read');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().scope, 'envelopes:read');
      assert.equal(decodeJwt(res.json().access_token).scope, 'envelopes:read');
    });

    it('refuses a scope outside the allowed ones', async () => {
      const body = assertOAuthError(await request('envelopes:read envelopes:admin'), 400, 'invalid_scope');
      assert.match(body.error_description ?? '', /envelopes:admin/);
    });

    it('refuses a user scope even when the client is registered for it', async () => {
      assertOAuthError(await request('openid', withUserScope), 400, 'invalid_scope');
      assertOAuthError(await request('openid'), 400, 'invalid_scope');
    });

    it("grants the client's default scope, without user scopes, when none is asked", async () => {
      const res = await request(undefined);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().scope, 'envelopes:read envelopes:write');
      const res2 = await request(undefined, withUserScope);
      assert.equal(res2.statusCode, 200, res2.body);
      assert.equal(res2.json().scope, 'envelopes:read');
      assert.equal(decodeJwt(res2.json().access_token).scope, 'envelopes:read');
    });
  });

  describe('request shape', () => {
    const auth = () => ({ authorization: basicAuth(client.client_id, client.client_secret) });

    it('refuses duplicate parameters', async () => {
      for (const name of ['grant_type', 'scope', 'client_id']) {
        const value = name === 'grant_type' ? 'client_credentials' : name === 'scope' ? 'envelopes:read' : 'x';
        const pairs: [string, string][] = [
          ['grant_type', 'client_credentials'],
          ['audience', aud],
          [name, value],
        ];
        if (name !== 'grant_type') pairs.push([name, value]);
        const body = assertOAuthError(await tokenRequest(t, form(pairs), auth()), 400, 'invalid_request');
        assert.match(body.error_description ?? '', new RegExp(name));
      }
    });

    it('answers an unknown grant_type with unsupported_grant_type', async () => {
      for (const grant of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'x']) {
        const res = await tokenRequest(
          t,
          form([
            ['grant_type', grant],
            ['audience', aud],
          ]),
          auth(),
        );
        assertOAuthError(res, 400, 'unsupported_grant_type');
      }
    });

    it('answers a missing grant_type with invalid_request', async () => {
      const body = assertOAuthError(await tokenRequest(t, form([['audience', aud]]), auth()), 400, 'invalid_request');
      assert.match(body.error_description ?? '', /grant_type/);
    });

    it('answers a client without the client_credentials grant with unauthorized_client', async () => {
      const noGrant = await t.createClient({ grant_types: [] });
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
        ]),
        { authorization: basicAuth(noGrant.client_id, noGrant.client_secret) },
      );
      assertOAuthError(res, 400, 'unauthorized_client');
    });

    it('refuses bodies that are not form-urlencoded', async () => {
      const bodies = [
        {
          'content-type': 'application/json',
          payload: JSON.stringify({ grant_type: 'client_credentials', audience: aud }),
        },
        { 'content-type': 'application/json', payload: '{"grant_type":' },
        { 'content-type': 'text/plain', payload: `grant_type=client_credentials&audience=${aud}` },
        { 'content-type': 'application/xml', payload: '<grant_type>client_credentials</grant_type>' },
        { 'content-type': 'multipart/form-data; boundary=x', payload: '--x--' },
      ];
      for (const { payload, ...headers } of bodies) {
        const res = await t.publicApp.inject({
          method: 'POST',
          url: '/oauth2/token',
          headers: { ...headers, ...auth() },
          payload,
        });
        assertOAuthError(res, 400, 'invalid_request');
      }
    });

    it('accepts a form content type with parameters and any case', async () => {
      for (const contentType of [
        'application/x-www-form-urlencoded; charset=utf-8',
        'Application/X-WWW-Form-URLEncoded',
      ]) {
        const res = await t.publicApp.inject({
          method: 'POST',
          url: '/oauth2/token',
          headers: { 'content-type': contentType, ...auth() },
          payload: form([
            ['grant_type', 'client_credentials'],
            ['audience', aud],
          ]),
        });
        assert.equal(res.statusCode, 200, `${contentType}: ${res.body}`);
      }
    });

    it('shows client-sent values in error descriptions only in RFC 6749 §5.2 characters', async () => {
      const nasty = 'x"\\\u00e9\u0000\n\u{1F600}';
      const cases: [[string, string][], string][] = [
        [[['grant_type', nasty]], 'unsupported_grant_type'],
        [
          [
            ['grant_type', 'client_credentials'],
            ['audience', nasty],
          ],
          'invalid_request',
        ],
        [
          [
            ['grant_type', 'client_credentials'],
            ['audience', aud],
            ['scope', nasty],
          ],
          'invalid_scope',
        ],
        [
          [
            ['grant_type', 'client_credentials'],
            ['resource', nasty],
          ],
          'invalid_target',
        ],
        [
          [
            ['grant_type', 'client_credentials'],
            [nasty, '1'],
            [nasty, '2'],
          ],
          'invalid_request',
        ],
        [
          [
            ['grant_type', 'client_credentials'],
            ['audience', 'y'.repeat(10_000)],
          ],
          'invalid_request',
        ],
      ];
      for (const [pairs, error] of cases) {
        const body = assertOAuthError(await tokenRequest(t, form(pairs), auth()), 400, error);
        assert.ok((body.error_description ?? '').length < 400, 'long values are cut short');
      }
    });

    it('answers a URL with broken percent-encoding with 400 invalid_request', async () => {
      const res = await t.publicApp.inject({
        method: 'POST',
        url: '/oauth2/token%E0%A4%A',
        headers: FORM,
        payload: '',
      });
      assertOAuthError(res, 400, 'invalid_request');
    });

    it('accepts the Basic scheme in any case (RFC 7617 §2)', async () => {
      const value = basicAuth(client.client_id, client.client_secret).slice('Basic '.length);
      const res = await tokenRequest(
        t,
        form([
          ['grant_type', 'client_credentials'],
          ['audience', aud],
        ]),
        { authorization: `basic ${value}` },
      );
      assert.equal(res.statusCode, 200, res.body);
    });

    it('answers a body over 64 KiB with 413 invalid_request', async () => {
      const res = await tokenRequest(t, `grant_type=client_credentials&pad=${'x'.repeat(64 * 1024)}`, auth());
      assertOAuthError(res, 413, 'invalid_request');
    });

    it('answers other methods with 405 and Allow: POST', async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const) {
        const res = await t.publicApp.inject({ method, url: '/oauth2/token' });
        assert.equal(res.statusCode, 405, `${method}: ${res.body}`);
        assert.equal(res.headers.allow, 'POST');
        assert.equal(res.json().error, 'invalid_request');
      }
      const head = await t.publicApp.inject({ method: 'HEAD', url: '/oauth2/token' });
      assert.equal(head.statusCode, 405);
      assert.equal(head.headers.allow, 'POST');
      assert.equal(head.body, '');
    });
  });
});

describe('POST /oauth2/token configuration', () => {
  const request = async (t: TestAccounts) => {
    const c = await t.createClient();
    return tokenRequest(
      t,
      form([
        ['grant_type', 'client_credentials'],
        ['audience', t.config.signerAudience],
      ]),
      { authorization: basicAuth(c.client_id, c.client_secret) },
    );
  };

  it('sets exp − iat and expires_in to SIGNET_ACCESS_TOKEN_TTL', async () => {
    const t = await testAccounts({ env: { SIGNET_ACCESS_TOKEN_TTL: '600' } });
    try {
      const res = await request(t);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().expires_in, 600);
      const claims = decodeJwt(res.json().access_token);
      assert.equal((claims.exp as number) - (claims.iat as number), 600);
    } finally {
      await t.dispose();
    }
  });

  it('signs with RS256 when SIGNET_SIGNING_ALG=RS256', async () => {
    const t = await testAccounts({ env: { SIGNET_SIGNING_ALG: 'RS256' } });
    try {
      const res = await request(t);
      assert.equal(res.statusCode, 200, res.body);
      const jwks = t.ctx.keyring.publicJwks();
      assert.ok(jwks.keys.every((k) => k.kty === 'RSA' && k.alg === 'RS256'));
      const { protectedHeader, payload } = await jwtVerify(res.json().access_token, createLocalJWKSet(jwks), {
        issuer: t.config.issuer,
        audience: t.config.signerAudience,
        typ: 'at+jwt',
        algorithms: ['RS256'],
        currentDate: new Date(t.clock.now() * 1000),
      });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal((payload.exp as number) - (payload.iat as number), 3600);
    } finally {
      await t.dispose();
    }
  });
});

// Client ids reach the database; PostgreSQL refuses NUL bytes in text, which must not become a 500.
const pgUrl = process.env.TEST_DATABASE_URL;
describe('POST /oauth2/token on PostgreSQL', {
  skip: pgUrl ? false : 'TEST_DATABASE_URL is not set: the PostgreSQL leg was SKIPPED',
}, () => {
  const schema = `signet_token_test_${process.pid}_${Date.now()}`;
  let store: Store;
  let t: TestAccounts;
  before(async () => {
    const admin = openStore({ url: pgUrl as string, poolSize: 1 });
    await admin.db.schema.createSchema(schema).execute();
    await admin.close();
    store = openStore({ url: pgUrl as string, schema, poolSize: 2 });
    t = await testAccounts({ store });
  });
  after(async () => {
    await t?.dispose();
    const admin = openStore({ url: pgUrl as string, poolSize: 1 });
    await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await admin.close();
  });

  it('issues a token', async () => {
    const c = await t.createClient();
    const res = await tokenRequest(
      t,
      form([
        ['grant_type', 'client_credentials'],
        ['audience', t.config.signerAudience],
      ]),
      { authorization: basicAuth(c.client_id, c.client_secret) },
    );
    assert.equal(res.statusCode, 200, res.body);
  });

  it('answers client ids with NUL or other non-VSCHAR characters with invalid_client, not a 500', async () => {
    const body = form([
      ['grant_type', 'client_credentials'],
      ['audience', t.config.signerAudience],
    ]);
    for (const id of ['\u0000', 'a\u0000b', '\u00e9']) {
      assertOAuthError(await tokenRequest(t, body, { authorization: basicAuth(id, 'secret') }), 401, 'invalid_client');
      assertOAuthError(
        await tokenRequest(
          t,
          `${body}&${form([
            ['client_id', id],
            ['client_secret', 'secret'],
          ])}`,
        ),
        401,
        'invalid_client',
      );
    }
  });
});
