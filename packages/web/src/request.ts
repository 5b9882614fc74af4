import type { FastifyRequest } from 'fastify';

/**
 * Headers of an answer that carries credentials or personal data: never stored by a cache
 * (RFC 6749 §5.1; `Pragma` for HTTP/1.0 caches). `Referrer-Policy: no-referrer` is on every
 * response already (`registerSecurityHeaders`).
 */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** Where a request came from, as the audit trail records it. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** The longest `User-Agent` kept; a header is up to 16 KiB and every audit record would carry it. */
export const MAX_USER_AGENT_LENGTH = 512;

/**
 * Where a request came from: `request.ip` (the socket's peer; a proxy's `X-Forwarded-For` only
 * if the app is built with `trustProxy`, which neither service sets) and the `User-Agent`,
 * cut to {@link MAX_USER_AGENT_LENGTH} characters, or null when absent.
 */
export function originOf(request: FastifyRequest): RequestOrigin {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}
