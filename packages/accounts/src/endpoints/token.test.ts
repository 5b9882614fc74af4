import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { basicAuth, type TestAccounts, testAccounts } from '../testing.js';

describe('POST /oauth2/token with client_credentials', () => {
  let t: TestAccounts;
  let client: { client_id: string; client_secret: string };
  before(async () => {
    t = await testAccounts();
    client = await t.createClient({ client_name: 'Acme' });
  });
  after(async () => t.dispose());

  it('issues the documented 60-minute RFC 9068 token for the Signer audience', async () => {
    const res = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        authorization: basicAuth(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `grant_type=client_credentials&audience=${encodeURIComponent(t.config.signerAudience)}`,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'envelopes:read envelopes:write');
    const { payload, protectedHeader } = await jwtVerify(
      body.access_token,
      createLocalJWKSet(t.ctx.keyring.publicJwks()),
      {
        issuer: t.config.issuer,
        audience: t.config.signerAudience,
        typ: 'at+jwt',
        currentDate: new Date(t.clock.now() * 1000),
      },
    );
    assert.equal(protectedHeader.alg, 'ES256');
    assert.ok(protectedHeader.kid);
    assert.equal(payload.sub, client.client_id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
    assert.ok(payload.jti);
  });
});
