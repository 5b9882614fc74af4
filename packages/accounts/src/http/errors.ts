import { OAuthError, temporarilyUnavailable } from '@signet/protocol';
import { ConcurrentChangeError, isDatabaseUnavailable } from '@signet/store';
import { registerErrorHandling as registerSharedErrorHandling } from '@signet/web';
import type { FastifyError, FastifyInstance } from 'fastify';
import { FaceBusyError } from '../face/pool.js';

const DESCRIPTION_CHARS = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/**
 * A value the client sent, quoted for an `error_description`. RFC 6749 §5.2 allows only
 * %x20-21 / %x23-5B / %x5D-7E there, so any other character shows as `?`, and long values
 * are cut short.
 *
 * @example
 * throw invalidRequest(`audience ${shown(aud)} is not allowed for this client`);
 */
export function shown(value: string, max = 100): string {
  const safe = value.replace(DESCRIPTION_CHARS, '?');
  return `'${safe.length > max ? `${safe.slice(0, max)}...` : safe}'`;
}

/**
 * Every error leaves as an OAuth error body (see `@signet/web`'s `registerErrorHandling`), with
 * the authorization server's own cases: busy face workers and an unreachable database are a
 * retryable 503, a concurrent change a 409, and an unsupported media type a 400 `invalid_request`
 * (RFC 6749 §5.2).
 */
export function registerErrorHandling(app: FastifyInstance): void {
  registerSharedErrorHandling(app, { translateError, unsupportedMediaTypeStatus: 400 });
}

/** What a client reads while the database cannot be reached; nothing was written. */
export const DATABASE_UNAVAILABLE = 'the service cannot reach its database; retry shortly';
/** `Retry-After` while the database cannot be reached: the pool's connect timeout is 5 s. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

function translateError(error: FastifyError): OAuthError | undefined {
  if (error instanceof FaceBusyError) {
    // Every face worker is busy and the queue is full: retryable (RFC 6749 §4.1.2.1's code).
    return new OAuthError('temporarily_unavailable', 'face checks are busy; try again shortly', 503, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof ConcurrentChangeError) return new OAuthError('invalid_request', error.message, 409);
  if (isDatabaseUnavailable(error)) return temporarilyUnavailable(DATABASE_UNAVAILABLE, DATABASE_RETRY_AFTER_SECONDS);
  return undefined;
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
        .send({ error: 'invalid_request', error_description: `use ${allowed.join(' or ')}` }),
  });
}

// Fastify's `frameworkErrors` and `clientErrorHandler`, under the names this service's app uses.
export { clientErrorHandler as oauthClientErrorHandler, frameworkErrors as oauthFrameworkErrors } from '@signet/web';
