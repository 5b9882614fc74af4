import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope, EnvelopeErrorBody } from '@signet/protocol';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { decodeJwt } from 'jose';
import { verifyPdf } from '../pdf/verify.js';
import { pdfBase64 } from './testing.js';

// A real issuer (accounts on a loopback port), a real sign-in for the id_token, a real
// client_credentials access token checked by the real Signer app's bearer hook. The Signer requires
// the password acr here, so the test person can be identified without a camera.
let t: TestSigner;
let app: TestSigner['app'];
let passwordAcr: string;

before(async () => {
  t = await testSigner({ env: { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password' } });
  app = t.app;
  const { tokens } = await t.signIn();
  passwordAcr = String(decodeJwt(tokens.id_token ?? '').acr);
});
after(() => t?.dispose());

test("the issuer's id_token identifies the signer of an envelope created with the same client's access token", async () => {
  const { tokens, client } = await t.signIn();
  const accessToken = await t.accessToken(client);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/envelopes',
    headers: { authorization: `Bearer ${accessToken}` },
    payload: {
      issuer: { initiative: client.client_id, nonce: 'real-1' },
      documents: [{ name: 'contract.pdf', content: await pdfBase64(1) }],
      persons: [{ id_token: tokens.id_token }],
      signatures: [{ document: 0, person: 0 }],
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const envelope = res.json() as Envelope;
  assert.equal(envelope.status, 'completed');
  const claims = decodeJwt(tokens.id_token ?? '');
  const download = await app.inject({
    url: `/v1/envelopes/${envelope.id}/documents/0`,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const [report] = (await verifyPdf(download.rawPayload, [t.signer.ca.rootCertificatePem])).signatures;
  assert.equal(report?.integrity, 'valid');
  assert.equal(report?.chain, 'trusted');
  assert.equal(report?.signer.name, envelope.persons[0]?.name);
  assert.ok(claims.sub);

  // Another client's access token with this id_token: not issued to it.
  const other = await t.newClient();
  const foreign = await app.inject({
    method: 'POST',
    url: '/v1/envelopes',
    headers: { authorization: other.authorization },
    payload: {
      issuer: { initiative: other.clientId, nonce: 'real-2' },
      documents: [{ content: await pdfBase64(1) }],
      persons: [{ id_token: (await t.signIn()).tokens.id_token }],
      signatures: [{ document: 0, person: 0 }],
    },
  });
  assert.equal(foreign.statusCode, 422);
  assert.equal((foreign.json() as EnvelopeErrorBody).reason, 'audience');
  // The other client cannot see the first client's envelope.
  const hidden = await app.inject({
    url: `/v1/envelopes/${envelope.id}`,
    headers: { authorization: other.authorization },
  });
  assert.equal(hidden.statusCode, 404);
});

test('with the default required acr (urn:acr:face) a password-only id_token is refused', async () => {
  assert.equal(passwordAcr, t.config.requiredAcr);
  assert.notEqual(passwordAcr, 'urn:acr:face');
  const strict = await testSigner();
  try {
    assert.equal(strict.config.requiredAcr, 'urn:acr:face');
    const { tokens, client } = await strict.signIn();
    const res = await strict.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: `Bearer ${await strict.accessToken(client)}` },
      payload: {
        issuer: { initiative: client.client_id, nonce: 'real-3' },
        documents: [{ content: await pdfBase64(1) }],
        persons: [{ id_token: tokens.id_token }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
    assert.equal(res.statusCode, 422, res.body);
    const body = res.json() as EnvelopeErrorBody;
    assert.equal(body.error, 'invalid_id_token');
    assert.equal(body.field, 'persons[0].id_token');
    assert.equal(body.reason, 'acr');
  } finally {
    await strict.dispose();
  }
});
