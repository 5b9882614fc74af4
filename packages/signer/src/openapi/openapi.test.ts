import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import Fastify from 'fastify';
import { DOCS_CSP, escapeHtml, renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, derivedOperationId, type OpenApiDocument, openApiPath } from './document.js';
import { collectOperations, markSecured } from './operations.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

describe('/openapi.json and /docs of the running Signer', () => {
  let t: TestSigner;
  let doc: OpenApiDocument;
  before(async () => {
    t = await testSigner();
    const res = await t.app.inject({ url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.json();
  });
  after(() => t.dispose());

  it('is an OpenAPI 3.1 document in which every operation has an operationId and responses', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(typeof doc.info.title, 'string');
    assert.equal(typeof doc.info.version, 'string');
    assert.equal(doc.servers[0]?.url, t.config.publicUrl);
    assert.deepEqual(doc.components.securitySchemes.bearer, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `An access token from ${t.issuer}/oauth2/token (client_credentials, audience=${t.config.audience}).`,
    });
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      assert.match(path, /^\/[^:]*$/, `${path} uses {param} templates, not :param`);
      for (const [method, op] of Object.entries(item)) {
        assert.ok(METHODS.includes(method), `${path}: ${method}`);
        assert.match(op.operationId, /^[A-Za-z][A-Za-z0-9]*$/, `${method} ${path}`);
        assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is unique`);
        ids.add(op.operationId);
        assert.ok(Object.keys(op.responses).length > 0, `${op.operationId} has responses`);
        for (const [status, response] of Object.entries(op.responses)) {
          assert.match(status, /^([1-5](\d\d|XX)|default)$/, `${op.operationId} ${status}`);
          assert.equal(typeof response.description, 'string');
        }
        for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
          assert.ok(
            op.parameters?.some((p) => p.in === 'path' && p.name === name.slice(1, -1) && p.required),
            `${op.operationId} declares ${name}`,
          );
        }
      }
    }
    for (const id of ['getHealth', 'getOpenApiDocument', 'getApiDocs', 'getCaller']) assert.ok(ids.has(id), id);
  });

  it('marks exactly the bearer-protected operations as secured, with their 401', () => {
    assert.deepEqual(doc.paths['/v1/me']?.get?.security, [{ bearer: [] }]);
    assert.ok(doc.paths['/v1/me']?.get?.responses['401']);
    assert.equal(doc.paths['/health']?.get?.security, undefined);
    assert.deepEqual(doc.paths['/v1/envelopes']?.post?.security, [{ bearer: [] }], 'the envelopes are wired in');
    assert.equal(doc.paths['/v1/ca/root.pem']?.get?.security, undefined, 'the CA certificate is public');
    assert.ok(
      !Object.keys(doc.paths).some((path) => path.startsWith('/sign/')),
      'browser pages are not API operations',
    );
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        if (op.security) assert.ok(path.startsWith('/v1/'), `${path} is secured`);
      }
    }
  });

  it('serves /docs as Swagger UI from this origin, under a CSP with no inline script, eval or CDN', async () => {
    const res = await t.app.inject({ url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['content-security-policy'], DOCS_CSP);
    assert.doesNotMatch(DOCS_CSP, /unsafe-inline|unsafe-eval|https?:/);
    assert.match(DOCS_CSP, /default-src 'none'/);
    assert.match(DOCS_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(res.body, /<script(?![^>]*\ssrc=)/, 'no inline script');
    assert.doesNotMatch(res.body, /<style|style=|src="http|href="http/);
    // Signet's header with its mark, like every other page.
    assert.match(res.body, /class="site-header[^"]*"[\s\S]*class="brand-mark"/);
    assert.match(res.body, /data-spec="\/openapi\.json"/);
    // Every file the page links is served here, Swagger UI's own from swagger-ui-dist.
    const linked = [...res.body.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.equal(linked.length, 5, linked.join(' '));
    for (const url of linked) {
      const asset = await t.app.inject({ url });
      assert.equal(asset.statusCode, 200, url);
      assert.match(String(asset.headers['content-type']), url.includes('.js') ? /javascript/ : /text\/css/, url);
    }
    assert.match((await t.app.inject({ url: '/docs/assets/swagger-ui-bundle.js' })).body, /SwaggerUIBundle/);
    // The assets are not operations of the API.
    assert.equal(
      Object.keys(doc.paths).some((p) => p.startsWith('/docs/assets') || p === '/'),
      false,
    );
  });

  it('serves /docs in the reader’s language: the frame and its switch localized, the reference marked English', async () => {
    const english = await t.app.inject({ url: '/docs' });
    assert.match(english.body, /<html lang="en">/);
    assert.match(english.body, /<span lang="en" aria-current="true">English<\/span>/);
    assert.match(english.body, /href="\/docs\?lang=es"/);
    assert.doesNotMatch(english.body, /class="docs-language"/);
    const spanish = await t.app.inject({ url: '/docs', headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    assert.equal(spanish.headers['content-language'], 'es');
    assert.match(String(spanish.headers.vary), /accept-language/);
    assert.match(spanish.body, /<html lang="es">/);
    assert.match(spanish.body, /<nav aria-label="Idioma">/);
    assert.match(spanish.body, /<span class="brand-service">API del Signer<\/span>/);
    assert.match(spanish.body, /<p class="docs-language">La referencia está en inglés/);
    assert.match(spanish.body, /<div id="api-reference" data-spec="\/openapi\.json" lang="en">/);
    assert.match(spanish.body, /Esta referencia necesita JavaScript/);
    // The switch: ?lang= wins over Accept-Language, is remembered in the cookie, and is not cached as shared.
    const chosen = await t.app.inject({ url: '/docs?lang=es', headers: { 'accept-language': 'en' } });
    assert.equal(chosen.headers['content-language'], 'es');
    assert.match(String(chosen.headers['set-cookie']), /^signet_lang=es; Path=\/;/);
    assert.equal(chosen.headers['cache-control'], 'no-store');
    const kept = await t.app.inject({ url: '/docs', headers: { 'accept-language': 'en', cookie: 'signet_lang=es' } });
    assert.equal(kept.headers['content-language'], 'es');
  });

  it('answers / with a small page saying what this is, linking /docs and /openapi.json (en, es)', async () => {
    const res = await t.app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(res.body, /<h1>Signet Signer<\/h1>/);
    assert.match(res.body, /href="\/docs"/);
    assert.match(res.body, /href="\/openapi\.json"/);
    assert.match(res.body, /class="brand-mark"/);
    const es = await t.app.inject({ url: '/', headers: { 'accept-language': 'es' } });
    assert.equal(es.headers['content-language'], 'es');
    assert.match(es.body, /<h1>Firma de Signet<\/h1>/);
    assert.equal((await t.app.inject({ url: '/?lang=es' })).headers['content-language'], 'es');
  });
});

describe('building the document from route schemas', () => {
  it('turns params, query, body and responses into OpenAPI, and escapes everything in /docs', async () => {
    const app = Fastify();
    const registry = collectOperations(app);
    await app.register(async (scope) => {
      markSecured(scope, registry);
      scope.post(
        '/v1/things/:thingId',
        {
          schema: {
            operationId: 'createThing',
            summary: 'Makes a <b>thing</b>',
            params: { type: 'object', properties: { thingId: { type: 'string', description: 'the id' } } },
            querystring: {
              type: 'object',
              properties: { dryRun: { type: 'boolean' } },
              required: [],
            },
            body: {
              type: 'object',
              properties: { name: { type: 'string' } },
              required: ['name'],
              examples: [{ name: '<script>alert(1)</script>' }],
            },
            response: { 201: { description: 'Made.', type: 'object', properties: { id: { type: 'string' } } } },
          },
        },
        async () => ({ id: '1' }),
      );
      scope.get('/v1/hidden', { schema: { hide: true } }, async () => ({}));
      scope.get('/v1/plain/:a', async () => ({}));
    });
    app.get('/public', async () => ({}));
    await app.ready();
    const doc = buildOpenApiDocument(registry.list(), {
      publicUrl: 'https://signer.example',
      issuer: 'https://accounts.example',
      audience: 'https://signer.example',
      version: '1.2.3',
    });
    const op = doc.paths['/v1/things/{thingId}']?.post;
    assert.ok(op);
    assert.equal(op.operationId, 'createThing');
    assert.deepEqual(op.security, [{ bearer: [] }]);
    assert.deepEqual(op.parameters, [
      { name: 'thingId', in: 'path', required: true, description: 'the id', schema: { type: 'string' } },
      { name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean' } },
    ]);
    assert.equal(op.requestBody?.required, true);
    assert.deepEqual(op.requestBody?.content['application/json']?.schema.required, ['name']);
    assert.deepEqual(Object.keys(op.responses).sort(), ['201', '401']);
    assert.equal(doc.paths['/v1/hidden'], undefined);
    assert.equal(doc.paths['/v1/plain/{a}']?.get?.operationId, 'getV1PlainA');
    assert.deepEqual(doc.paths['/v1/plain/{a}']?.get?.parameters?.[0]?.name, 'a');
    assert.equal(doc.paths['/public']?.get?.security, undefined);
    assert.equal(doc.paths['/public']?.head, undefined, 'the automatic HEAD twin is not listed');

    const html = renderDocsPage({ ...doc, info: { ...doc.info, title: '<script>alert(1)</script>' } });
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal(escapeHtml('"\'<>&'), '&quot;&#39;&lt;&gt;&amp;');
    await app.close();
  });

  it('derives paths and operationIds', () => {
    assert.equal(openApiPath('/v1/envelopes/:id/documents/:documentId'), '/v1/envelopes/{id}/documents/{documentId}');
    assert.equal(derivedOperationId('DELETE', '/v1/envelopes/:id'), 'deleteV1EnvelopesId');
  });
});
