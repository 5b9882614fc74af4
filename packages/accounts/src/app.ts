import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { AccountsContext } from './context.js';
import { accountPasskeyEndpoints } from './endpoints/account-passkeys.js';
import { authorizationEndpoint } from './endpoints/authorize.js';
import { discoveryEndpoints } from './endpoints/discovery.js';
import { faceEnrolmentEndpoints } from './endpoints/face-enrolment.js';
import { healthEndpoints } from './endpoints/health.js';
import { interactionEndpoints } from './endpoints/interaction.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { logoutEndpoints } from './endpoints/logout.js';
import { passkeyEnrolmentEndpoints } from './endpoints/passkey-enrolment.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { oauthClientErrorHandler, oauthFrameworkErrors, registerErrorHandling } from './http/errors.js';
import { registerFormParser } from './http/form.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerAssets } from './pages/render.js';

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

/**
 * The public listener: discovery, JWKS, authorization, token, userinfo, introspection, revocation,
 * logout, pages (sign-in, consent, face step, face enrolment links), health.
 */
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
  userinfoEndpoint(app, ctx);
  registerAssets(app);
  // Only the browser-facing routes parse cookies; the token endpoint's hot path does not.
  app.register(async (browser) => {
    await browser.register(fastifyCookie);
    authorizationEndpoint(browser, ctx);
    interactionEndpoints(browser, ctx);
    logoutEndpoints(browser, ctx);
    faceEnrolmentEndpoints(browser, ctx);
    passkeyEnrolmentEndpoints(browser, ctx);
    accountPasskeyEndpoints(browser, ctx);
  });
  return app;
}
