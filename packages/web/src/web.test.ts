import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OAuthError } from '@signet/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  fillMessage,
  pageContentSecurityPolicy,
  readAsset,
  registerErrorHandling,
  registerSecurityHeaders,
  STYLESHEET_FILE,
  serveAsset,
} from './index.js';

class BusyError extends Error {}

function app(configure: (app: FastifyInstance) => void): FastifyInstance {
  const instance = Fastify();
  configure(instance);
  instance.post('/json', { schema: { body: { type: 'object', required: ['name'] } } }, async () => ({ ok: true }));
  instance.get('/busy', async () => {
    throw new BusyError('busy');
  });
  instance.get('/oauth', async () => {
    throw new OAuthError('invalid_token', 'expired', 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
  });
  instance.get('/boom', async () => {
    throw new Error('secret detail');
  });
  return instance;
}

describe('registerErrorHandling', () => {
  test('defaults: 415 stays 415, the 404 may be cached, unknown errors are a bare server_error', async () => {
    const server = app((a) => registerErrorHandling(a));
    const media = await server.inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/xml' },
      body: '<x/>',
    });
    assert.equal(media.statusCode, 415);
    assert.deepEqual(media.json(), {
      error: 'invalid_request',
      error_description: 'unsupported content type for this endpoint',
    });
    assert.equal(media.headers['cache-control'], 'no-store');
    const missing = await server.inject({ method: 'GET', url: '/nowhere?q=1' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: 'not_found', error_description: 'no route for GET /nowhere' });
    assert.equal(missing.headers['cache-control'], undefined);
    const boom = await server.inject({ method: 'GET', url: '/busy' });
    assert.equal(boom.statusCode, 500);
    assert.equal(boom.json().error, 'server_error');
    assert.doesNotMatch(boom.body, /busy|secret/);
    const oauth = await server.inject({ method: 'GET', url: '/oauth' });
    assert.equal(oauth.statusCode, 401);
    assert.equal(oauth.headers['www-authenticate'], 'Bearer error="invalid_token"');
    const invalid = await server.inject({ method: 'POST', url: '/json', payload: {} });
    assert.equal(invalid.statusCode, 400);
    assert.deepEqual(invalid.json(), {
      error: 'invalid_request',
      error_description: 'name: is required',
      field: 'name',
    });
  });

  test('options: translated errors, 415 as 400, a no-store 404', async () => {
    const server = app((a) =>
      registerErrorHandling(a, {
        translateError: (e) =>
          e instanceof BusyError ? new OAuthError('temporarily_unavailable', 'later', 503) : undefined,
        unsupportedMediaTypeStatus: 400,
        noStoreNotFound: true,
      }),
    );
    const busy = await server.inject({ method: 'GET', url: '/busy' });
    assert.equal(busy.statusCode, 503);
    assert.deepEqual(busy.json(), { error: 'temporarily_unavailable', error_description: 'later' });
    const boom = await server.inject({ method: 'GET', url: '/boom' });
    assert.equal(boom.statusCode, 500);
    const media = await server.inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/xml' },
      body: '<x/>',
    });
    assert.equal(media.statusCode, 400);
    assert.equal(media.json().error_description, 'unsupported content type for this endpoint');
    const missing = await server.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(missing.headers['cache-control'], 'no-store');
  });
});

describe('registerSecurityHeaders', () => {
  test('every response, with a default CSP only when asked', async () => {
    for (const contentSecurityPolicy of [undefined, "default-src 'none'"]) {
      const server = Fastify();
      registerSecurityHeaders(server, contentSecurityPolicy === undefined ? {} : { contentSecurityPolicy });
      server.get('/', async () => 'ok');
      const response = await server.inject({ method: 'GET', url: '/' });
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.equal(response.headers['content-security-policy'], contentSecurityPolicy);
    }
  });
});

describe('pages', () => {
  test('pageContentSecurityPolicy: extra directives after default-src, form-action sources after self', () => {
    assert.equal(
      pageContentSecurityPolicy({ directives: ["script-src 'self'"], formAction: ['https://rp.example'] }),
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "form-action 'self' https://rp.example; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  test('fillMessage: values emphasised, unknown placeholders left as they are', () => {
    assert.deepEqual(fillMessage('Hi {name}, {x}!', { name: '<b>' }), [
      { text: 'Hi ', emphasis: false },
      { text: '<b>', emphasis: true },
      { text: ', {x}!', emphasis: false },
    ]);
  });

  test('the stylesheet is served at the path given, linked with its content hash', async () => {
    const stylesheet = readAsset('/x/signet.css', STYLESHEET_FILE, 'text/css; charset=utf-8');
    const body = readFileSync(STYLESHEET_FILE);
    assert.equal(
      stylesheet.href,
      `/x/signet.css?v=${createHash('sha256').update(body).digest('base64url').slice(0, 12)}`,
    );
    const server = Fastify();
    serveAsset(server, stylesheet, { 'cross-origin-resource-policy': 'same-origin' });
    const response = await server.inject({ method: 'GET', url: stylesheet.href });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, body.toString('utf8'));
    assert.equal(response.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'public, max-age=3600');
    assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin');
  });
});
