import type { Socket } from 'node:net';
import { OAuthError, serverError } from '@signet/protocol';
import { ConcurrentChangeError } from '@signet/store';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaceBusyError } from '../face/pool.js';

const DESCRIPTION_CHARS = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/**
 * A value the client sent, quoted for an `error_description`. RFC 6749 §5.2 allows only
 * %x20-21 / %x23-5B / %x5D-7E there, so any other character shows as `?`, and long values
 * are cut short.
 *
 * @example
 * throw invalidRequest(`audience ${shown(aud)} is not allowed for this client`);
 */
export function shown(value: string, max = 100): string {
  const safe = value.replace(DESCRIPTION_CHARS, '?');
  return `'${safe.length > max ? `${safe.slice(0, max)}...` : safe}'`;
}

/** PostgreSQL SQLSTATEs for text it cannot store (character_not_in_repertoire, untranslatable_character). */
const UNSTORABLE_TEXT = ['22021', '22P05'];

/**
 * Every error leaves as an OAuth error body. Client mistakes that Fastify catches itself
 * (bad media type, body too large, malformed JSON) become `invalid_request`; anything
 * unexpected is logged and answered with a bare `server_error`.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let oauth: OAuthError;
    if (error instanceof OAuthError) {
      oauth = error;
    } else if (error instanceof FaceBusyError) {
      // Every face worker is busy and the queue is full: retryable (RFC 6749 §4.1.2.1's code).
      oauth = new OAuthError('temporarily_unavailable', 'face checks are busy; try again shortly', 503, {
        'retry-after': String(error.retryAfterSeconds),
      });
    } else if (error instanceof ConcurrentChangeError) {
      oauth = new OAuthError('invalid_request', error.message, 409);
    } else if (UNSTORABLE_TEXT.includes(String(error.code))) {
      // PostgreSQL refuses NUL bytes and invalid UTF-8 in text: the client sent what no record can hold.
      oauth = new OAuthError('invalid_request', 'the request contains characters that are not allowed', 400);
    } else if (error.validation) {
      oauth = new OAuthError('invalid_request', `invalid request: ${error.message}`, 400);
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      oauth = new OAuthError(
        'invalid_request',
        clientMessage(error),
        error.statusCode === 415 ? 400 : error.statusCode,
      );
    } else {
      request.log.error({ err: error }, 'unhandled error');
      oauth = serverError();
    }
    reply.code(oauth.status).headers(oauth.headers).header('cache-control', 'no-store').send(oauth.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: 'not_found', error_description: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content type for this endpoint';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body must not be empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'request body is malformed';
    default:
      return 'malformed request';
  }
}

/**
 * Answers every other method Fastify knows (TRACE included) with 405 and an `Allow` header,
 * instead of a 404.
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const others = app.supportedMethods.filter((m) => !allowed.includes(m));
  app.route({
    method: others,
    url,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: 'invalid_request', error_description: `use ${allowed.join(' or ')}` }),
  });
}

/**
 * Fastify's `frameworkErrors`: errors raised before routing, such as a URL with broken
 * percent-encoding (`FST_ERR_BAD_URL`), get the OAuth error body too.
 */
export function oauthFrameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const description = error.code === 'FST_ERR_BAD_URL' ? 'the request URL is malformed' : 'malformed request';
  void reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', error_description: description });
}

const CLIENT_ERRORS: Record<string, [status: number, reason: string, description: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
};

/**
 * Fastify's `clientErrorHandler`: requests Node cannot even parse (headers over 16 KiB, broken
 * HTTP framing) get an OAuth error body like every other failure, instead of Fastify's own
 * `{"error":"Bad Request"}`, and `Connection: close`, so a keep-alive client does not reuse
 * the socket that is about to be destroyed. The request may not have been parsed far enough to
 * know its method, and a response to HEAD must not carry a body, so the body is sent only when
 * the raw request visibly starts with another method.
 */
export function oauthClientErrorHandler(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, description] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'malformed HTTP request',
  ];
  const start = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 16).toString('latin1') : '';
  const mayHaveBody = /^[A-Z]+ /.test(start) && !start.startsWith('HEAD ');
  const body = mayHaveBody ? JSON.stringify({ error: 'invalid_request', error_description: description }) : '';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
