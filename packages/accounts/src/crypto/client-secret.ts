import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hs256$';

/** A new client secret: 256 random bits, base64url (43 characters). */
export const generateClientSecret = (): string => randomBytes(32).toString('base64url');

/**
 * The stored form of a client secret: HMAC-SHA256 under a server-held key. A slow password
 * hash adds nothing against 256-bit random secrets and would cap token throughput.
 */
export function hashClientSecret(key: Buffer, secret: string): string {
  return PREFIX + createHmac('sha256', key).update(secret).digest('base64url');
}

// Compared against when the client is unknown, so both paths cost the same.
const DUMMY = `${PREFIX}${Buffer.alloc(32).toString('base64url')}`;

/** Checks a presented secret against a stored hash in constant time. A null hash never matches. */
export function verifyClientSecret(key: Buffer, secret: string, storedHash: string | null): boolean {
  const expected = Buffer.from(storedHash ?? DUMMY);
  const actual = Buffer.from(hashClientSecret(key, secret));
  return expected.length === actual.length && timingSafeEqual(expected, actual) && storedHash !== null;
}
