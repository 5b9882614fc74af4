import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Locale, languageChoice, pickLocale } from '../signing-page/locale.js';
import { sendPage } from '../signing-page/render.js';
import { DOCS_CSP, registerDocsAssets, renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type DocumentInfo, type OpenApiDocument } from './document.js';
import type { OperationRegistry } from './operations.js';

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document), `GET /docs` (the same, rendered for people by
 * Swagger UI, with its assets under `/docs/assets/`) and `GET /` (a small page saying what this
 * service is, linking both; en, es).
 * Both are built once, on first request, when every route is registered.
 */
export function openApiRoutes(app: FastifyInstance, registry: OperationRegistry, info: DocumentInfo): void {
  let built: { doc: OpenApiDocument; body: string; html: Record<Locale, string> } | undefined;
  const build = () => {
    if (!built) {
      const doc = buildOpenApiDocument(registry.list(), info);
      built = {
        doc,
        body: JSON.stringify(doc),
        html: { en: renderDocsPage(doc, 'en'), es: renderDocsPage(doc, 'es') },
      };
    }
    return built;
  };
  /** The language of `/` and `/docs`: the one chosen with the switch, else `Accept-Language`. */
  const pageLocale = (request: FastifyRequest): Locale =>
    languageChoice.chosen(request) ?? pickLocale(undefined, request.headers['accept-language']);

  registerDocsAssets(app);

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    return sendPage(reply, pageLocale(request), { view: 'landing', data: { issuer: info.issuer } });
  });

  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This API described in OpenAPI 3.1',
        tags: ['service'],
        response: {
          200: {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/json': { schema: { type: 'object', examples: [{ openapi: '3.1.0' }] } } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').type('application/json; charset=utf-8').send(build().body),
  );

  app.get(
    '/docs',
    {
      schema: {
        operationId: 'getApiDocs',
        summary: 'This API documented as an HTML page',
        tags: ['service'],
        response: {
          200: {
            description: 'The rendered API documentation.',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const locale = pageLocale(request);
      const chosen = languageChoice.cookie(request);
      if (chosen) reply.header('set-cookie', chosen);
      return (
        reply
          // The frame's language follows the request: shared caches keep one copy per language.
          .header('cache-control', chosen ? 'no-store' : 'public, max-age=300')
          .header('vary', 'accept-language, cookie')
          .header('content-language', locale)
          .header('content-security-policy', DOCS_CSP)
          .type('text/html; charset=utf-8')
          .send(build().html[locale])
      );
    },
  );
}
