import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import { createServiceApp } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import { accountsAppOptions } from '../app.js';
import type { AccountsContext } from '../context.js';
import { clientRoutes } from './clients.js';
import { faceRoutes } from './faces.js';
import { keyRoutes } from './keys.js';
import { passkeyRoutes } from './passkeys.js';
import { userRoutes } from './users.js';

/** The admin listener: every route needs `Authorization: Bearer <admin token>`. */
export function buildAdminApp(ctx: AccountsContext, adminToken: string): FastifyInstance {
  const app = createServiceApp({
    ...accountsAppOptions(ctx.config.logLevel),
    bodyLimit: 256 * 1024,
    // Fastify's default silently drops unknown properties; an admin must hear that a field was not applied.
    fastify: { ajv: { customOptions: { removeAdditional: false } } },
  });
  app.addHook('onRequest', async (request) => {
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const presented = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!presented || !safeEqual(presented, adminToken)) {
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
  return app;
}
