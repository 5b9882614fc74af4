import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
  type Configuration,
  clientCredentialsGrant,
  discovery,
  ResponseBodyError,
  tokenIntrospection,
  tokenRevocation,
  WWWAuthenticateChallengeError,
} from 'openid-client';
import { type RunningSignet, startSignet } from './signet.js';

// openid-client v6, unmodified, is the client: it knows nothing about Signet beyond discovery.
describe('openid-client against Signet over real HTTP', () => {
  let signet: RunningSignet;
  let client: { client_id: string; client_secret: string };
  let config: Configuration;
  const signerAudience = 'https://signer.example.test';

  before(async () => {
    signet = await startSignet({ SIGNET_SIGNER_AUDIENCE: signerAudience });
    // `.` and `~` exercise the RFC 6749 §2.3.1 form-urlencoding openid-client applies inside Basic.
    client = await signet.createClient({ client_id: 'e2e.integrator~1', client_name: 'E2E integrator' });
    config = await discovery(
      new URL(signet.issuer),
      client.client_id,
      client.client_secret,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
  });
  after(async () => signet?.close());

  async function verify(accessToken: string, audience = signerAudience) {
    const metadata = config.serverMetadata();
    assert.ok(metadata.jwks_uri);
    return jwtVerify(accessToken, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
      issuer: signet.issuer,
      audience,
      typ: 'at+jwt',
    });
  }

  it('discovers the issuer and its endpoints', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, signet.issuer);
    assert.equal(metadata.token_endpoint, `${signet.issuer}/oauth2/token`);
    assert.equal(metadata.jwks_uri, `${signet.issuer}/.well-known/jwks.json`);
    assert.ok(metadata.grant_types_supported?.includes('client_credentials'));
  });

  it('gets a 60-minute token for the audience that verifies against the remote JWKS', async () => {
    const tokens = await clientCredentialsGrant(config, { audience: signerAudience });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.equal(tokens.scope, 'envelopes:read envelopes:write');
    const { payload, protectedHeader } = await verify(tokens.access_token);
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(protectedHeader.alg, 'ES256');
    assert.ok(protectedHeader.kid);
    assert.equal(payload.iss, signet.issuer);
    assert.equal(payload.aud, signerAudience);
    assert.equal(payload.sub, client.client_id);
    assert.equal(payload.client_id, client.client_id);
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
  });

  it('gets the same token with RFC 8707 resource and a narrower scope', async () => {
    const tokens = await clientCredentialsGrant(config, { resource: signerAudience, scope: 'envelopes:read' });
    assert.equal(tokens.scope, 'envelopes:read');
    const { payload } = await verify(tokens.access_token);
    assert.equal(payload.scope, 'envelopes:read');
    assert.equal((payload.exp as number) - (payload.iat as number), 3600);
  });

  it('surfaces Signet errors as OAuth errors the client understands', async () => {
    await assert.rejects(clientCredentialsGrant(config, { audience: 'https://not-allowed.example' }), (error) => {
      assert.ok(error instanceof ResponseBodyError);
      assert.equal(error.error, 'invalid_request');
      assert.equal(error.status, 400);
      assert.match(error.error_description ?? '', /not-allowed\.example/);
      return true;
    });
    await assert.rejects(clientCredentialsGrant(config, {}), (error) => {
      assert.ok(error instanceof ResponseBodyError);
      assert.equal(error.error, 'invalid_request');
      assert.match(error.error_description ?? '', /audience is required/);
      return true;
    });
    await assert.rejects(clientCredentialsGrant(config, { audience: signerAudience, scope: 'openid' }), (error) => {
      assert.ok(error instanceof ResponseBodyError);
      assert.equal(error.error, 'invalid_scope');
      return true;
    });
  });

  // RFC 6749 §5.2 requires WWW-Authenticate on a 401 after Basic; openid-client then reports the
  // challenge and leaves the body unread, so the body is read here.
  it('refuses a wrong secret with a Basic challenge and invalid_client', async () => {
    const wrong = await discovery(new URL(signet.issuer), client.client_id, 'wrong', ClientSecretBasic('wrong'), {
      execute: [allowInsecureRequests],
    });
    const error = await clientCredentialsGrant(wrong, { audience: signerAudience }).then(
      () => assert.fail('a wrong secret must not get a token'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WWWAuthenticateChallengeError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.cause[0]?.scheme, 'basic');
    assert.equal(((await error.response.json()) as { error: string }).error, 'invalid_client');
  });

  it('works with client_secret_post for a client registered for it', async () => {
    const post = await signet.createClient({ token_endpoint_auth_method: 'client_secret_post' });
    const postConfig = await discovery(
      new URL(signet.issuer),
      post.client_id,
      post.client_secret,
      ClientSecretPost(post.client_secret),
      { execute: [allowInsecureRequests] },
    );
    const tokens = await clientCredentialsGrant(postConfig, { audience: signerAudience });
    const { payload } = await verify(tokens.access_token);
    assert.equal(payload.client_id, post.client_id);
  });

  it('introspects and revokes through openid-client', async () => {
    const tokens = await clientCredentialsGrant(config, { audience: signerAudience });
    const active = await tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, client.client_id);
    assert.equal(active.aud, signerAudience);
    await tokenRevocation(config, tokens.access_token);
    const revoked = await tokenIntrospection(config, tokens.access_token);
    assert.deepEqual({ ...revoked }, { active: false });
  });

  it('keeps verifying tokens signed before a key rotation', async () => {
    const before = await clientCredentialsGrant(config, { audience: signerAudience });
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    await signet.accounts.ctx.keyring.rotate();
    const afterRotation = await clientCredentialsGrant(config, { audience: signerAudience });
    assert.notEqual(decodeProtectedHeader(afterRotation.access_token).kid, oldKid);
    await verify(before.access_token);
    await verify(afterRotation.access_token);
  });
});
