import type { FastifyInstance } from 'fastify';

/** Headers every response carries: no sniffing, no framing, no referrer leak. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // A callback hook at onRequest, not an async onSend: no promise per request on the token path.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    done();
  });
}

/** Marks a response as carrying credentials: never cached (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
