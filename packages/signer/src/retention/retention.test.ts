import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { AuditTrail, Envelope } from '@signet/protocol';
import { type EnvelopeHarness, envelopeHarness, pdfBase64 } from '../envelopes/testing.js';
import { signerTestBackends } from '../store/testing.js';
import { runScheduledRetention } from './retention.js';

const ACME = 'acme-client';
const DAY = 86_400;

for (const backend of signerTestBackends()) {
  describe(`retention (${backend.name})`, { skip: backend.skip }, () => {
    let h: EnvelopeHarness;
    let dispose: () => Promise<void>;
    before(async () => {
      const opened = await backend.open();
      h = await envelopeHarness(opened.store, { SIGNET_SIGNER_RETENTION_DAYS: '30' });
      dispose = async () => {
        await h.dispose();
        await opened.dispose();
      };
    });
    after(() => dispose());

    test('an ended envelope keeps its documents for the retention period, then only their hashes', async () => {
      const db = h.context.store.db;
      const policy = h.context.config;
      const now = () => h.clock.now;
      assert.equal(policy.retentionDays, 30);
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: h.as(ACME),
        payload: {
          issuer: { initiative: ACME, nonce: 'retention-1' },
          documents: [{ name: 'contract.pdf', content: await pdfBase64(1) }],
          persons: [{ id_token: await h.idToken(ACME) }],
          signatures: [{ document: 0, person: 0 }],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json() as Envelope;
      assert.equal(envelope.status, 'completed');
      const document = `/v1/envelopes/${envelope.id}/documents/0`;
      const signed = (await h.app.inject({ url: document, headers: h.as(ACME) })).rawPayload;
      const signedSha256 = createHash('sha256').update(signed).digest('hex');
      const usedSignIns = async () => (await db.selectFrom('used_id_tokens').selectAll().execute()).length;
      assert.equal(await usedSignIns(), 1);

      // Within the period: nothing goes; the job then is not due again for an hour, on any node.
      assert.deepEqual(await runScheduledRetention(db, policy, now), { purgedEnvelopes: 0, purgedSignIns: 0 });
      assert.equal(await runScheduledRetention(db, policy, now), undefined);
      assert.equal((await h.app.inject({ url: document, headers: h.as(ACME) })).statusCode, 200);

      h.clock.advance(30 * DAY + 3_600);
      assert.deepEqual(await runScheduledRetention(db, policy, now), { purgedEnvelopes: 1, purgedSignIns: 1 });
      assert.equal(await usedSignIns(), 0, 'the sign-in can no longer be used: its record goes');

      const gone = await h.app.inject({ url: document, headers: h.as(ACME) });
      assert.equal(gone.statusCode, 410);
      assert.equal(gone.json().error, 'document_purged');
      const row = await db.selectFrom('envelopes').selectAll().where('id', '=', envelope.id).executeTakeFirstOrThrow();
      assert.equal(Number(row.purged_at), h.clock.now);
      const stored = await db
        .selectFrom('envelope_documents')
        .selectAll()
        .where('envelope_id', '=', envelope.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.original.length + stored.current.length, 0);
      assert.equal(stored.current_sha256, signedSha256);
      assert.equal(stored.original_sha256, envelope.documents[0]?.originalSha256);

      // The envelope stays; its trail is one event recording what was deleted.
      assert.equal((await h.app.inject({ url: `/v1/envelopes/${envelope.id}`, headers: h.as(ACME) })).statusCode, 200);
      const trail = (
        await h.app.inject({ url: `/v1/envelopes/${envelope.id}/audit-trail`, headers: h.as(ACME) })
      ).json() as AuditTrail;
      assert.deepEqual(
        trail.events.map((event) => event.type),
        ['envelope.purged'],
      );
      const data = trail.events[0]?.data as { retentionDays: number; documents: Record<string, unknown>[] };
      assert.equal(data.retentionDays, 30);
      assert.equal(data.documents[0]?.currentSha256, signedSha256);
      assert.equal(data.documents[0]?.originalSha256, envelope.documents[0]?.originalSha256);

      // Purged once: a later run finds nothing more.
      h.clock.advance(2 * 3_600);
      assert.deepEqual(await runScheduledRetention(db, policy, now), { purgedEnvelopes: 0, purgedSignIns: 0 });
    });
  });
}
