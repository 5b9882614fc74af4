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

/**
 * Thrown when a new client's id is a person's id, or a new person's id a client's. Both become
 * a token's `sub` (a person's in their tokens, a client's in its client_credentials tokens), so
 * one shared value would let a client's tokens pass for a person's (RFC 9700 §4.15).
 */
export class SubjectClashError extends Error {
  constructor(
    /** The id asked for. */
    readonly id: string,
    /** Who already has it as their `sub`. */
    readonly takenBy: 'person' | 'client',
  ) {
    super(`"${id}" is already the sub of a ${takenBy}`);
    this.name = 'SubjectClashError';
  }
}
