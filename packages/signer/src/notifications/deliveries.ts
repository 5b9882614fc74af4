import { OAuthError } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import '../auth/caller.js';
import type { SignerDatabase } from '../store/database.js';
import { deliveriesOfEnvelope, hasEnvelopeEvents, retryFailedDeliveries } from './repository.js';
import { routeSchemas } from './schemas.js';

const seconds = (ms: number | string | null): number | null => (ms === null ? null : Math.floor(Number(ms) / 1000));

const notFound = () => new OAuthError('not_found', 'envelope not found', 404);

/** The webhook deliveries of one envelope's events with every attempt, in the wire shape. */
export async function listDeliveries(db: Kysely<SignerDatabase>, clientId: string, envelopeId: string) {
  const { deliveries, attempts } = await deliveriesOfEnvelope(db, clientId, envelopeId);
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
      if (!(await hasEnvelopeEvents(db, clientId, request.params.id))) throw notFound();
      const deliveries = await listDeliveries(db, clientId, request.params.id);
      return reply.header('cache-control', 'no-store').send({ deliveries });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/envelopes/:id/deliveries/retry',
    { schema: routeSchemas.retryDeliveries },
    async (request, reply) => {
      const { clientId } = request.caller;
      if (!(await hasEnvelopeEvents(db, clientId, request.params.id))) throw notFound();
      const retried = await retryFailedDeliveries(db, clientId, request.params.id);
      poke();
      return reply.code(202).header('cache-control', 'no-store').send({ retried });
    },
  );
}
