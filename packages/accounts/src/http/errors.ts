import { OAuthError, type WireError } from '@signet/protocol';
import { ConcurrentChangeError, databaseUnavailableError } from '@signet/store';
import type { ErrorHandlingOptions } from '@signet/web';
import type { FastifyError, FastifyInstance } from 'fastify';
import { FaceBusyError } from '../face/pool.js';

export { shown } from '@signet/web';

/**
 * The authorization server's own cases of `@signet/web`'s error handler: busy face workers and
 * an unreachable database are a retryable 503, a concurrent change a 409, and an unsupported
 * media type a 400 `invalid_request` (RFC 6749 §5.2).
 */
export const ACCOUNTS_ERRORS: ErrorHandlingOptions = { translateError, unsupportedMediaTypeStatus: 400 };

function translateError(error: FastifyError): WireError | undefined {
  if (error instanceof FaceBusyError) {
    // Every face worker is busy and the queue is full: retryable (RFC 6749 §4.1.2.1's code).
    return new OAuthError('temporarily_unavailable', 'face checks are busy; try again shortly', 503, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof ConcurrentChangeError) return new OAuthError('invalid_request', error.message, 409);
  return databaseUnavailableError(error);
}

/**
 * Answers every other method Fastify knows (TRACE included) with 405 and an `Allow` header,
 * instead of a 404.
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const others = app.supportedMethods.filter((m) => !allowed.includes(m));
  app.route({
    method: others,
    url,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(new OAuthError('invalid_request', `use ${allowed.join(' or ')}`, 405).toJSON()),
  });
}
