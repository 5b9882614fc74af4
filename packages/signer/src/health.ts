import type { FastifyInstance } from 'fastify';
import type { SignerContext } from './context.js';

/** `GET /health`: the process answers (liveness) and its database answers (readiness). 503 when the database does not. */
export function healthEndpoint(app: FastifyInstance, context: Pick<SignerContext, 'store'>): void {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness and database check',
        tags: ['service'],
        response: {
          200: {
            description: 'The service and its database answer.',
            type: 'object',
            properties: { status: { type: 'string', enum: ['ok'] } },
            required: ['status'],
            examples: [{ status: 'ok' }],
          },
          503: {
            description: 'The database is unreachable.',
            type: 'object',
            properties: { status: { type: 'string', enum: ['unavailable'] }, error_description: { type: 'string' } },
            required: ['status'],
            examples: [{ status: 'unavailable', error_description: 'database is unreachable' }],
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await context.store.ping();
        return { status: 'ok' as const };
      } catch (error) {
        request.log.warn({ err: error }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable', error_description: 'database is unreachable' });
      }
    },
  );
}
