import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Envelope, EnvelopeList } from '@signet/protocol';
import { type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { encodeBase64, SignerApiError, SignerClient } from './signer-client.js';
import { appFetch } from './testing.js';
import { createTokenProvider } from './token-provider.js';

const AUDIENCE = 'http://localhost:4446';

/** A request as the stand-in Signer API received it. */
interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The `client_id` of the verified bearer token. */
  clientId: string;
  token: string;
}

type Answer = { status?: number; headers?: Record<string, string>; json?: unknown; bytes?: Uint8Array };

const envelope = (id: string, status: Envelope['status'] = 'in_progress'): Envelope => ({
  id,
  status,
  issuer: { initiative: 'acme', personIndex: null, nonce: `n-${id}` },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  finishedAt: null,
  callbackUrl: null,
  statusReason: null,
  documents: [],
  persons: [],
  signatures: [],
});

// The Signer API's envelope routes are still being built in parallel, so this stand-in speaks
// their wire format over real HTTP (node:http) and checks what the client sends: paths, queries,
// bodies, and a bearer token it verifies against the real issuer's keys.
describe('SignerClient against a stand-in Signer API over HTTP, with tokens from the real issuer', () => {
  let t: TestAccounts;
  let server: Server;
  let baseUrl: string;
  let received: Received[];
  let route: (r: Received) => Answer;
  let tokenFetches: () => number;
  let signer: SignerClient;

  before(async () => {
    t = await testAccounts();
    const client = await t.createClient({ client_id: 'acme' });
    const jwks = createLocalJWKSet(t.ctx.keyring.publicJwks());
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      let clientId: string;
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer: t.config.issuer,
          audience: AUDIENCE,
          typ: 'at+jwt',
        });
        clientId = String(payload.client_id);
      } catch {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="signet", error="invalid_token"' });
        res.end(JSON.stringify({ error: 'invalid_token', error_description: 'the access token is invalid' }));
        return;
      }
      const r: Received = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://signer.test'),
        headers: req.headers,
        body: Buffer.concat(chunks),
        clientId,
        token,
      };
      received.push(r);
      const answer = route(r);
      const headers = { ...answer.headers };
      if (answer.json !== undefined) headers['content-type'] = 'application/json';
      res.writeHead(answer.status ?? 200, headers);
      res.end(answer.json !== undefined ? JSON.stringify(answer.json) : answer.bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const issuer = appFetch(t.publicApp);
    tokenFetches = () => issuer.count('/oauth2/token');
    const tokens = createTokenProvider({
      issuer: t.config.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      audience: AUDIENCE,
      fetch: issuer.fetch,
      now: t.clock.now,
    });
    signer = new SignerClient({ baseUrl, tokens });
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await t?.dispose();
  });
  beforeEach(() => {
    received = [];
    route = () => ({ status: 500, json: { error: 'server_error', error_description: 'no route in this test' } });
  });

  it('creates an envelope: POST /v1/envelopes with the JSON body and the cached bearer token', async () => {
    route = (r) =>
      r.method === 'POST' && r.url.pathname === '/v1/envelopes'
        ? { status: 201, json: envelope('env_1') }
        : { status: 404, json: { error: 'not_found', error_description: 'no' } };
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0xff, 0x00]);
    const request = {
      issuer: { initiative: 'acme', nonce: 'order-1' },
      documents: [{ name: 'contract.pdf', content: encodeBase64(pdf) }],
      persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
      signatures: [{ document: 0, person: 0 }],
    };
    const before = tokenFetches();
    const created = await signer.createEnvelope(request);
    await signer.createEnvelope(request);
    assert.equal(created.id, 'env_1');
    assert.equal(received.length, 2);
    const [first, second] = received as [Received, Received];
    assert.equal(first.clientId, 'acme');
    assert.equal(first.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(first.body.toString()), request);
    assert.deepEqual(Buffer.from(request.documents[0]?.content ?? '', 'base64'), Buffer.from(pdf));
    assert.equal(second.token, first.token, 'the token is reused');
    assert.ok(tokenFetches() - before <= 1, 'at most one token request for both calls');
  });

  it('gets, cancels, downloads, reads the audit trail and verifies on the documented routes', async () => {
    const pdfBytes = new Uint8Array([1, 2, 3, 250]);
    route = (r) => {
      const key = `${r.method} ${r.url.pathname}${r.url.search}`;
      switch (key) {
        case 'GET /v1/envelopes/env%2F2':
          return { json: envelope('env/2') };
        case 'POST /v1/envelopes/env_2/cancel':
          return { json: { ...envelope('env_2', 'canceled'), statusReason: JSON.parse(r.body.toString()).reason } };
        case 'GET /v1/envelopes/env_2/documents/1':
        case 'GET /v1/envelopes/env_2/documents/1?version=original':
          return { headers: { 'content-type': 'application/pdf' }, bytes: pdfBytes };
        case 'GET /v1/envelopes/env_2/audit-trail':
          return r.headers.accept === 'application/pdf'
            ? { headers: { 'content-type': 'application/pdf' }, bytes: pdfBytes }
            : { json: { envelopeId: 'env_2', status: 'canceled', events: [] } };
        case 'POST /v1/verify':
          return { json: { valid: r.body.equals(Buffer.from(pdfBytes)), signatures: [] } };
        default:
          return { status: 404, json: { error: 'not_found', error_description: key } };
      }
    };
    assert.equal((await signer.getEnvelope('env/2')).id, 'env/2', 'the id is one path segment');
    const canceled = await signer.cancelEnvelope('env_2', 'order withdrawn');
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.statusReason, 'order withdrawn');
    assert.deepEqual(await signer.downloadDocument('env_2', 1), pdfBytes);
    assert.deepEqual(await signer.downloadDocument('env_2', 1, { version: 'original' }), pdfBytes);
    assert.equal((await signer.auditTrail('env_2')).envelopeId, 'env_2');
    assert.deepEqual(await signer.certificateOfCompletion('env_2'), pdfBytes);
    assert.equal((await signer.verify(pdfBytes)).valid, true);
    const verify = received.at(-1);
    assert.equal(verify?.headers['content-type'], 'application/pdf');
    assert.equal(received.find((r) => r.url.pathname.endsWith('/documents/1'))?.headers.accept, 'application/pdf');
    await assert.rejects(signer.downloadDocument('env_2', -1), { code: 'invalid_argument' });
  });

  it('lists every envelope across cursor pages, with the status and limit on each page', async () => {
    const pages: Record<string, EnvelopeList> = {
      '': { envelopes: [envelope('a', 'completed'), envelope('b', 'completed')], nextCursor: 'c1' },
      c1: { envelopes: [envelope('c', 'completed')], nextCursor: 'c2' },
      c2: { envelopes: [], nextCursor: null },
    };
    route = (r) => ({ json: pages[r.url.searchParams.get('cursor') ?? ''] });
    const ids: string[] = [];
    for await (const e of signer.listEnvelopes({ status: 'completed', limit: 2 })) ids.push(e.id);
    assert.deepEqual(ids, ['a', 'b', 'c']);
    assert.deepEqual(
      received.map((r) => `${r.url.pathname}${r.url.search}`),
      [
        '/v1/envelopes?status=completed&limit=2',
        '/v1/envelopes?status=completed&limit=2&cursor=c1',
        '/v1/envelopes?status=completed&limit=2&cursor=c2',
      ],
    );
    route = () => ({ json: { envelopes: [envelope('x')], nextCursor: 'same' } });
    const looping = async () => {
      for await (const _ of signer.listEnvelopes()) {
        // drain
      }
    };
    await assert.rejects(looping(), { code: 'invalid_response', message: /repeated a cursor/ });
  });

  it('surfaces the API error body: code, description, field, reason, envelopeId', async () => {
    route = () => ({
      status: 409,
      json: {
        error: 'nonce_reused',
        error_description: 'issuer.nonce: already used',
        field: 'issuer.nonce',
        envelopeId: 'env_9',
      },
    });
    const error = await signer.getEnvelope('env_9').then(
      () => assert.fail('a 409 is an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SignerApiError);
    assert.equal(error.code, 'response_error');
    assert.equal(error.error, 'nonce_reused');
    assert.equal(error.status, 409);
    assert.equal(error.error_description, 'issuer.nonce: already used');
    assert.equal(error.field, 'issuer.nonce');
    assert.equal(error.envelopeId, 'env_9');
    assert.equal(received.length, 1, 'a non-401 error is not retried');
  });

  it('on 401 invalid_token drops the cached token and retries exactly once with a new one', async () => {
    let rejections = 1;
    route = (r) => {
      if (rejections > 0) {
        rejections--;
        return {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="signet", error="invalid_token", error_description="revoked"' },
          json: { error: 'invalid_token', error_description: 'the access token was revoked' },
        };
      }
      return { json: envelope(r.url.pathname.split('/').at(-1) ?? '') };
    };
    assert.equal((await signer.getEnvelope('env_r')).id, 'env_r');
    assert.equal(received.length, 2);
    assert.notEqual(received[0]?.token, received[1]?.token, 'the retry carries a new token');
    const renewed = received[1]?.token;

    received = [];
    rejections = 2;
    await assert.rejects(signer.getEnvelope('env_r'), { code: 'response_error', error: 'invalid_token', status: 401 });
    assert.equal(received.length, 2, 'one retry, not a loop');
    assert.equal(received[0]?.token, renewed, 'the cached token is used first');
    assert.notEqual(received[1]?.token, renewed, 'then dropped after its 401 and replaced');
  });

  it('does not retry a 401 without error="invalid_token" in the challenge', async () => {
    route = () => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="signet"' },
      json: { error: 'invalid_token', error_description: 'an access token is required' },
    });
    await assert.rejects(signer.getEnvelope('x'), { error: 'invalid_token', status: 401 });
    assert.equal(received.length, 1);
  });

  it('refuses a relative baseUrl', () => {
    assert.throws(() => new SignerClient({ baseUrl: '/v1', tokens: { getToken: async () => 't', invalidate() {} } }), {
      code: 'invalid_argument',
      message: /baseUrl/,
    });
  });
});
