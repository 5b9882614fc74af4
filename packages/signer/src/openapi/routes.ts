import type { FastifyInstance } from 'fastify';
import { DOCS_CSP, renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type DocumentInfo, type OpenApiDocument } from './document.js';
import type { OperationRegistry } from './operations.js';

/**
 * `GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (the same, rendered as HTML).
 * Both are built once, on first request, when every route is registered.
 */
export function openApiRoutes(app: FastifyInstance, registry: OperationRegistry, info: DocumentInfo): void {
  let built: { doc: OpenApiDocument; body: string; html: string } | undefined;
  const build = () => {
    if (!built) {
      const doc = buildOpenApiDocument(registry.list(), info);
      built = { doc, body: JSON.stringify(doc), html: renderDocsPage(doc) };
    }
    return built;
  };

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
    async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .header('content-security-policy', DOCS_CSP)
        .type('text/html; charset=utf-8')
        .send(build().html),
  );
}
