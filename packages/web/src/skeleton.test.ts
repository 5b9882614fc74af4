import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { invalidRequest, OAuthError, WireError } from '@signet/protocol';
import Fastify from 'fastify';
import { createServiceApp, localeNegotiator, NO_STORE, originOf, queryParams, single } from './index.js';

describe('createServiceApp', () => {
  test('security headers, CSP, forms, the error handler and the one validation wording', async () => {
    const app = createServiceApp({
      logLevel: 'silent',
      contentSecurityPolicy: "default-src 'none'",
      forms: true,
      fastify: { ajv: { customOptions: { removeAdditional: false } } },
    });
    app.post('/form', async (request) => Object.fromEntries(request.body as Map<string, string[]>));
    app.post(
      '/json',
      {
        schema: {
          body: {
            type: 'object',
            required: ['documents'],
            additionalProperties: false,
            properties: {
              kind: { enum: ['a', 'b'] },
              documents: {
                type: 'array',
                items: { type: 'object', required: ['name'], properties: { content: { type: 'string' } } },
              },
            },
          },
          querystring: { type: 'object', properties: { limit: { type: 'integer' } } },
        },
      },
      async () => ({ ok: true }),
    );
    const form = await app.inject({
      method: 'POST',
      url: '/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1&a=2&b=3',
    });
    assert.deepEqual(form.json(), { a: ['1', '2'], b: ['3'] });
    assert.equal(form.headers['content-security-policy'], "default-src 'none'");
    assert.equal(form.headers['x-frame-options'], 'DENY');

    const cases: [payload: object, url: string, field: string, description: string][] = [
      [
        { documents: [{ name: 'x', content: {} }] },
        '/json',
        'documents[0].content',
        'documents[0].content: must be string',
      ],
      [{ documents: [{}] }, '/json', 'documents[0].name', 'documents[0].name: is required'],
      [{}, '/json', 'documents', 'documents: is required'],
      [{ documents: [], nickname: 'x' }, '/json', 'nickname', 'nickname: is not a known property'],
      [{ documents: [], kind: 'c' }, '/json', 'kind', 'kind: must be one of a, b'],
      [{ documents: [] }, '/json?limit=x', 'querystring.limit', 'querystring.limit: must be integer'],
    ];
    for (const [payload, url, field, description] of cases) {
      const res = await app.inject({ method: 'POST', url, payload });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json(), { error: 'invalid_request', error_description: description, field });
      assert.equal(res.headers['cache-control'], 'no-store');
    }
  });

  test('an OAuthError and an envelope-style WireError leave the same way', async () => {
    const app = createServiceApp({ logLevel: 'silent' });
    app.get('/oauth', async () => {
      throw invalidRequest('audience is required');
    });
    app.get('/wire', async () => {
      throw new WireError('nonce_reused', 'issuer.nonce: already used', 409, {
        field: 'issuer.nonce',
        envelopeId: 'e1',
      });
    });
    assert.deepEqual((await app.inject({ url: '/oauth' })).json(), {
      error: 'invalid_request',
      error_description: 'audience is required',
    });
    const wire = await app.inject({ url: '/wire' });
    assert.equal(wire.statusCode, 409);
    assert.deepEqual(wire.json(), {
      error: 'nonce_reused',
      error_description: 'issuer.nonce: already used',
      field: 'issuer.nonce',
      envelopeId: 'e1',
    });
    const error = new OAuthError('invalid_grant', 'expired');
    assert.ok(error instanceof WireError);
    assert.equal(error.error, 'invalid_grant');
    assert.equal(error.error_description, 'expired');
  });
});

describe('request helpers', () => {
  test('pickLocale: ui_locales first, then Accept-Language through negotiator, then the default', () => {
    const pickLocale = localeNegotiator(['en', 'es'] as const);
    assert.equal(pickLocale('fr es-419', 'en'), 'es');
    assert.equal(pickLocale(['fr', 'es-419'], 'en'), 'es');
    assert.equal(pickLocale(undefined, 'fr-CA, es-MX;q=0.8, en;q=0.7'), 'es');
    assert.equal(pickLocale(undefined, 'es;q=0.2, en;q=0.8'), 'en');
    assert.equal(pickLocale(undefined, 'es;q=0, fr'), 'en');
    assert.equal(pickLocale([], 'garbage;;;'), 'en');
  });

  test('originOf: the peer address and a User-Agent cut to 512 characters', async () => {
    const app = Fastify();
    app.get('/', async (request) => originOf(request));
    const long = await app.inject({ url: '/', headers: { 'user-agent': 'x'.repeat(2000) } });
    assert.equal(long.json().userAgent.length, 512);
    assert.equal(long.json().ip, '127.0.0.1');
  });

  test('forms: repeated values kept, refused where single; NO_STORE', () => {
    const params = queryParams('/x?a=1&a=2&b=');
    assert.deepEqual(params.get('a'), ['1', '2']);
    assert.equal(single(params, 'b'), undefined);
    assert.throws(() => single(params, 'a'), /must not be repeated/);
    assert.deepEqual(NO_STORE, { 'cache-control': 'no-store', pragma: 'no-cache' });
  });
});
