import type { EnvelopeErrorBody, EnvelopeErrorCode, IdTokenRejection } from '@signet/protocol';

/**
 * An envelope error as it travels on the wire: status, a stable `code` (the wire `error`), a
 * description naming the field, and optional `field`/`reason`/`envelopeId` (see `EnvelopeErrorBody`).
 *
 * @example
 * throw new EnvelopeError('invalid_request', 'signatures[2].person: no person 4', 400, { field: 'signatures[2].person' });
 */
export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly reason: string | undefined;
  readonly envelopeId: string | undefined;

  constructor(
    code: EnvelopeErrorCode,
    description: string,
    status: number,
    extra: { field?: string; reason?: string; envelopeId?: string } = {},
  ) {
    super(description);
    this.name = 'EnvelopeError';
    this.code = code;
    this.status = status;
    this.field = extra.field;
    this.reason = extra.reason;
    this.envelopeId = extra.envelopeId;
  }

  /** The wire body. */
  toJSON(): EnvelopeErrorBody {
    const body: EnvelopeErrorBody = { error: this.code, error_description: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.reason !== undefined) body.reason = this.reason;
    if (this.envelopeId !== undefined) body.envelopeId = this.envelopeId;
    return body;
  }
}

/** 400 `invalid_request` about one field. */
export const invalidField = (field: string, problem: string): EnvelopeError =>
  new EnvelopeError('invalid_request', `${field}: ${problem}`, 400, { field });

/** 422 `invalid_id_token`: the person's id_token cannot identify them. */
export const invalidIdToken = (field: string, reason: IdTokenRejection, problem: string): EnvelopeError =>
  new EnvelopeError('invalid_id_token', `${field}: ${problem}`, 422, { field, reason });

/** 404 `not_found`: the same answer for an unknown envelope and another client's. */
export const envelopeNotFound = (): EnvelopeError => new EnvelopeError('not_found', 'no such envelope', 404);

/** 409 `invalid_state`: the envelope (or person) is past the point where this is possible. */
export const invalidState = (problem: string): EnvelopeError => new EnvelopeError('invalid_state', problem, 409);
