import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (compares fixed-size HMACs, so lengths leak nothing). */
export function safeEqual(a: string, b: string): boolean {
  const key = randomBytes(16);
  return timingSafeEqual(createHmac('sha256', key).update(a).digest(), createHmac('sha256', key).update(b).digest());
}
