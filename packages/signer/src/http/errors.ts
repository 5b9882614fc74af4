import type { Socket } from 'node:net';
import { OAuthError, serverError } from '@signet/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** PostgreSQL SQLSTATEs for text it cannot store (character_not_in_repertoire, untranslatable_character). */
const UNSTORABLE_TEXT = ['22021', '22P05'];

/**
 * Every error leaves as `{ "error", "error_description" }`. An {@link OAuthError} carries its own
 * status and headers (`WWW-Authenticate` for 401s); client mistakes Fastify catches itself (schema
 * validation, bad media type, body too large, malformed JSON) become `invalid_request`; anything
 * unexpected is logged and answered with a bare `server_error`.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let oauth: OAuthError;
    if (error instanceof OAuthError) {
      oauth = error;
    } else if (UNSTORABLE_TEXT.includes(String(error.code))) {
      oauth = new OAuthError('invalid_request', 'the request contains characters that are not allowed', 400);
    } else if (error.validation) {
      oauth = new OAuthError('invalid_request', `invalid request: ${error.message}`, 400);
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      oauth = new OAuthError('invalid_request', clientMessage(error), error.statusCode);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      oauth = serverError();
    }
    reply.code(oauth.status).headers(oauth.headers).header('cache-control', 'no-store').send(oauth.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .header('cache-control', 'no-store')
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

/** Fastify's `frameworkErrors`: errors raised before routing (a URL with broken percent-encoding) get the error body too. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const description = error.code === 'FST_ERR_BAD_URL' ? 'the request URL is malformed' : 'malformed request';
  void reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', error_description: description });
}

/**
 * Fastify's `clientErrorHandler`: a request Node cannot parse (oversized headers, broken framing)
 * gets a JSON error and `Connection: close` instead of Fastify's own body.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: 'malformed HTTP request' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
