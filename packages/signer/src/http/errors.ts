import { registerErrorHandling as registerSharedErrorHandling } from '@signet/web';
import type { FastifyInstance } from 'fastify';

export { clientErrorHandler, frameworkErrors } from '@signet/web';

/**
 * Every error leaves as `{ "error", "error_description" }` (see `@signet/web`'s
 * `registerErrorHandling`); an unsupported media type stays a 415, and the 404 for an unknown
 * route is never cached.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  registerSharedErrorHandling(app, { noStoreNotFound: true });
}
