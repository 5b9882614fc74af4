import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { makePdf } from '@signet/testing/pdf';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import Fastify from 'fastify';
import { loadSignerConfig } from './config.js';
import { createEnvelopeBodyLimit } from './envelopes/routes.js';
import { healthEndpoints } from './health.js';

const METRICS_TOKEN = 'signer-scraper-0123456789';

function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('the Signer for operators', () => {
  let t: TestSigner;
  let metricsUrl: string;
  let baseUrl: string;
  before(async () => {
    t = await testSigner({
      env: {
        SIGNET_METRICS_TOKEN: METRICS_TOKEN,
        SIGNET_SIGNER_MAX_ENVELOPE_BYTES: String(1024 * 1024),
        SIGNET_SIGNER_MAX_DOCUMENT_BYTES: String(1024 * 1024),
      },
    });
    baseUrl = await t.signer.listen();
    const address = t.signer.metricsApp.server.address();
    assert.ok(address && typeof address === 'object');
    metricsUrl = `http://127.0.0.1:${address.port}/metrics`;
  });
  after(() => t?.dispose());

  test('liveness and readiness apart; /health stays an alias of readiness', async () => {
    for (const url of ['/health/alive', '/health/ready', '/health']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.deepEqual(res.json(), { status: 'ok' });
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.ok(res.headers['x-request-id']);
    }
  });

  test('metrics on their own listener, behind SIGNET_METRICS_TOKEN', async () => {
    assert.equal((await fetch(metricsUrl)).status, 401);
    assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 404, 'not on the public listener');
    const { authorization, clientId } = await t.newClient();
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization },
      payload: {
        issuer: { initiative: clientId, nonce: 'n-1' },
        documents: [{ name: 'a.pdf', content: Buffer.from(await makePdf(1)).toString('base64') }],
        persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(sample(body, 'signet_envelopes', { status: 'in_progress' }), 1);
    assert.equal(sample(body, 'signet_webhook_outbox_pending'), 0);
    assert.equal(sample(body, 'signet_webhook_outbox_oldest_pending_seconds'), 0);
    const labels = { service: 'signer', route: '/v1/envelopes', method: 'POST', status: '201' };
    assert.equal(sample(body, 'signet_http_requests_total', labels), 1);
    assert.equal(sample(body, 'signet_http_request_duration_seconds_count', labels), 1);
    assert.ok((sample(body, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(sample(body, 'nodejs_eventloop_lag_seconds') !== undefined);
  });

  test('POST /v1/envelopes refuses a body over its limit with 413 before reading it, memory flat', async () => {
    const { authorization } = await t.newClient();
    const url = new URL('/v1/envelopes', baseUrl);
    // The measurement, 250 MB, is over the default limit (50 MiB of documents, ~69 MB of JSON).
    const defaults = loadSignerConfig({});
    assert.equal(defaults.maxEnvelopeBytes, 50 * 1024 * 1024);
    assert.ok(createEnvelopeBodyLimit(defaults.maxEnvelopeBytes) < 70 * 1024 * 1024);
    // Declared too large: refused on the Content-Length, no byte of the body read.
    const declared = await send(url, authorization, { declaredLength: 250 * 1024 * 1024, total: 0 });
    assert.equal(declared.status, 413);
    assert.match(declared.body, /request body is too large/);

    // Chunked, no length: refused once the limit's bytes arrived; what the client still sends is
    // read and dropped (the connection stays usable and the 413 reaches it), never held.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const streamed = await send(url, authorization, { total: 300 * 1024 * 1024 });
    const grown = process.memoryUsage().rss - rssBefore;
    assert.equal(streamed.status, 413);
    assert.ok(streamed.sent < 64 * 1024 * 1024, `sent ${streamed.sent} bytes before the refusal`);
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  });
});

/**
 * Sends a JSON-looking body of `total` bytes in 64 KiB chunks (chunked, unless `declaredLength`
 * is given) over a raw socket until the answer comes; the server may close the connection.
 */
function send(
  url: URL,
  authorization: string,
  options: { total: number; declaredLength?: number },
): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer = '';
    const socket = connect(Number(url.port), url.hostname);
    const done = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      socket.destroy();
      if (status) resolve({ status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4), sent });
      else reject(new Error(`no answer after ${sent} bytes`));
    };
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      answer += data;
      // The answer's headers and its (small, JSON) body have arrived.
      if (/\r\n\r\n[\s\S]*\}/.test(answer)) done();
    });
    socket.on('error', () => {});
    socket.on('close', done);
    const chunked = options.declaredLength === undefined;
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${authorization}\r\n` +
        'Content-Type: application/json\r\n' +
        (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${options.declaredLength}\r\n\r\n`),
    );
    const chunk = Buffer.alloc(64 * 1024, 'A');
    chunk.write('{"documents":[{"content":"', 0);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const pump = () => {
      while (!answer && !socket.destroyed && sent < options.total) {
        sent += chunk.length;
        if (!socket.write(chunked ? framed : chunk)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

test('readiness is 503 while the database, or the issuer keys, are unavailable; liveness is not', async () => {
  let database = true;
  let keys = true;
  const app = Fastify();
  healthEndpoints(app, {
    store: {
      ping: async () => {
        if (!database) throw new Error('ECONNREFUSED');
      },
    } as never,
    issuerKeys: {
      getKey: async () => {
        throw new Error('unused');
      },
      loaded: async () => {
        if (!keys) throw new Error('jwks unreachable');
      },
    } as never,
  });
  const status = async (url: string) => (await app.inject({ url })).statusCode;
  assert.equal(await status('/health/ready'), 200);
  database = false;
  assert.equal(await status('/health/ready'), 503);
  assert.equal(await status('/health'), 503);
  assert.equal(await status('/health/alive'), 200);
  database = true;
  keys = false;
  const res = await app.inject({ url: '/health/ready' });
  assert.equal(res.statusCode, 503);
  assert.match(res.json().error_description, /issuer's keys/);
  assert.equal(await status('/health/alive'), 200);
  await app.close();
});
