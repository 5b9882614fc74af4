import { OAuthError } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import '../auth/caller.js';
import type { SignerDatabase } from '../store/database.js';
import { routeSchemas } from './schemas.js';

const seconds = (ms: number | string | null): number | null => (ms === null ? null : Math.floor(Number(ms) / 1000));

const notFound = () => new OAuthError('not_found', 'envelope not found', 404);

/** Whether the client has any event for the envelope: every envelope has at least `envelope.created`. */
async function ownsEnvelope(db: Kysely<SignerDatabase>, clientId: string, envelopeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('notification_events')
    .select('seq')
    .where('envelope_id', '=', envelopeId)
    .where('client_id', '=', clientId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The webhook deliveries of one envelope's events with every attempt, in the wire shape. */
export async function listDeliveries(db: Kysely<SignerDatabase>, clientId: string, envelopeId: string) {
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
  return deliveries.map((d) => ({
    id: d.id,
    event_id: String(d.event_seq),
    event_type: d.type,
    url: d.url,
    status: d.status,
    attempt_count: d.attempts,
    next_attempt_at: d.status === 'pending' ? seconds(d.next_attempt_at_ms) : null,
    delivered_at: seconds(d.delivered_at_ms),
    attempts: attempts
      .filter((a) => a.delivery_id === d.id)
      .map((a) => ({
        attempted_at: seconds(a.attempted_at_ms),
        url: a.url || null,
        status_code: a.status_code,
        error: a.error,
        duration_ms: a.duration_ms,
        next_attempt_at: seconds(a.next_attempt_at_ms),
      })),
  }));
}

/**
 * `GET /v1/envelopes/{id}/deliveries`: the webhook deliveries of the envelope's events and their
 * attempts (time, status code or error, next retry). `POST …/deliveries/retry` puts the
 * envelope's failed deliveries back in the queue with a fresh set of attempts. Another client's
 * envelope is a 404, as if it did not exist.
 */
export function deliveriesRoutes(app: FastifyInstance, db: Kysely<SignerDatabase>, poke: () => void): void {
  app.get<{ Params: { id: string } }>(
    '/v1/envelopes/:id/deliveries',
    { schema: routeSchemas.listDeliveries },
    async (request, reply) => {
      const { clientId } = request.caller;
      if (!(await ownsEnvelope(db, clientId, request.params.id))) throw notFound();
      const deliveries = await listDeliveries(db, clientId, request.params.id);
      return reply.header('cache-control', 'no-store').send({ deliveries });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/envelopes/:id/deliveries/retry',
    { schema: routeSchemas.retryDeliveries },
    async (request, reply) => {
      const { clientId } = request.caller;
      if (!(await ownsEnvelope(db, clientId, request.params.id))) throw notFound();
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at_ms: 0, locked_until_ms: null, lock_token: null })
        .where('envelope_id', '=', request.params.id)
        .where('client_id', '=', clientId)
        .where('status', '=', 'failed')
        .executeTakeFirst();
      poke();
      return reply
        .code(202)
        .header('cache-control', 'no-store')
        .send({ retried: Number(result.numUpdatedRows) });
    },
  );
}
