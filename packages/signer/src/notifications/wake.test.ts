import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '@signet/testing/pdf';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { startReceiver, type TestReceiver, waitFor } from './testing.js';

// An envelope change made through the API wakes the dispatcher at once: with polling set to an
// hour, the webhook can only arrive because the request that committed the event poked it.
describe('an envelope change wakes the webhook dispatcher', () => {
  let t: TestSigner;
  let receiver: TestReceiver;
  before(async () => {
    t = await testSigner({ pollIntervalMs: 3_600_000 });
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.stop();
    await t?.dispose();
  });

  it('delivers envelope.canceled without waiting for the next poll', async () => {
    const client = await t.newClient();
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: client.authorization },
      payload: {
        issuer: { initiative: client.clientId, nonce: 'wake-0001' },
        documents: [{ name: 'contract.pdf', content: Buffer.from(await makePdf(1)).toString('base64') }],
        persons: [{ name: 'Ada Lovelace', email: 'ada@example.com' }],
        signatures: [{ person: 0, document: 0 }],
        callbackUrl: receiver.url,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const canceled = await t.app.inject({
      method: 'POST',
      url: `/v1/envelopes/${created.json().id}/cancel`,
      headers: { authorization: client.authorization },
    });
    assert.equal(canceled.statusCode, 200, canceled.body);
    await waitFor(() => receiver.received.length === 1, 5000, 'the envelope.canceled webhook');
    assert.equal(JSON.parse(receiver.received[0]?.body ?? '{}').type, 'envelope.canceled');
  });
});
