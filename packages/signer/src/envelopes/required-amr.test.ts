import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditTrail, EnvelopeErrorBody } from '@signet/protocol';
import { signerTestBackends } from '../store/testing.js';
import { type EnvelopeHarness, envelopeHarness, pdfBase64 } from './testing.js';

// Issue 10: a Signer may require a possession factor (SIGNET_SIGNER_REQUIRED_AMR=hwk|swk, any
// of). An id_token of a password and a face, even with acr=urn:acr:face (an issuer that allows
// the weaker level, or one that lies about its acr), identifies nobody; the amr that did is
// written into the audit trail.

const ACME = 'acme-client';
const backend = signerTestBackends()[0];

describe('SIGNET_SIGNER_REQUIRED_AMR (issue 10)', { skip: backend?.skip }, () => {
  let h: EnvelopeHarness;
  let dispose: () => Promise<void>;
  let pdf: string;
  let nonce = 0;

  before(async () => {
    const opened = await (backend as NonNullable<typeof backend>).open();
    h = await envelopeHarness(opened.store, { SIGNET_SIGNER_REQUIRED_AMR: 'hwk|swk' });
    dispose = async () => {
      await h.dispose();
      await opened.dispose();
    };
    pdf = await pdfBase64(1);
  });
  after(() => dispose?.());

  const post = async (amr: unknown) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: h.as(ACME),
      payload: {
        issuer: { initiative: ACME, nonce: `n-${++nonce}` },
        documents: [{ name: 'contract.pdf', content: pdf }],
        persons: [{ id_token: await h.idToken(ACME, amr === undefined ? {} : { amr }) }],
        signatures: [{ document: 0, person: 0 }],
      },
    });

  test('refuses password + face, a missing amr and a key without a factor listed, as 422 invalid_id_token reason amr', async () => {
    for (const amr of [['pwd', 'face'], undefined, ['user', 'face'], 'hwk']) {
      const res = await post(amr);
      const answer = res.json() as EnvelopeErrorBody;
      assert.equal(res.statusCode, 422, `${JSON.stringify(amr)}: ${res.body}`);
      assert.equal(answer.error, 'invalid_id_token');
      assert.equal(answer.reason, 'amr');
      assert.equal(answer.field, 'persons[0].id_token');
    }
  });

  test('accepts a passkey (hwk or swk) and the face; the audit trail records acr and amr', async () => {
    for (const amr of [
      ['hwk', 'user', 'face'],
      ['swk', 'user', 'face'],
    ]) {
      const res = await post(amr);
      assert.equal(res.statusCode, 201, res.body);
      const id = (res.json() as { id: string }).id;
      const trail = await h.app.inject({ url: `/v1/envelopes/${id}/audit-trail`, headers: h.as(ACME) });
      const identified = (trail.json() as AuditTrail).events.find((e) => e.type === 'person.identified');
      assert.deepEqual(identified?.data, {
        method: 'id_token',
        acr: 'urn:acr:face',
        amr,
        authTime: h.clock.now - 60,
      });
    }
  });
});
