/**
 * Scopes that describe an end user (OpenID Connect Core §5.4, offline access, and the
 * documented `birthdate` and `credential`). They make no sense without a user, so the
 * client_credentials grant never grants them.
 */
export const USER_SCOPES: ReadonlySet<string> = new Set([
  'openid',
  'profile',
  'email',
  'phone',
  'address',
  'birthdate',
  'credential',
  'offline',
  'offline_access',
]);

/** Scopes of the Signer API that a client may receive through client_credentials. */
export const SIGNER_SCOPES = ['envelopes:read', 'envelopes:write'] as const;

/** Splits a space-delimited scope string into its distinct values (RFC 6749 §3.3). */
export const splitScope = (scope: string | undefined): string[] => [
  ...new Set((scope ?? '').split(' ').filter(Boolean)),
];

/** Every scope Signet knows; anything else is `invalid_scope`. */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set([...USER_SCOPES, ...SIGNER_SCOPES]);
