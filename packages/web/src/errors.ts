import type { Socket } from 'node:net';
import { OAuthError, serverError } from '@signet/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** PostgreSQL SQLSTATEs for text it cannot store (character_not_in_repertoire, untranslatable_character). */
const UNSTORABLE_TEXT = ['22021', '22P05'];

/** Options of {@link registerErrorHandling}: where one service answers differently from another. */
export interface ErrorHandlingOptions {
  /**
   * The service's own errors as an {@link OAuthError}, checked right after `OAuthError` itself;
   * `undefined` for errors it does not know. Default: none.
   *
   * @example
   * translateError: (e) => (e instanceof ConcurrentChangeError ? new OAuthError('invalid_request', e.message, 409) : undefined)
   */
  translateError?: (error: FastifyError) => OAuthError | undefined;
  /**
   * The status for a body of an unsupported media type. Default 415 (RFC 9110 §15.5.16); the
   * authorization server answers 400, as RFC 6749 §5.2 has `invalid_request` answered.
   */
  unsupportedMediaTypeStatus?: 400 | 415;
  /** Whether the 404 for an unknown route carries `Cache-Control: no-store`. Default false. */
  noStoreNotFound?: boolean;
}

/**
 * Every error leaves as `{ "error", "error_description" }`. An {@link OAuthError} carries its own
 * status and headers (`WWW-Authenticate` for 401s); client mistakes Fastify catches itself (schema
 * validation, bad media type, body too large, malformed JSON) become `invalid_request`; anything
 * unexpected is logged and answered with a bare `server_error`.
 */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  const mediaTypeStatus = options.unsupportedMediaTypeStatus ?? 415;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let oauth: OAuthError;
    const translated = error instanceof OAuthError ? undefined : options.translateError?.(error);
    if (error instanceof OAuthError) {
      oauth = error;
    } else if (translated) {
      oauth = translated;
    } else if (UNSTORABLE_TEXT.includes(String(error.code))) {
      // PostgreSQL refuses NUL bytes and invalid UTF-8 in text: the client sent what no record can hold.
      oauth = new OAuthError('invalid_request', 'the request contains characters that are not allowed', 400);
    } else if (error.validation) {
      oauth = new OAuthError('invalid_request', `invalid request: ${error.message}`, 400);
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      oauth = new OAuthError(
        'invalid_request',
        clientMessage(error),
        error.statusCode === 415 ? mediaTypeStatus : error.statusCode,
      );
    } else {
      request.log.error({ err: error }, 'unhandled error');
      oauth = serverError();
    }
    reply.code(oauth.status).headers(oauth.headers).header('cache-control', 'no-store').send(oauth.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.noStoreNotFound) reply.header('cache-control', 'no-store');
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
 * Fastify's `frameworkErrors`: errors raised before routing, such as a URL with broken
 * percent-encoding (`FST_ERR_BAD_URL`), get the error body too.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
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
 * HTTP framing) get an error body like every other failure, instead of Fastify's own
 * `{"error":"Bad Request"}`, and `Connection: close`, so a keep-alive client does not reuse
 * the socket that is about to be destroyed. The request may not have been parsed far enough to
 * know its method, and a response to HEAD must not carry a body, so the body is sent only when
 * the raw request visibly starts with another method.
 */
export function clientErrorHandler(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
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
