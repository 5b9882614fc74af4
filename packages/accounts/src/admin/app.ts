import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import { createServiceApp, metricsRoute } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import { accountsAppOptions } from '../app.js';
import type { AccountsContext } from '../context.js';
import { clientRoutes } from './clients.js';
import { faceRoutes } from './faces.js';
import { keyRoutes } from './keys.js';
import { passkeyRoutes } from './passkeys.js';
import { userRoutes } from './users.js';

/**
 * The admin listener: every route needs `Authorization: Bearer <admin token>`; `GET /metrics`
 * (Prometheus text format) also takes `SIGNET_METRICS_TOKEN`, so the scraper need not hold the
 * admin token.
 */
export function buildAdminApp(ctx: AccountsContext, adminToken: string): FastifyInstance {
  const app = createServiceApp({
    ...accountsAppOptions(ctx.config),
    bodyLimit: 256 * 1024,
    // Fastify's default silently drops unknown properties; an admin must hear that a field was not applied.
    fastify: { ajv: { customOptions: { removeAdditional: false } } },
  });
  app.addHook('onRequest', async (request) => {
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const presented = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const metricsToken = request.routeOptions.url === '/metrics' ? ctx.config.metricsToken : undefined;
    const accepted =
      presented !== '' &&
      (safeEqual(presented, adminToken) || (metricsToken !== undefined && safeEqual(presented, metricsToken)));
    if (!accepted) {
      throw new OAuthError(
        'invalid_token',
        'a valid admin token is required: Authorization: Bearer <admin token>',
        401,
        {
          'www-authenticate': presented
            ? 'Bearer realm="signet-admin", error="invalid_token"'
            : 'Bearer realm="signet-admin"',
        },
      );
    }
  });
  clientRoutes(app, ctx);
  keyRoutes(app, ctx);
  userRoutes(app, ctx);
  faceRoutes(app, ctx);
  passkeyRoutes(app, ctx);
  metricsRoute(app);
  return app;
}
