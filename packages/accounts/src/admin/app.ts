import { OAuthError } from '@signet/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyOptions } from '../app.js';
import type { AccountsContext } from '../context.js';
import { safeEqual } from '../crypto/safe-equal.js';
import { registerErrorHandling } from '../http/errors.js';
import { registerSecurityHeaders } from '../http/security-headers.js';
import { clientRoutes } from './clients.js';
import { keyRoutes } from './keys.js';

/** The admin listener: every route needs `Authorization: Bearer <admin token>`. */
export function buildAdminApp(ctx: AccountsContext, adminToken: string): FastifyInstance {
  const app = Fastify({ ...fastifyOptions(ctx.config.logLevel), bodyLimit: 256 * 1024 });
  registerSecurityHeaders(app);
  registerErrorHandling(app);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
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
  return app;
}
