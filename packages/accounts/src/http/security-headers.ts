export { registerSecurityHeaders } from '@signet/web';

/** Marks a response as carrying credentials: never cached (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
