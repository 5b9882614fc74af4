import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { AccountsContext } from './context.js';
import { discoveryEndpoints } from './endpoints/discovery.js';
import { healthEndpoints } from './endpoints/health.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { oauthClientErrorHandler, oauthFrameworkErrors, registerErrorHandling } from './http/errors.js';
import { registerFormParser } from './http/form.js';
import { registerSecurityHeaders } from './http/security-headers.js';

/** Fastify options shared by both listeners. */
export function fastifyOptions(logLevel: string): FastifyServerOptions {
  return {
    logger: logLevel === 'silent' ? false : { level: logLevel, redact: ['req.headers.authorization'] },
    // Requests are not logged one by one: that would halve throughput and risk leaking credentials.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // Keep-alive connections left by a load balancer must not hold shutdown forever.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    clientErrorHandler: oauthClientErrorHandler,
    frameworkErrors: oauthFrameworkErrors,
  };
}

/** The public listener: discovery, JWKS, token, introspection, revocation, health. */
export function buildPublicApp(ctx: AccountsContext): FastifyInstance {
  const app = Fastify(fastifyOptions(ctx.config.logLevel));
  registerSecurityHeaders(app);
  registerErrorHandling(app);
  registerFormParser(app);
  discoveryEndpoints(app, ctx);
  jwksEndpoint(app, ctx);
  tokenEndpoint(app, ctx);
  introspectionEndpoint(app, ctx);
  revocationEndpoint(app, ctx);
  healthEndpoints(app, ctx);
  return app;
}
