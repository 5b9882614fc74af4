import { randomUUID } from 'node:crypto';
import { type EnvelopeEventType, FINAL_EVENT_TYPES } from '@signet/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { SignerDatabase } from '../store/database.js';

/** What happened to an envelope, in the words the API and webhooks use (`ENVELOPE_EVENT_TYPES`). */
export type { EnvelopeEventType };
export { FINAL_EVENT_TYPES };

/** One envelope event, as the envelopes code records it. */
export interface EnvelopeEvent {
  /** The client that owns the envelope; only it sees the event. */
  clientId: string;
  envelopeId: string;
  type: EnvelopeEventType;
  /** When it happened, epoch seconds. */
  occurredAt: number;
  /** The envelope's callbackUrl; null sends the webhook to the client's URL (`PUT /v1/webhook`) at send time. */
  callbackUrl: string | null;
  /** Event details, sent as the webhook's and SSE message's `data` (use wire names: snake_case). */
  data: Record<string, unknown>;
}

/**
 * Appends the event in the caller's transaction, so it exists exactly when the change it
 * describes commits; final-state events also get a webhook delivery queued (the outbox),
 * which the dispatcher of any node sends after the commit. Call `Notifications.poke()` after
 * committing to send it and show it on SSE right away rather than on the next poll.
 *
 * @example
 * await db.transaction().execute(async (tx) => {
 *   await tx.updateTable('envelopes').set({ status: 'completed' }).where('id', '=', id).execute();
 *   await recordEnvelopeEvent(tx, { clientId, envelopeId: id, type: 'envelope.completed', occurredAt: now(),
 *     callbackUrl: envelope.callbackUrl, data: { status: 'completed' } });
 * });
 */
export async function recordEnvelopeEvent(
  db: Kysely<SignerDatabase> | Transaction<SignerDatabase>,
  event: EnvelopeEvent,
): Promise<void> {
  const nowMs = Date.now();
  const { seq } = await db
    .insertInto('notification_events')
    .values({
      client_id: event.clientId,
      envelope_id: event.envelopeId,
      type: event.type,
      occurred_at: event.occurredAt,
      data: JSON.stringify(event.data),
      created_at_ms: nowMs,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  if (!FINAL_EVENT_TYPES.includes(event.type)) return;
  if (event.callbackUrl === null) {
    // Without an envelope URL the client's URL is used; a client with neither gets no webhook
    // (it can follow events on SSE), rather than a delivery that can only fail.
    const settings = await db
      .selectFrom('webhook_settings')
      .select('url')
      .where('client_id', '=', event.clientId)
      .executeTakeFirst();
    if (!settings?.url) return;
  }
  await db
    .insertInto('webhook_deliveries')
    .values({
      id: randomUUID(),
      event_seq: Number(seq),
      client_id: event.clientId,
      envelope_id: event.envelopeId,
      url: event.callbackUrl,
      status: 'pending',
      attempts: 0,
      // Due at once, whatever clock the dispatcher runs on.
      next_attempt_at_ms: 0,
      locked_until_ms: null,
      lock_token: null,
      delivered_at_ms: null,
      created_at_ms: nowMs,
    })
    .execute();
}
