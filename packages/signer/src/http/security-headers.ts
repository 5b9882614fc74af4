import { registerSecurityHeaders as registerSharedSecurityHeaders } from '@signet/web';
import type { FastifyInstance } from 'fastify';

/**
 * The default Content-Security-Policy: an API answer loads nothing. Pages (the docs, the signing
 * page) replace it with their own policy on their reply.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers every response carries: no sniffing, no framing, no referrer leak, nothing loaded ({@link API_CSP}). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  registerSharedSecurityHeaders(app, { contentSecurityPolicy: API_CSP });
}
