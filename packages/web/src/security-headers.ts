import type { FastifyInstance } from 'fastify';

/** Options of {@link registerSecurityHeaders}. */
export interface SecurityHeadersOptions {
  /**
   * A `Content-Security-Policy` every response carries unless its route sets its own (pages do).
   * Default: none.
   */
  contentSecurityPolicy?: string;
}

/** Headers every response carries: no sniffing, no framing, no referrer leak. */
export function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeadersOptions = {}): void {
  const csp = options.contentSecurityPolicy;
  // A callback hook at onRequest, not an async onSend: no promise per request on the hot path.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (csp !== undefined) reply.header('content-security-policy', csp);
    done();
  });
}
