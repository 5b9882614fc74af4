import { type ErrorHandlingOptions, registerErrorHandling as registerSharedErrorHandling } from '@signet/web';
import type { FastifyInstance } from 'fastify';

/**
 * The Signer's options of `@signet/web`'s one error handler: an unsupported media type stays a
 * 415, and the 404 for an unknown route is never cached.
 */
export const SIGNER_ERRORS: ErrorHandlingOptions = { noStoreNotFound: true };

/** The shared error handler with {@link SIGNER_ERRORS}, for apps built piecemeal in tests. */
export function registerErrorHandling(app: FastifyInstance): void {
  registerSharedErrorHandling(app, SIGNER_ERRORS);
}
