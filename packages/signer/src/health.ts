import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignerContext } from './context.js';

const ok = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
  examples: [{ status: 'ok' }],
} as const;

const unavailable = {
  description: "The database is unreachable, or the issuer's keys were never fetched.",
  type: 'object',
  properties: { status: { type: 'string', enum: ['unavailable'] }, error_description: { type: 'string' } },
  required: ['status'],
  examples: [{ status: 'unavailable', error_description: 'database is unreachable' }],
} as const;

/** A key source that can say whether it holds the issuer's keys (the SDK's `RemoteJwks`). */
interface LoadableKeys {
  loaded(): Promise<void>;
}

/**
 * The load balancer's checks. `GET /health/alive` (liveness): the process answers, nothing else
 * is asked, so a database outage never gets a node restarted. `GET /health/ready` (readiness):
 * its database answers and it holds the issuer's keys (fetched now if never fetched; keys fetched
 * before keep serving while the issuer is down), else 503. `GET /health` is kept as an alias of
 * readiness, which it always was.
 */
export function healthEndpoints(app: FastifyInstance, context: Pick<SignerContext, 'store' | 'issuerKeys'>): void {
  app.get(
    '/health/alive',
    {
      schema: {
        operationId: 'getLiveness',
        summary: 'Liveness: the process answers',
        tags: ['service'],
        response: { 200: { description: 'The process answers.', ...ok } },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );
  const readiness = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    try {
      await context.store.ping();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', error_description: 'database is unreachable' });
    }
    const keys = context.issuerKeys as Partial<LoadableKeys>;
    if (typeof keys.loaded === 'function') {
      try {
        await keys.loaded();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check: no issuer keys');
        return reply.code(503).send({ status: 'unavailable', error_description: "the issuer's keys are unavailable" });
      }
    }
    return { status: 'ok' as const };
  };
  for (const [url, operationId, summary] of [
    ['/health/ready', 'getReadiness', 'Readiness: the database answers and the issuer keys are held'],
    ['/health', 'getHealth', 'Readiness (alias of /health/ready)'],
  ] as const) {
    app.get(
      url,
      {
        schema: {
          operationId,
          summary,
          tags: ['service'],
          response: { 200: { description: 'Ready to serve.', ...ok }, 503: unavailable },
        },
      },
      readiness,
    );
  }
}
