import { type OAuthError, temporarilyUnavailable } from '@signet/protocol';
/**
 * Whether a database error is a unique-constraint violation, on either backend
 * (PostgreSQL SQLSTATE 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Thrown when a concurrent change on another node won a race; the caller may look and retry. */
export class ConcurrentChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

/** PostgreSQL SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), shutting down or starting (57P01–57P03), out of connections (53300). */
const UNAVAILABLE_SQLSTATES = /^(08\d{3}|08P01|57P0[123]|53300)$/;
/** Node socket errors and node-postgres messages of a connection that failed or was lost. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection refused',
];

/**
 * Whether `error` means the database cannot be reached now rather than that the request was
 * wrong: a refused, lost or timed-out connection, a PostgreSQL server shutting down or out of
 * connections, or SQLite still locked after its busy timeout. Services answer these with 503
 * `temporarily_unavailable` and `Retry-After`, not 500; nothing was written (the transaction failed).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_CODES.has(code))) return true;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
    // AggregateError (a connect() that tried IPv4 and IPv6) holds the socket errors.
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    e = cause;
  }
  return false;
}

/** `Retry-After` while the database cannot be reached: the pool's connect timeout is 5 s. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The wire answer to a database that cannot be reached ({@link isDatabaseUnavailable}): 503
 * `temporarily_unavailable` with `Retry-After`; `undefined` for any other error. Both services'
 * error handlers use it, so a client always reads the same thing.
 */
export function databaseUnavailableError(error: unknown): OAuthError | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return temporarilyUnavailable('the service cannot reach its database; retry shortly', DATABASE_RETRY_AFTER_SECONDS);
}
