import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestUser } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { authorizationRequest, codeFrom, REDIRECT_URI, tokenRequest, walk } from '@signet/testing/people';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { SdkError } from './errors.js';
import { refreshTokens } from './refresh.js';

// Against the real issuer (accounts on a loopback port) over HTTP: a person signs in with offline_access, then the client
// refreshes with the SDK.
describe('refreshTokens', () => {
  let t: TestSigner;
  before(async () => {
    t = await testSigner();
  });
  after(() => t?.dispose());

  async function signIn() {
    const client = await t.createClient({
      client_name: 'SDK refresh test',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT_URI],
    });
    const person = await createTestUser(t.accounts);
    const request = authorizationRequest(client.client_id);
    const { callback } = await walk(new TestBrowser(t.issuer), request.path, person);
    const code = codeFrom(callback, request.state, t.issuer);
    const answer = await tokenRequest(t.issuer, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: request.verifier,
    });
    assert.equal(answer.status, 200);
    assert.ok(answer.body.refresh_token);
    return { client, person, refreshToken: answer.body.refresh_token, accessToken: answer.body.access_token };
  }

  it('gets a new access token, a rotated refresh token and a verified id_token for the same person', async () => {
    const { client, person, refreshToken, accessToken } = await signIn();
    const fresh = await refreshTokens({
      issuer: t.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      refreshToken,
      subject: person.id,
    });
    assert.notEqual(fresh.accessToken, accessToken);
    assert.ok(fresh.refreshToken && fresh.refreshToken !== refreshToken, 'the refresh token rotated');
    assert.equal(fresh.claims?.sub, person.id);
    assert.ok((fresh.expiresIn ?? 0) > 0);

    // The rotated-out token is spent: the server answers invalid_grant, as the SDK reports it.
    await assert.rejects(
      refreshTokens({
        issuer: t.issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        refreshToken,
      }),
      (error: unknown) => error instanceof SdkError && error.error === 'invalid_grant' && error.status === 400,
    );
  });

  it('refuses a refreshed id_token that names another person than expected', async () => {
    const { client, refreshToken } = await signIn();
    await assert.rejects(
      refreshTokens({
        issuer: t.issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        refreshToken,
        subject: 'someone-else',
      }),
      (error: unknown) => error instanceof SdkError && error.code === 'jwt_claim_invalid' && error.claim === 'sub',
    );
  });
});
