import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verify } from '@node-rs/argon2';
import {
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  introspect,
  PASSWORD,
  type PeopleHarness,
  peopleHarness,
  signInForTokens,
  type TestClient,
  tokenRequest,
  userinfo,
  walk,
} from '@signet/testing/people';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const CLAIMS = {
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  gender: 'female',
  birthdate: '1815-12-10',
  locale: 'en-GB',
  picture: 'https://example.com/ada.png',
  email: 'ada@example.com',
  email_verified: true,
  phone_number: '+34600000000',
  phone_number_verified: false,
  credential: { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' },
};

describe('admin users API', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let n = 0;
  const username = (prefix = 'user') => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ skip_consent: true });
  });
  after(async () => h?.close());

  function admin(
    method: NonNullable<InjectOptions['method']>,
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    return h.t.adminApp.inject({
      method,
      url,
      headers: { authorization: h.t.adminAuth },
      ...(payload === undefined ? {} : { payload: payload as NonNullable<InjectOptions['payload']> }),
    });
  }

  function assertBadRequest(res: LightMyRequestResponse, field: RegExp, status = 400): void {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json() as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, field);
  }

  async function create(body: Record<string, unknown> = {}): Promise<Record<string, unknown> & { id: string }> {
    const res = await admin('POST', '/admin/users', { username: username(), password: PASSWORD, ...body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  }

  it('creates a person: 201, a random UUID as id, claims flattened, and never the password or its hash', async () => {
    const name = username('Mixed.Case');
    const res = await admin('POST', '/admin/users', { username: name, password: PASSWORD, ...CLAIMS });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.match(body.id, UUID);
    assert.equal(body.username, name.toLowerCase());
    for (const [claim, value] of Object.entries(CLAIMS)) assert.deepEqual(body[claim], value, claim);
    assert.equal(body.has_password, true);
    assert.match(body.created_at, ISO);
    assert.equal(body.created_at, new Date(h.t.clock.now() * 1000).toISOString());
    assert.equal(body.updated_at, body.created_at);
    assert.ok(!('password' in body));
    assert.ok(!res.body.includes(PASSWORD), 'the password is never echoed');
    assert.ok(!res.body.includes('$argon2'), 'the hash is never returned');

    const stored = await h.t.ctx.store.users.get(body.id);
    assert.ok(stored?.passwordHash);
    assert.match(stored.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verify(stored.passwordHash, PASSWORD), true);
    assert.equal(await verify(stored.passwordHash, 'another password'), false);

    const got = await admin('GET', `/admin/users/${body.id}`);
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), body);
    assert.ok(!got.body.includes('$argon2'));
  });

  it('creates a person without a password, who cannot sign in', async () => {
    const res = await admin('POST', '/admin/users', { username: username() });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().has_password, false);
    assert.equal((await h.t.ctx.store.users.get(res.json().id))?.passwordHash, null);
  });

  it('refuses a taken username with 409, whatever its case', async () => {
    const name = username();
    await create({ username: name });
    for (const again of [name, name.toUpperCase()]) {
      const res = await admin('POST', '/admin/users', { username: again, password: PASSWORD });
      assertBadRequest(res, /is taken/, 409);
    }
  });

  it('refuses a missing or malformed username, and unknown fields, naming them', async () => {
    assertBadRequest(await admin('POST', '/admin/users', { password: PASSWORD }), /username/);
    assertBadRequest(await admin('POST', '/admin/users', { username: 'has space' }), /^username: /);
    assertBadRequest(await admin('POST', '/admin/users', { username: '' }), /^username: /);
    assertBadRequest(
      await admin('POST', '/admin/users', { username: username(), nickname: 'ada' }),
      /^nickname: is not a known property$/,
    );
  });

  it('refuses a password shorter than 10 or longer than 256 characters', async () => {
    assertBadRequest(await admin('POST', '/admin/users', { username: username(), password: 'short' }), /at least 10/);
    assertBadRequest(
      await admin('POST', '/admin/users', { username: username(), password: 'x'.repeat(257) }),
      /at most 256/,
    );
  });

  it('refuses badly formatted claims with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ birthdate: '10/12/1815' }, /^birthdate: /],
      [{ birthdate: '1815-12-1' }, /^birthdate: /],
      [{ birthdate: '1815-13-10' }, /^birthdate: /],
      [{ birthdate: '1815-02-30' }, /^birthdate: /],
      [{ birthdate: '1815-00-10' }, /^birthdate: /],
      [{ birthdate: '1815-12-32' }, /^birthdate: /],
      [{ phone_number: '600000000' }, /^phone_number: /],
      [{ phone_number: '+34 600 000 000' }, /^phone_number: /],
      [{ phone_number: '+0600000000' }, /^phone_number: /],
      [{ email: 'not-an-email' }, /^email: /],
      [{ email: 'ada @example.com' }, /^email: /],
      [{ email_verified: 'yes' }, /^email_verified: /],
      [{ picture: 'http://example.com/a.png' }, /^picture: /],
      [{ locale: 'english!' }, /^locale: /],
      [{ credential: { ...CLAIMS.credential, country: 'es' } }, /^credential\.country: /],
      [{ credential: { ...CLAIMS.credential, country: 'ESP' } }, /^credential\.country: /],
      [{ credential: { country: 'ES', issuer: 'DGP', type: 'id_card' } }, /^credential\.number: is required$/],
      [{ credential: { ...CLAIMS.credential, expires: '2030' } }, /^credential\.expires: is not a known property$/],
      [{ name: '' }, /^name: /],
    ];
    for (const [claims, field] of cases) {
      assertBadRequest(await admin('POST', '/admin/users', { username: username(), ...claims }), field);
    }
    // The formats OpenID Connect allows for birthdate are all accepted.
    for (const birthdate of ['1815', '0000-12-10', '2000-02-29']) {
      assert.equal((await admin('POST', '/admin/users', { username: username(), birthdate })).statusCode, 201);
    }
  });

  it('lists people with limit and a Link rel="next" header, each once, without hashes', async () => {
    for (let i = 0; i < 5; i++) await create();
    const all = (await admin('GET', '/admin/users?limit=500')).json() as { id: string }[];
    assert.ok(all.length >= 5);
    const seen: string[] = [];
    let url: string | undefined = '/admin/users?limit=2';
    let pages = 0;
    while (url) {
      const res = await admin('GET', url);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(!res.body.includes('$argon2'));
      const page = res.json() as { id: string }[];
      assert.ok(page.length <= 2);
      seen.push(...page.map((u) => u.id));
      const link = res.headers.link as string | undefined;
      if (link) assert.match(link, /^<\/admin\/users\?limit=2&page_token=[^>]+>; rel="next"$/);
      url = link ? /^<([^>]+)>/.exec(link)?.[1] : undefined;
      pages++;
    }
    assert.deepEqual(
      seen,
      all.map((u) => u.id),
    );
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(pages, Math.ceil(all.length / 2) + (all.length % 2 === 0 ? 1 : 0));
    assertBadRequest(await admin('GET', '/admin/users?limit=0'), /limit/);
    assertBadRequest(await admin('GET', '/admin/users?limit=501'), /limit/);
  });

  it('answers 404 for an unknown person', async () => {
    for (const [method, url, payload] of [
      ['GET', '/admin/users/00000000-0000-4000-8000-000000000000', undefined],
      ['PUT', '/admin/users/00000000-0000-4000-8000-000000000000', { name: 'x' }],
      ['PUT', '/admin/users/00000000-0000-4000-8000-000000000000/password', { password: PASSWORD }],
      ['DELETE', '/admin/users/00000000-0000-4000-8000-000000000000', undefined],
    ] as const) {
      const res = await admin(method, url, payload);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error, 'not_found');
    }
  });

  it('replaces the claims on PUT, keeps the username unless given, and moves updated_at', async () => {
    const person = await create(CLAIMS);
    h.t.clock.advance(10);
    const res = await admin('PUT', `/admin/users/${person.id}`, { name: 'Augusta Ada King', given_name: 'Augusta' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.name, 'Augusta Ada King');
    assert.equal(body.given_name, 'Augusta');
    for (const gone of ['family_name', 'email', 'email_verified', 'phone_number', 'birthdate', 'credential']) {
      assert.ok(!(gone in body), `${gone} is replaced away`);
    }
    assert.equal(body.username, person.username);
    assert.equal(body.has_password, true);
    assert.equal(body.created_at, person.created_at);
    assert.equal(body.updated_at, new Date(h.t.clock.now() * 1000).toISOString());
    assert.deepEqual((await admin('GET', `/admin/users/${person.id}`)).json(), body);

    // What GET returns may be sent back unchanged.
    const roundTrip = await admin('PUT', `/admin/users/${person.id}`, body);
    assert.equal(roundTrip.statusCode, 200, roundTrip.body);
    assert.equal(roundTrip.json().name, 'Augusta Ada King');
  });

  it('renames on PUT, refusing a taken username with 409, a password with 400 and a changed id with 400', async () => {
    const a = await create();
    const b = await create();
    const renamed = username('Renamed');
    const res = await admin('PUT', `/admin/users/${a.id}`, { username: renamed });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().username, renamed.toLowerCase());
    assertBadRequest(await admin('PUT', `/admin/users/${a.id}`, { username: b.username }), /is taken/, 409);
    assertBadRequest(await admin('PUT', `/admin/users/${a.id}`, { password: PASSWORD }), /password/);
    assertBadRequest(await admin('PUT', `/admin/users/${a.id}`, { id: b.id }), /id cannot be changed/);
    assertBadRequest(await admin('PUT', `/admin/users/${a.id}`, { birthdate: 'yesterday' }), /^birthdate: /);
  });

  it('sets a password with PUT /password: short ones are refused, the old one stops working', async () => {
    const person = await create();
    assertBadRequest(
      await admin('PUT', `/admin/users/${person.id}/password`, { password: 'too short' }),
      /at least 10/,
    );
    assertBadRequest(await admin('PUT', `/admin/users/${person.id}/password`, {}), /password/);
    const res = await admin('PUT', `/admin/users/${person.id}/password`, { password: 'a brand new passphrase' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    const stored = await h.t.ctx.store.users.get(person.id);
    assert.match(stored?.passwordHash ?? '', /^\$argon2id\$/);

    const credentials = { username: String(person.username) };
    const old = authorizationRequest(client.client_id);
    const browser = h.browser();
    const first = await browser.get(old.path);
    const page = await browser.get(first.headers.get('location') ?? '');
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
    const refused = await browser.post(action, { csrf, ...credentials, password: PASSWORD });
    assert.equal(refused.status, 200);
    assert.match(await refused.text(), /Wrong email, username or password/);

    const req = authorizationRequest(client.client_id);
    const result = await walk(h.browser(), req.path, { ...credentials, password: 'a brand new passphrase' });
    codeFrom(result.callback, req.state, h.t.config.issuer);
  });

  it('deletes a person: 204, then 404, and their sessions and tokens stop working', async () => {
    const refreshing = await h.client({ skip_consent: true, grant_types: ['authorization_code', 'refresh_token'] });
    const person = await create();
    const browser = h.browser();
    const { tokens } = await signInForTokens(h, browser, refreshing, { username: String(person.username) });
    assert.equal((await userinfo(h.origin, tokens.access_token ?? '')).status, 200);

    const res = await admin('DELETE', `/admin/users/${person.id}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal((await admin('GET', `/admin/users/${person.id}`)).statusCode, 404);
    assert.equal((await admin('DELETE', `/admin/users/${person.id}`)).statusCode, 404);

    const info = await userinfo(h.origin, tokens.access_token ?? '');
    assert.equal(info.status, 401);
    assert.match(info.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await introspect(h.origin, refreshing, tokens.access_token ?? '')).active, false);
    const refresh = await tokenRequest(h.origin, refreshing, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body.error, 'invalid_grant');
    const none = authorizationRequest(refreshing.client_id, { prompt: 'none' });
    assertErrorRedirect(await browser.get(none.path), 'login_required', none.state, h.t.config.issuer);
  });

  it('lets a new person take a deleted person’s username without inheriting anything', async () => {
    const person = await create();
    const browser = h.browser();
    const { tokens } = await signInForTokens(h, browser, client, { username: String(person.username) });
    assert.equal((await admin('DELETE', `/admin/users/${person.id}`)).statusCode, 204);
    const successor = await create({ username: person.username });
    assert.notEqual(successor.id, person.id);
    assert.equal((await userinfo(h.origin, tokens.access_token ?? '')).status, 401);
  });

  it('answers every route with 401 without the admin token', async () => {
    const person = await create();
    for (const [method, url] of [
      ['POST', '/admin/users'],
      ['GET', '/admin/users'],
      ['GET', `/admin/users/${person.id}`],
      ['PUT', `/admin/users/${person.id}`],
      ['PUT', `/admin/users/${person.id}/password`],
      ['DELETE', `/admin/users/${person.id}`],
    ] as const) {
      for (const authorization of [undefined, 'Bearer wrong-admin-token-0000']) {
        const res = await h.t.adminApp.inject({
          method,
          url,
          headers: authorization ? { authorization } : {},
          ...(method === 'POST' || method === 'PUT' ? { payload: { username: 'intruder', password: PASSWORD } } : {}),
        });
        assert.equal(res.statusCode, 401, `${method} ${url}`);
        assert.equal(res.json().error, 'invalid_token');
      }
    }
    assert.equal((await admin('GET', `/admin/users/${person.id}`)).statusCode, 200, 'nothing was deleted');
    assert.equal(await h.t.ctx.store.users.findByUsername('intruder'), undefined);
  });
});
