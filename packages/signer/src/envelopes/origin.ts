import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/record.js';

/** Where a request came from, for the audit trail (`request.ip` honours the app's `trustProxy`). */
export function originOf(request: FastifyRequest): RequestOrigin {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null };
}
