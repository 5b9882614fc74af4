import type { Kysely, Transaction } from 'kysely';
import type { SignerDatabase } from '../store/database.js';

type Db = Kysely<SignerDatabase> | Transaction<SignerDatabase>;

/** A delivery claimed by one dispatcher: its lease token proves the claim is still its own. */
export interface DeliveryClaim {
  id: string;
  token: string;
}

/** The outbox tables a dispatcher claims rows of under a lease: webhook deliveries and emails. */
export type LeasedOutbox = 'webhook_deliveries' | 'email_deliveries';

/**
 * Claims up to `limit` pending rows of `outbox` due at `nowMs` whose lease is free, each with a
 * new lease until `nowMs + leaseMs`. Each claim is one conditional update repeating the
 * condition, so of two nodes racing for a row, one changes it.
 */
export async function claimDueRows(
  db: Db,
  outbox: LeasedOutbox,
  nowMs: number,
  leaseMs: number,
  limit: number,
  newToken: () => string,
): Promise<DeliveryClaim[]> {
  const due = await db
    .selectFrom(outbox)
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at_ms', '<=', nowMs)
    .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<', nowMs)]))
    .orderBy('next_attempt_at_ms')
    .limit(limit)
    .execute();
  const claims: DeliveryClaim[] = [];
  for (const { id } of due) {
    const token = newToken();
    const result = await db
      .updateTable(outbox)
      .set({ locked_until_ms: nowMs + leaseMs, lock_token: token })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<', nowMs)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claims.push({ id, token });
  }
  return claims;
}

/** Claims due webhook deliveries ({@link claimDueRows} on `webhook_deliveries`). */
export function claimDueDeliveries(
  db: Db,
  nowMs: number,
  leaseMs: number,
  limit: number,
  newToken: () => string,
): Promise<DeliveryClaim[]> {
  return claimDueRows(db, 'webhook_deliveries', nowMs, leaseMs, limit, newToken);
}

/** A delivery's URL (null: the client's current one) and its event, as stored. */
export async function loadDeliveryEvent(db: Db, deliveryId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('notification_events as e', 'e.seq', 'd.event_seq')
    .select(['d.url', 'e.seq', 'e.client_id', 'e.type', 'e.envelope_id', 'e.occurred_at', 'e.data'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirstOrThrow();
}

/** How many attempts a claimed delivery has had; undefined when the claim is no longer ours. */
export async function claimedAttempts(db: Db, claim: DeliveryClaim): Promise<number | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select('attempts')
    .where('id', '=', claim.id)
    .where('lock_token', '=', claim.token)
    .executeTakeFirst();
  return row?.attempts;
}

/** One attempt at a delivery, and what it leaves the delivery as. */
export interface DeliveryAttempt {
  attempts: number;
  status: 'delivered' | 'failed' | 'pending';
  startedMs: number;
  finishedMs: number;
  url: string;
  statusCode: number | null;
  error: string | null;
  /** When to try again; null when there is no next attempt. */
  nextAttemptAtMs: number | null;
}

/** Records an attempt under a claim and releases the lease (call inside a transaction). */
export async function recordDeliveryAttempt(db: Db, claim: DeliveryClaim, attempt: DeliveryAttempt): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      attempts: attempt.attempts,
      status: attempt.status,
      next_attempt_at_ms: attempt.nextAttemptAtMs ?? attempt.finishedMs,
      delivered_at_ms: attempt.status === 'delivered' ? attempt.finishedMs : null,
      locked_until_ms: null,
      lock_token: null,
    })
    .where('id', '=', claim.id)
    .where('lock_token', '=', claim.token)
    .execute();
  await db
    .insertInto('webhook_attempts')
    .values({
      delivery_id: claim.id,
      attempted_at_ms: attempt.startedMs,
      url: attempt.url,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: Math.max(0, Math.round(attempt.finishedMs - attempt.startedMs)),
      next_attempt_at_ms: attempt.nextAttemptAtMs,
    })
    .execute();
}

/** Whether the client has any event for the envelope: every envelope has at least `envelope.created`. */
export async function hasEnvelopeEvents(db: Db, clientId: string, envelopeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('notification_events')
    .select('seq')
    .where('envelope_id', '=', envelopeId)
    .where('client_id', '=', clientId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The webhook deliveries of one envelope's events, in event order, and all their attempts. */
export async function deliveriesOfEnvelope(db: Db, clientId: string, envelopeId: string) {
  const deliveries = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('notification_events as e', 'e.seq', 'd.event_seq')
    .select([
      'd.id',
      'd.event_seq',
      'e.type',
      'd.url',
      'd.status',
      'd.attempts',
      'd.next_attempt_at_ms',
      'd.delivered_at_ms',
    ])
    .where('d.envelope_id', '=', envelopeId)
    .where('d.client_id', '=', clientId)
    .orderBy('d.event_seq')
    .execute();
  const ids = deliveries.map((d) => d.id);
  const attempts =
    ids.length === 0
      ? []
      : await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('id').execute();
  return { deliveries, attempts };
}

/** Puts an envelope's failed deliveries back in the queue with a fresh set of attempts; returns how many. */
export async function retryFailedDeliveries(db: Db, clientId: string, envelopeId: string): Promise<number> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at_ms: 0, locked_until_ms: null, lock_token: null })
    .where('envelope_id', '=', envelopeId)
    .where('client_id', '=', clientId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The outbox's pending deliveries and the age of the oldest, in ms at `nowMs` (0 when none). */
export async function outboxBacklog(db: Db, nowMs: number): Promise<{ pending: number; oldestAgeMs: number }> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number | string>().as('pending'), eb.fn.min('created_at_ms').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const oldest = row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
  return { pending: Number(row?.pending ?? 0), oldestAgeMs: oldest === undefined ? 0 : Math.max(0, nowMs - oldest) };
}
