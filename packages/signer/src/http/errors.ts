import { databaseUnavailableError } from '@signet/store';
import { type ErrorHandlingOptions, registerErrorHandling as registerSharedErrorHandling } from '@signet/web';
import type { FastifyInstance } from 'fastify';

/**
 * The Signer's options of `@signet/web`'s one error handler: an unsupported media type stays a
 * 415, the 404 for an unknown route is never cached, and an unreachable database is a retryable
 * 503 (nothing was written).
 */
export const SIGNER_ERRORS: ErrorHandlingOptions = { noStoreNotFound: true, translateError: databaseUnavailableError };

/** The shared error handler with {@link SIGNER_ERRORS}, for apps built piecemeal in tests. */
export function registerErrorHandling(app: FastifyInstance): void {
  registerSharedErrorHandling(app, SIGNER_ERRORS);
}
