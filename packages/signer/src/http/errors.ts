import { temporarilyUnavailable } from '@signet/protocol';
import { isDatabaseUnavailable } from '@signet/store';
import { registerErrorHandling as registerSharedErrorHandling } from '@signet/web';
import type { FastifyInstance } from 'fastify';

/** `Retry-After` while the database cannot be reached: the pool's connect timeout is 5 s. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export { clientErrorHandler, frameworkErrors } from '@signet/web';

/**
 * Every error leaves as `{ "error", "error_description" }` (see `@signet/web`'s
 * `registerErrorHandling`); an unsupported media type stays a 415, the 404 for an unknown
 * route is never cached, and an unreachable database is a retryable 503 (nothing was written).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  registerSharedErrorHandling(app, {
    noStoreNotFound: true,
    translateError: (error) =>
      isDatabaseUnavailable(error)
        ? temporarilyUnavailable('the Signer cannot reach its database; retry shortly', DATABASE_RETRY_AFTER_SECONDS)
        : undefined,
  });
}
