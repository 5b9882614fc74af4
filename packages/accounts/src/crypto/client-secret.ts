import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { setBounded } from '@signet/store';

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

/**
 * Client secrets verified by this process, remembered so that a client presenting the same
 * secret again — an integrator fetching its access token, as it does every hour per instance — is
 * recognised with one SHA-256 instead of an HMAC, two buffers and a comparison (decision 0041).
 *
 * What is remembered is SHA-256(stored hash ‖ secret), never the secret: a rotated secret has a
 * new stored hash, so the old one no longer matches; a deleted client is not found before this
 * runs. Unknown clients and wrong secrets take the full {@link verifyClientSecret}, after the same
 * SHA-256, so the three cases cost what they cost before relative to each other.
 */
export class ClientSecretVerifier {
  private readonly verified = new Map<string, true>();

  constructor(
    private readonly key: Buffer,
    /** Most secrets remembered; the oldest is forgotten first. */
    private readonly maxEntries = 10_000,
  ) {}

  /** {@link verifyClientSecret}, answered from memory for a secret this process verified before. */
  verify(secret: string, storedHash: string | null): boolean {
    const memo = hash('sha256', `${storedHash ?? DUMMY}\n${secret}`, 'base64url');
    // Looked up for unknown clients too, so that they cost what a wrong secret costs.
    const known = this.verified.has(memo);
    if (known && storedHash !== null) return true;
    const ok = verifyClientSecret(this.key, secret, storedHash);
    if (ok) setBounded(this.verified, memo, true, this.maxEntries);
    return ok;
  }
}
