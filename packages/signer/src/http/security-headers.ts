import type { FastifyInstance } from 'fastify';

/**
 * The default Content-Security-Policy: an API answer loads nothing. Pages (the docs, the signing
 * page) replace it with their own policy on their reply.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers every response carries: no sniffing, no framing, no referrer leak, nothing loaded. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // A callback hook at onRequest, not an async onSend: no promise per request on the hot path.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', API_CSP);
    done();
  });
}
