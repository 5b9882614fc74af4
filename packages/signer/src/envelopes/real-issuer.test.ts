import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope, EnvelopeErrorBody } from '@signet/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { authenticate } from '../auth/bearer.js';
import type { Caller } from '../auth/caller.js';
import { registerErrorHandling } from '../http/errors.js';
import { verifyPdf } from '../pdf/verify.js';
import { CertificateAuthority } from '../pki/authority.js';
import { type TestSigner, testSigner } from '../testing.js';
import { envelopeRoutes } from './routes.js';
import { pdfBase64 } from './testing.js';

// A real issuer (accounts on a loopback port), a real sign-in for the id_token, a real
// client_credentials access token checked by the Signer's bearer hook, and the envelope routes.
let t: TestSigner;
let app: FastifyInstance;
let ca: CertificateAuthority;
let passwordAcr: string;

/** The envelope routes behind the real bearer check, with `requiredAcr` as given. */
async function envelopeApp(requiredAcr: string): Promise<FastifyInstance> {
  const context = t.signer.context;
  const built = Fastify();
  registerErrorHandling(built);
  built.decorateRequest('caller', null as unknown as Caller);
  await built.register(async (v1) => {
    v1.addHook(
      'onRequest',
      authenticate({
        issuer: context.issuer,
        audience: context.config.audience,
        issuerKeys: context.issuerKeys,
        now: context.now,
      }),
    );
    await v1.register(envelopeRoutes({ ...context, config: { ...context.config, requiredAcr }, ca }));
  });
  await built.ready();
  return built;
}

before(async () => {
  t = await testSigner();
  const context = t.signer.context;
  ca = await CertificateAuthority.open({ db: context.store.db, masterKey: context.masterKey, now: context.now });
  const { tokens } = await t.signIn();
  passwordAcr = String(decodeJwt(tokens.id_token ?? '').acr);
  app = await envelopeApp(passwordAcr);
});
after(async () => {
  await app?.close();
  await t?.dispose();
});

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
  const [report] = await verifyPdf(download.rawPayload, [ca.rootCertificatePem]);
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
  assert.notEqual(passwordAcr, 'urn:acr:face');
  const strict = await envelopeApp('urn:acr:face');
  try {
    const { tokens, client } = await t.signIn();
    const res = await strict.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: `Bearer ${await t.accessToken(client)}` },
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
    await strict.close();
  }
});
