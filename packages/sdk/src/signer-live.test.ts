import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestUser } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { REDIRECT_URI, walk } from '@signet/testing/people';
import { pdfBase64, type TestSigner, testSigner } from '@signet/testing/signer';
import { authorizationUrl, DOCUMENTED_SCOPE, exchangeCode } from './authorization.js';
import { SdkError } from './errors.js';
import { createPkce, randomNonce, randomState } from './pkce.js';
import { SignerApiError, SignerClient } from './signer-client.js';
import { createTokenProvider } from './token-provider.js';

// The whole documented flow with nothing but the SDK and global fetch over real HTTP: a real
// issuer (accounts on a loopback port), a person signing in, and the real Signer listening on a
// loopback port, with the password acr the test person can reach.
let t: TestSigner;
let baseUrl: string;

before(async () => {
  t = await testSigner({ env: { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password' } });
  baseUrl = await t.signer.listen();
});
after(() => t?.dispose());

test('identify a signer, get a cached token, create an envelope, download, audit and verify it', async () => {
  const client = await t.createClient({
    client_name: 'SDK live test',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    redirect_uris: [REDIRECT_URI],
  });
  const person = await createTestUser(t.accounts);

  // 1. The signer signs in; the app gets a verified id_token.
  const pkce = await createPkce();
  const state = randomState();
  const nonce = randomNonce();
  const url = await authorizationUrl({
    issuer: t.issuer,
    clientId: client.client_id,
    redirectUri: REDIRECT_URI,
    scope: DOCUMENTED_SCOPE,
    state,
    nonce,
    codeChallenge: pkce.codeChallenge,
  });
  const { callback } = await walk(new TestBrowser(t.issuer), `${url.pathname}${url.search}`, person);
  const identified = await exchangeCode({
    issuer: t.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri: REDIRECT_URI,
    callbackUrl: callback,
    expectedState: state,
    nonce,
    codeVerifier: pkce.codeVerifier,
    now: t.clock.now,
  });
  assert.equal(identified.claims.sub, person.id);

  // 2. One cached access token for every call to the Signer API.
  let tokenRequests = 0;
  const tokens = createTokenProvider({
    issuer: t.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    audience: t.config.audience,
    now: t.clock.now,
    fetch: (input, init) => {
      if (String(input).endsWith('/oauth2/token')) tokenRequests++;
      return fetch(input, init);
    },
  });
  const signer = new SignerClient({ baseUrl, tokens });

  // 3. The envelope: the identified person signs at once.
  const request = {
    issuer: { initiative: client.client_id, nonce: 'sdk-live-1' },
    documents: [{ name: 'contract.pdf', content: await pdfBase64(1) }],
    persons: [{ id_token: identified.idToken }],
    signatures: [{ document: 0, person: 0 }],
  };
  const envelope = await signer.createEnvelope(request);
  assert.equal(envelope.status, 'completed');
  assert.equal((await signer.getEnvelope(envelope.id)).id, envelope.id);
  const listed: string[] = [];
  for await (const e of signer.listEnvelopes({ status: 'completed', limit: 1 })) listed.push(e.id);
  assert.deepEqual(listed, [envelope.id]);

  const signed = await signer.downloadDocument(envelope.id, 0);
  assert.equal(new TextDecoder().decode(signed.subarray(0, 5)), '%PDF-');
  const report = await signer.verify(signed);
  assert.equal(report.valid, true);
  assert.equal(report.signatures[0]?.integrity, 'valid');
  const trail = await signer.auditTrail(envelope.id);
  assert.ok(trail.events.some((e) => e.type === 'envelope.created'));
  assert.ok(trail.events.some((e) => e.type === 'envelope.completed'));

  // The API's errors arrive typed.
  const reused = await signer.createEnvelope(request).then(
    () => assert.fail('a nonce is used once'),
    (e: unknown) => e,
  );
  assert.ok(reused instanceof SignerApiError);
  assert.equal(reused.error, 'nonce_reused');
  assert.equal(reused.status, 409);
  assert.equal(reused.envelopeId, envelope.id);
  await assert.rejects(signer.cancelEnvelope(envelope.id, 'too late'), { error: 'invalid_state', status: 409 });
  await assert.rejects(signer.getEnvelope('env_does_not_exist'), (e: unknown) => {
    assert.ok(e instanceof SdkError);
    assert.equal(e.error, 'not_found');
    return true;
  });

  assert.equal(tokenRequests, 1, 'every call above used the one cached token');
});
