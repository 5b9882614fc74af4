import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '@signet/store';

/** The header that carries a webhook's signature (see docs/webhooks.md). */
export const SIGNATURE_HEADER = 'signet-signature';

/** How far a signature's timestamp may be from the receiver's clock by default: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new webhook signing secret: `whsec_` and 32 random bytes, base64url. */
export const generateWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

const hmac = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * The `Signet-Signature` value for `body` sent at `timestamp` (epoch seconds): `t=<timestamp>,v1=<hex>`,
 * where the hex is HMAC-SHA256 keyed with the secret's UTF-8 bytes over `"<timestamp>.<body>"`.
 * The timestamp is signed too, so a captured request cannot be replayed later.
 *
 * @example
 * signWebhook('whsec_…', 1767225600, '{"id":"42"}') // 't=1767225600,v1=5f0c…'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * Whether `header` is a valid signature of the raw `body` under `secret`, made within
 * `toleranceSeconds` of `now` (epoch seconds). Any `v1` entry may match (room for signing
 * with two secrets during a rotation); comparisons are constant-time.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  body: string,
  secret: string,
  now: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value) signatures.push(value);
  }
  if (timestamp === undefined || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = hmac(secret, timestamp, body);
  // Compare every entry, so the time taken does not depend on which one matched.
  return signatures.map((s) => safeEqual(s, expected)).includes(true);
}
