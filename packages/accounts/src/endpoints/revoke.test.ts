import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';

type Credentials = { client_id: string; client_secret: string };

const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

describe('POST /oauth2/revoke (RFC 7009)', () => {
  let t: TestAccounts;
  let alice: Credentials;
  let bob: Credentials;
  before(async () => {
    t = await testAccounts();
    alice = await t.createClient({ client_name: 'Alice' });
    bob = await t.createClient({ client_name: 'Bob' });
  });
  after(async () => t.dispose());

  async function issue(c: Credentials): Promise<string> {
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: basicAuth(c.client_id, c.client_secret) },
      payload: new URLSearchParams({ grant_type: 'client_credentials', audience: t.config.signerAudience }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().access_token;
  }

  const post = (url: string, params: Record<string, string>, c: Credentials | null = alice) =>
    t.publicApp.inject({
      method: 'POST',
      url,
      headers: { ...FORM, ...(c ? { authorization: basicAuth(c.client_id, c.client_secret) } : {}) },
      payload: new URLSearchParams(params).toString(),
    });
  const revoke = (params: Record<string, string>, c: Credentials | null = alice) => post('/oauth2/revoke', params, c);
  const isActive = async (token: string, c: Credentials = alice): Promise<boolean> => {
    const res = await post('/oauth2/introspect', { token }, c);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().active;
  };

  it('revokes a token of the calling client', async () => {
    const token = await issue(alice);
    assert.equal(await isActive(token), true);
    const res = await revoke({ token });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.body, '');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(await isActive(token), false);
  });

  it('accepts both registered token_type_hint values', async () => {
    for (const hint of ['access_token', 'refresh_token']) {
      const token = await issue(alice);
      const res = await revoke({ token, token_type_hint: hint });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await isActive(token), false, `revoked with hint ${hint}`);
    }
  });

  it('answers 200 for unknown and garbage tokens', async () => {
    for (const token of ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', '\u0000', 'x'.repeat(10_000)]) {
      const res = await revoke({ token });
      assert.equal(res.statusCode, 200, `${token.slice(0, 20)}: ${res.body}`);
    }
  });

  it('answers 200 for an already expired token', async () => {
    const token = await issue(alice);
    t.clock.advance(3601);
    const res = await revoke({ token });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('answers an unknown token_type_hint with unsupported_token_type', async () => {
    const token = await issue(alice);
    for (const hint of ['id_token', 'ACCESS_TOKEN', 'x']) {
      const res = await revoke({ token, token_type_hint: hint });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'unsupported_token_type');
    }
    assert.equal(await isActive(token), true, 'a refused revocation revokes nothing');
  });

  it('keeps a revoked token revoked', async () => {
    const token = await issue(alice);
    assert.equal((await revoke({ token })).statusCode, 200);
    assert.equal((await revoke({ token })).statusCode, 200, 'revoking twice is not an error');
    t.clock.advance(1800);
    await t.ctx.store.revokedTokens.purgeExpired(t.clock.now());
    assert.equal(await isActive(token), false, 'still revoked half-way through its life, after a purge');
    t.clock.advance(1799);
    assert.equal(await isActive(token), false, 'still revoked one second before exp');
  });

  it("does not revoke another client's token", async () => {
    const token = await issue(bob);
    const res = await revoke({ token }, alice);
    assert.equal(res.statusCode, 200, 'the caller learns nothing about a foreign token');
    assert.equal(await isActive(token, bob), true);
  });

  it('answers a missing token with invalid_request', async () => {
    for (const params of [{}, { token: '' }, { token_type_hint: 'access_token' }] as Record<string, string>[]) {
      const res = await revoke(params);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_request');
    }
  });

  it('answers a repeated token with invalid_request', async () => {
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/revoke',
      headers: { ...FORM, authorization: basicAuth(alice.client_id, alice.client_secret) },
      payload: 'token=a&token=b',
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, 'invalid_request');
  });

  it('answers an unauthenticated caller with 401 invalid_client and revokes nothing', async () => {
    const token = await issue(alice);
    for (const c of [null, { client_id: alice.client_id, client_secret: 'wrong' }]) {
      const res = await revoke({ token }, c);
      assert.equal(res.statusCode, 401, res.body);
      assert.equal(res.json().error, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic/);
    }
    assert.equal(await isActive(token), true);
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const res = await t.publicApp.inject({ method: 'GET', url: '/oauth2/revoke' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'POST');
  });
});
