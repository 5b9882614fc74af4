import { OAuthError, safeEqual } from '@signet/protocol';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchemaValidationError,
} from 'fastify';
import { fastifyOptions } from '../app.js';
import type { AccountsContext } from '../context.js';
import { registerErrorHandling } from '../http/errors.js';
import { registerSecurityHeaders } from '../http/security-headers.js';
import { clientRoutes } from './clients.js';
import { faceRoutes } from './faces.js';
import { keyRoutes } from './keys.js';
import { passkeyRoutes } from './passkeys.js';
import { userRoutes } from './users.js';

/** The admin listener: every route needs `Authorization: Bearer <admin token>`. */
export function buildAdminApp(ctx: AccountsContext, adminToken: string): FastifyInstance {
  const app = Fastify({
    ...fastifyOptions(ctx.config.logLevel),
    bodyLimit: 256 * 1024,
    // Fastify's default silently drops unknown properties; an admin must hear that a field was not applied.
    ajv: { customOptions: { removeAdditional: false } },
    schemaErrorFormatter: schemaError,
    // Errors Fastify raises before routing (a malformed URL) get the OAuth error body too.
    frameworkErrors: malformedRequest,
  });
  registerSecurityHeaders(app);
  registerErrorHandling(app);
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

/** A validation message that names the offending field, so the admin can fix the request. */
function schemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  if (!first) return new Error(`${dataVar} is invalid`);
  const where = `${dataVar}${first.instancePath.replaceAll('/', '.')}`;
  const params = first.params as Record<string, unknown>;
  let detail = first.message ?? 'is invalid';
  if (typeof params.additionalProperty === 'string') detail = `has unknown property "${params.additionalProperty}"`;
  else if (Array.isArray(params.allowedValues)) detail = `must be one of ${params.allowedValues.join(', ')}`;
  return new Error(`${where} ${detail}`);
}

/** Answers an error Fastify raises before routing (such as a malformed URL) as `invalid_request`. */
function malformedRequest(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply
    .code(400)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', error_description: `malformed request: ${error.message}` });
}
