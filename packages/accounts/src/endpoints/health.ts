import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';

/** `/health/alive` (the process answers) and `/health/ready` (and its database answers). */
export function healthEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/health/alive', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (request, reply) => {
    try {
      await ctx.store.ping();
      return { status: 'ok' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', error_description: 'database is unreachable' });
    }
  });
}
