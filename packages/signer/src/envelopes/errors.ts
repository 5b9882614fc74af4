import {
  describeField,
  type EnvelopeErrorBody,
  type EnvelopeErrorCode,
  type IdTokenRejection,
  WireError,
} from '@signet/protocol';

/**
 * An envelope error as it travels on the wire: a {@link WireError} with the Signer API's codes,
 * a description naming the field, and optional `field`/`reason`/`envelopeId` (see `EnvelopeErrorBody`).
 *
 * @example
 * throw new EnvelopeError('invalid_request', 'signatures[2].person: no person 4', 400, { field: 'signatures[2].person' });
 */
export class EnvelopeError extends WireError<EnvelopeErrorCode> {
  constructor(
    code: EnvelopeErrorCode,
    description: string,
    status: number,
    extra: { field?: string; reason?: string; envelopeId?: string } = {},
  ) {
    super(code, description, status, extra);
    this.name = 'EnvelopeError';
  }

  override toJSON(): EnvelopeErrorBody {
    return super.toJSON();
  }
}

/** 400 `invalid_request` about one field, worded as every field problem is (`describeField`). */
export const invalidField = (field: string, problem: string): EnvelopeError =>
  new EnvelopeError('invalid_request', describeField(field, problem), 400, { field });

/** 422 `invalid_id_token`: the person's id_token cannot identify them. */
export const invalidIdToken = (field: string, reason: IdTokenRejection, problem: string): EnvelopeError =>
  new EnvelopeError('invalid_id_token', describeField(field, problem), 422, { field, reason });

/** 404 `not_found`: the same answer for an unknown envelope and another client's. */
export const envelopeNotFound = (): EnvelopeError => new EnvelopeError('not_found', 'no such envelope', 404);

/** 409 `invalid_state`: the envelope (or person) is past the point where this is possible. */
export const invalidState = (problem: string): EnvelopeError => new EnvelopeError('invalid_state', problem, 409);
