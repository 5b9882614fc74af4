import type { OAuthError } from '@signet/protocol';
import type { Messages } from '../i18n/index.js';

/** What an error page tells the person, in their language: one sentence per reason (`error.reasons`). */
export type ErrorReason = keyof Messages['error']['reasons'];

const REASONS = new WeakMap<OAuthError, ErrorReason>();

/**
 * Marks `error` with what its page should say. The error's own description stays English
 * developer text: it goes to the logs (and to a client's `error_description`), never on the page.
 */
export function withReason<E extends OAuthError>(error: E, reason: ErrorReason): E {
  REASONS.set(error, reason);
  return error;
}

/** The reason marked on `error`, else one by its code, else the generic `bad_request`. */
export function reasonOf(error: OAuthError): ErrorReason {
  const marked = REASONS.get(error);
  if (marked) return marked;
  switch (error.code) {
    case 'unauthorized_client':
      return 'client_not_allowed';
    case 'login_required':
      return 'sign_in_first';
    case 'access_denied':
      return 'not_allowed';
    default:
      return 'bad_request';
  }
}
