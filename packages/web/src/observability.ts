import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { counterFromHistogramCount, histogram, LATENCY_BUCKETS } from './metrics.js';

/** The header a request id arrives and leaves in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An accepted `X-Request-Id`: 1 to 128 characters that are safe in a log line and a header. */
const REQUEST_ID = /^[A-Za-z0-9._:+/=@-]{1,128}$/;

/**
 * Fastify's `genReqId`: the client's (or load balancer's) `X-Request-Id` when it is one value of
 * 1–128 safe characters (letters, digits, `._:+/=@-`), otherwise a random UUID, so a client's
 * error can be matched to the log lines of its request.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface TraceParent {
  traceId: string;
  /** The caller's span (`parent-id`). */
  spanId: string;
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a `traceparent` header; `undefined` for anything the spec says to ignore: version
 * `ff`, an all-zero trace or parent id, version 00 with trailing data, upper-case hex.
 */
export function parseTraceparent(value: string | string[] | undefined): TraceParent | undefined {
  if (typeof value !== 'string' || value.length > 512) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/**
 * Fastify's `childLoggerFactory`: every log line of a request carries its `requestId` (Fastify's
 * binding) and, when the request came with a valid `traceparent`, its `traceId` and `spanId`, so
 * the lines join the caller's trace in a log store.
 */
export function requestLogger(
  logger: FastifyBaseLogger,
  bindings: Record<string, unknown>,
  options: object,
  raw: IncomingMessage,
): FastifyBaseLogger {
  const trace = parseTraceparent(raw.headers.traceparent);
  return logger.child(trace ? { ...bindings, traceId: trace.traceId, spanId: trace.spanId } : bindings, options);
}

/** Options of {@link registerObservability}. */
export interface ObservabilityOptions {
  /** The `service` label of the HTTP metrics: `accounts`, `signer`. */
  service: string;
  /** Whether each request gets an access log line. */
  accessLog: boolean;
}

/**
 * Per request: `X-Request-Id` on every response (set on the raw response at `onRequest`, so
 * errors, 404s and hijacked streams carry it too), and when it ends one access log line
 * (`method`, `route` — the pattern, never the URL with its query or path secrets —, `status`,
 * `ms`; the request id and trace ids come with the request's logger) and the HTTP metrics
 * `signet_http_requests_total` and `signet_http_request_duration_seconds`, labelled by service,
 * route pattern (`(unmatched)` for 404s without a route), method and status.
 */
export function registerObservability(app: FastifyInstance, options: ObservabilityOptions): void {
  const duration = histogram({
    name: 'signet_http_request_duration_seconds',
    help: 'Time from request received to response sent, by service, route pattern, method and status.',
    labelNames: ['service', 'route', 'method', 'status'],
    buckets: LATENCY_BUCKETS,
  });
  // The request counter is the histogram's `_count`, copied at scrape time: one metric update per
  // request instead of two on the hot path.
  counterFromHistogramCount(
    {
      name: 'signet_http_requests_total',
      help: 'HTTP requests answered, by service, route pattern, method and status.',
      labelNames: ['service', 'route', 'method', 'status'],
    },
    duration,
  );
  const { service, accessLog } = options;
  // Callback hooks, not async ones: no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    duration.observe({ service, route, method: request.method, status: String(status) }, ms / 1000);
    if (accessLog) request.log.info({ method: request.method, route, status, ms: Math.round(ms * 10) / 10 }, 'request');
    done();
  });
}
