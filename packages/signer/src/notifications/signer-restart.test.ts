import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { testLocations } from '@signet/store/testing';
import { testClock } from '@signet/testing/accounts';
import { testSigner } from '@signet/testing/signer';
import { openSignerStore } from '../store/signer-store.js';
import { recordEnvelopeEvent } from './outbox-repository.js';
import { verifyWebhookSignature } from './signature.js';
import { startReceiver, waitFor } from './testing.js';

for (const location of testLocations()) {
  describe(`a restarted Signer on ${location.name}`, { skip: location.skip }, () => {
    it('sends the webhook its previous run could not, the receiver having been down', async (t) => {
      const { options, dispose } = await location.create();
      t.after(() => dispose());
      const clock = testClock();
      // Both runs share the master key, as a restarted node does, so the sealed secret opens.
      const env = { SIGNET_SIGNER_MASTER_KEY: randomBytes(32).toString('base64url') };
      const receiver = await startReceiver({ down: true });
      t.after(() => receiver.stop());

      const firstStore = openSignerStore(options);
      const first = await testSigner({ store: firstStore, clock, env });
      const client = await first.newClient();
      const rotated = await first.app.inject({
        method: 'POST',
        url: '/v1/webhook/secret',
        headers: { authorization: client.authorization },
      });
      assert.equal(rotated.statusCode, 201);
      const { secret } = rotated.json();
      await firstStore.db.transaction().execute((tx) =>
        recordEnvelopeEvent(tx, {
          clientId: client.clientId,
          envelopeId: 'env-restart',
          type: 'envelope.canceled',
          occurredAt: clock.now(),
          callbackUrl: receiver.url,
          data: { status: 'canceled' },
        }),
      );
      const attempts = () => firstStore.db.selectFrom('webhook_attempts').selectAll().execute();
      await waitFor(async () => (await attempts()).length >= 1, 5000, 'the first, failed attempt');
      assert.match(String((await attempts())[0]?.error), /ECONNREFUSED/);
      await first.dispose();
      await firstStore.close();

      // The receiver is back, the retry is due, and a new Signer starts on the same database.
      await receiver.start();
      clock.advance(120);
      const secondStore = openSignerStore(options);
      t.after(() => secondStore.close());
      const second = await testSigner({ store: secondStore, clock, env });
      t.after(() => second.dispose());
      await waitFor(() => receiver.received.length === 1, 5000, 'the delivery after the restart');
      const [hit] = receiver.received;
      assert.ok(hit);
      assert.equal(JSON.parse(hit.body).envelope_id, 'env-restart');
      assert.equal(JSON.parse(hit.body).type, 'envelope.canceled');
      assert.ok(verifyWebhookSignature(String(hit.headers['signet-signature']), hit.body, secret, clock.now()));
      await waitFor(
        async () =>
          (await secondStore.db.selectFrom('webhook_deliveries').select('status').executeTakeFirst())?.status ===
          'delivered',
        2000,
        'the delivery marked delivered',
      );
    });
  });
}
