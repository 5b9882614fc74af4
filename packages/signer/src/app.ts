import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import { createServiceApp, metricsRoute } from '@signet/web';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { authenticate } from './auth/bearer.js';
import type { Caller } from './auth/caller.js';
import type { SignerContext } from './context.js';
import { healthEndpoints } from './health.js';
import { SIGNER_ERRORS } from './http/errors.js';
import { API_CSP } from './http/security-headers.js';
import { strictBodyValidation } from './http/validation.js';
import { collectOperations, markHidden, markSecured } from './openapi/operations.js';
import { openApiRoutes } from './openapi/routes.js';

/** The version the OpenAPI document states. */
export const SIGNER_API_VERSION = '0.1.0';

/** The parts that plug their routes into the Signer's app. */
export interface SignerRoutes {
  /** Routes anyone may call, documented in the OpenAPI document: the CA certificate and timestamps. */
  public?: FastifyPluginAsync[];
  /** Browser pages anyone may open, left out of the API document: the signing page. */
  pages?: FastifyPluginAsync[];
  /** Routes behind the bearer check (`request.caller` is set): envelopes, notifications. */
  authenticated?: FastifyPluginAsync[];
}

/**
 * The Signer's one listener. Public: `/health`, `/openapi.json`, `/docs` and the `public` parts.
 * Every route of the `authenticated` parts, and `GET /v1/me`, runs behind an `onRequest` hook that
 * verifies the bearer access token and sets `request.caller`; the parts register their routes with
 * full paths (`/v1/envelopes`). `parts` may be a function, called once `context.log` is the app's
 * logger.
 */
export function buildSignerApp(
  context: SignerContext,
  parts: SignerRoutes | (() => SignerRoutes) = {},
): FastifyInstance {
  // `@signet/web`'s service skeleton: Fastify's default 1 MiB body limit (the envelope routes set
  // their own), the API CSP, JSON bodies validated without coercion.
  const app = createServiceApp({
    logLevel: context.config.logLevel,
    accessLog: context.config.accessLog,
    service: 'signer',
    contentSecurityPolicy: API_CSP,
    errors: SIGNER_ERRORS,
    fastify: { schemaController: strictBodyValidation() },
  });
  // The parts log through the context; from here on that is this app's logger. Parts given as a
  // function are built only now, so they receive it.
  context.log = app.log;
  app.decorateRequest('caller', null as unknown as Caller);
  const routes = typeof parts === 'function' ? parts() : parts;
  const registry = collectOperations(app);
  healthEndpoints(app, context);
  openApiRoutes(app, registry, {
    publicUrl: context.config.publicUrl,
    issuer: context.issuer,
    audience: context.config.audience,
    version: SIGNER_API_VERSION,
  });
  for (const part of routes.public ?? []) app.register(part);
  app.register(async (pages) => {
    markHidden(pages, registry);
    for (const part of routes.pages ?? []) await pages.register(part);
  });
  app.register(async (v1) => {
    markSecured(v1, registry);
    v1.addHook(
      'onRequest',
      authenticate({
        issuer: context.issuer,
        audience: context.config.audience,
        issuerKeys: context.issuerKeys,
        now: context.now,
      }),
    );
    meEndpoint(v1);
    for (const part of routes.authenticated ?? []) await v1.register(part);
  });
  return app;
}

/** `GET /v1/me`: who the access token says is calling. Handy to check a token and its scopes. */
function meEndpoint(app: FastifyInstance): void {
  app.get(
    '/v1/me',
    {
      schema: {
        operationId: 'getCaller',
        summary: 'The client the access token was issued to',
        description: 'Checks an access token: answers who is calling and with which scopes, or 401.',
        tags: ['service'],
        response: {
          200: {
            description: 'The calling client.',
            type: 'object',
            properties: {
              client_id: { type: 'string', description: 'The client that owns the envelopes this token can reach.' },
              scope: { type: 'string', description: 'Scopes of the token, space-delimited.' },
            },
            required: ['client_id', 'scope'],
            examples: [{ client_id: 'signet-demo', scope: 'envelopes:read envelopes:write' }],
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { client_id: request.caller.clientId, scope: request.caller.scope.join(' ') };
    },
  );
}

/**
 * The Signer's metrics listener (`SIGNET_SIGNER_METRICS_HOST:PORT`, default 127.0.0.1:4448):
 * `GET /metrics` only, behind `Authorization: Bearer <SIGNET_METRICS_TOKEN>` when that is set.
 */
export function buildSignerMetricsApp(config: SignerContext['config']): FastifyInstance {
  const app = createServiceApp({ logLevel: config.logLevel, accessLog: false, service: 'signer-metrics' });
  const token = config.metricsToken;
  if (token !== undefined) {
    app.addHook('onRequest', async (request) => {
      const presented = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!presented || !safeEqual(presented, token)) {
        throw new OAuthError(
          'invalid_token',
          'a valid metrics token is required: Authorization: Bearer <SIGNET_METRICS_TOKEN>',
          401,
          {
            'www-authenticate': 'Bearer realm="signet-metrics"',
          },
        );
      }
    });
  }
  metricsRoute(app);
  return app;
}
