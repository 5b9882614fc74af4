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
