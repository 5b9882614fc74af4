import { createHash, randomBytes } from 'node:crypto';

/**
 * A new opaque credential (authorization code, refresh token, session id): 256 random bits,
 * base64url. Only its {@link hashOpaqueToken} is stored, so a database leak reveals none.
 */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 of an opaque credential, base64url: the form it is stored and looked up in. */
export const hashOpaqueToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
