import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServiceApp, parseTraceparent, scrapeMetrics } from './index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

test('X-Request-Id: accepted when safe, generated otherwise, returned on every response', async () => {
  const app = createServiceApp({ logLevel: 'info', logStream: capture().stream });
  app.get('/things/:id', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  const given = await app.inject({ url: '/things/1', headers: { 'x-request-id': 'lb-7f3a.42' } });
  assert.equal(given.headers['x-request-id'], 'lb-7f3a.42');
  for (const bad of ['a'.repeat(129), 'evil\tvalue', 'x y', '']) {
    const res = await app.inject({ url: '/things/1', headers: { 'x-request-id': bad } });
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/, JSON.stringify(bad));
  }
  const generated = await app.inject({ url: '/things/1' });
  const other = await app.inject({ url: '/things/1' });
  assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.notEqual(generated.headers['x-request-id'], other.headers['x-request-id']);
  assert.ok((await app.inject({ url: '/nowhere' })).headers['x-request-id']);
  const error = await app.inject({ url: '/boom', headers: { 'x-request-id': 'match-me' } });
  assert.equal(error.statusCode, 500);
  assert.equal(error.headers['x-request-id'], 'match-me');
  assert.ok((await app.inject({ url: '/%zz' })).headers['x-request-id'], 'errors before routing too');
  await app.close();
});

test('one access log line per request: route pattern, status, latency, request and trace ids, no query', async () => {
  const { lines, stream } = capture();
  const app = createServiceApp({ logLevel: 'info', logStream: stream, service: 'test' });
  app.get('/things/:id', async (request) => {
    request.log.info('handling');
    return { ok: true };
  });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  await app.inject({
    url: '/things/secret-path-value?access_token=leak',
    headers: { 'x-request-id': 'req-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  });
  const own = lines.filter((line) => line.requestId === 'req-1');
  assert.equal(own.length, 2, 'the handler line and the access line');
  assert.ok(own.every((line) => line.traceId === traceId && line.spanId === '00f067aa0ba902b7'));
  const access = own.find((line) => line.msg === 'request');
  assert.ok(access);
  assert.equal(access.route, '/things/:id');
  assert.equal(access.method, 'GET');
  assert.equal(access.status, 200);
  assert.equal(typeof access.ms, 'number');
  assert.doesNotMatch(JSON.stringify(lines), /leak|secret-path-value|access_token/);

  await app.inject({ url: '/nowhere?code=abc' });
  const unmatched = lines.at(-1);
  assert.equal(unmatched?.route, '(unmatched)');
  assert.equal(unmatched?.status, 404);
  assert.doesNotMatch(JSON.stringify(unmatched), /abc|nowhere/);

  const quiet = createServiceApp({ logLevel: 'info', logStream: stream, accessLog: false });
  quiet.get('/', async () => 'ok');
  const before = lines.length;
  await quiet.inject({ url: '/' });
  assert.equal(lines.length, before);
  await Promise.all([app.close(), quiet.close()]);
});

test('traceparent: only valid W3C values are taken', () => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  assert.deepEqual(parseTraceparent(`00-${id}-00f067aa0ba902b7-01`), {
    traceId: id,
    spanId: '00f067aa0ba902b7',
    flags: '01',
  });
  assert.ok(parseTraceparent(`01-${id}-00f067aa0ba902b7-01-future`), 'a later version may add fields');
  for (const bad of [
    `ff-${id}-00f067aa0ba902b7-01`,
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    `00-${id}-${'0'.repeat(16)}-01`,
    `00-${id.toUpperCase()}-00f067aa0ba902b7-01`,
    `00-${id}-00f067aa0ba902b7-01-extra`,
    'garbage',
    undefined,
  ]) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
});

test('HTTP metrics by service, route pattern, method and status, in Prometheus text format', async () => {
  const app = createServiceApp({ logLevel: 'silent', service: 'metrics-test' });
  app.get('/items/:id', async () => ({ ok: true }));
  await app.inject({ url: '/items/1' });
  await app.inject({ url: '/items/2' });
  await app.inject({ url: '/missing' });
  const { contentType, body } = await scrapeMetrics();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const sample = (name: string, labels: string) =>
    Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(body)?.[1]);
  assert.equal(
    sample('signet_http_requests_total', 'service="metrics-test",route="/items/:id",method="GET",status="200"'),
    2,
  );
  assert.equal(
    sample('signet_http_requests_total', 'service="metrics-test",route="\\(unmatched\\)",method="GET",status="404"'),
    1,
  );
  assert.equal(
    sample(
      'signet_http_request_duration_seconds_count',
      'service="metrics-test",route="/items/:id",method="GET",status="200"',
    ),
    2,
  );
  assert.match(body, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
  assert.match(body, /^# TYPE process_cpu_seconds_total counter$/m);
  await app.close();
});
