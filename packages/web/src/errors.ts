import type { Socket } from 'node:net';
import { invalidField, serverError, WireError } from '@signet/protocol';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { lingerAfterAnswer } from './lingering-close.js';

/** PostgreSQL SQLSTATEs for text it cannot store (character_not_in_repertoire, untranslatable_character). */
const UNSTORABLE_TEXT = ['22021', '22P05'];

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

/** Options of {@link registerErrorHandling}: where one service answers differently from another. */
export interface ErrorHandlingOptions {
  /**
   * The service's own errors as a {@link WireError}, checked right after `WireError` itself;
   * `undefined` for errors it does not know. Default: none.
   *
   * @example
   * translateError: (e) => (e instanceof ConcurrentChangeError ? new OAuthError('invalid_request', e.message, 409) : undefined)
   */
  translateError?: (error: FastifyError) => WireError | undefined;
  /**
   * The status for a body of an unsupported media type. Default 415 (RFC 9110 §15.5.16); the
   * authorization server answers 400, as RFC 6749 §5.2 has `invalid_request` answered.
   */
  unsupportedMediaTypeStatus?: 400 | 415;
  /** Whether the 404 for an unknown route carries `Cache-Control: no-store`. Default false. */
  noStoreNotFound?: boolean;
}

/**
 * Every error leaves as a {@link WireError}'s body, `{ "error", "error_description" }` (plus
 * `field`, `reason`, `envelopeId` where set). A `WireError` (`OAuthError`, the Signer's
 * `EnvelopeError`) carries its own status and headers (`WWW-Authenticate` for 401s); a schema
 * violation is {@link validationError}'s `invalid_request` naming the field; other client
 * mistakes Fastify catches itself (bad media type, body too large, malformed JSON) become
 * `invalid_request`; anything unexpected is logged and answered with a bare `server_error`.
 */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  const mediaTypeStatus = options.unsupportedMediaTypeStatus ?? 415;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let wire: WireError;
    const translated = error instanceof WireError ? undefined : options.translateError?.(error);
    if (error instanceof WireError) {
      wire = error;
    } else if (translated) {
      wire = translated;
    } else if (UNSTORABLE_TEXT.includes(String(error.code))) {
      // PostgreSQL refuses NUL bytes and invalid UTF-8 in text: the client sent what no record can hold.
      wire = new WireError('invalid_request', 'the request contains characters that are not allowed', 400);
    } else if (error.validation) {
      wire = validationError(error.validation, error.validationContext);
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      wire = new WireError(
        'invalid_request',
        clientMessage(error),
        error.statusCode === 415 ? mediaTypeStatus : error.statusCode,
      );
    } else {
      request.log.error({ err: error }, 'unhandled error');
      wire = serverError();
    }
    lingerAfterAnswer(request, reply);
    sendError(reply, wire);
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.noStoreNotFound) reply.header('cache-control', 'no-store');
    const notFound = new WireError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`, 404);
    reply.code(notFound.status).send(notFound.toJSON());
  });
}

/** Sends `error` as its status, headers and body, never cached. */
export function sendError(reply: FastifyReply, error: WireError): FastifyReply {
  return reply.code(error.status).headers(error.headers).header('cache-control', 'no-store').send(error.toJSON());
}

/**
 * The one wording of a schema violation, in both services: 400 `invalid_request` with `field`
 * the JSON path of the offending value and the description `<field>: <problem>`. A body's
 * fields are named from the body (`documents[0].content`, `credential.country`), other parts'
 * with the part first (`querystring.status`, `params.id`); a missing property is named itself
 * (`persons[0].name: is required`), as is an unknown one (`nickname: is not a known property`);
 * an enum lists its values (`must be one of a, b`); otherwise Ajv's message (`must be string`).
 *
 * @example
 * validationError([{ instancePath: '/documents/0/content', message: 'must be string', ... }], 'body')
 * // → invalid_request, field 'documents[0].content', 'documents[0].content: must be string'
 */
export function validationError(
  issues: readonly FastifySchemaValidationError[],
  part: string | undefined,
): WireError<'invalid_request'> {
  const issue = issues[0];
  const params = (issue?.params ?? {}) as Record<string, unknown>;
  let path = jsonPath(issue?.instancePath ?? '');
  let problem = issue?.message ?? 'is invalid';
  if (typeof params.missingProperty === 'string') {
    path = member(path, params.missingProperty);
    problem = 'is required';
  } else if (typeof params.additionalProperty === 'string') {
    path = member(path, params.additionalProperty);
    problem = 'is not a known property';
  } else if (Array.isArray(params.allowedValues)) {
    problem = `must be one of ${params.allowedValues.join(', ')}`;
  }
  const where = part === undefined || part === 'body' ? path || 'body' : member(part, path);
  return invalidField(where, problem);
}

/** `/documents/0/content` → `documents[0].content` (RFC 6901 pointer to a JavaScript-style path). */
function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : member(path, part)), '');
}

const member = (path: string, name: string): string => (path && name ? `${path}.${name}` : path || name);

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
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const description = error.code === 'FST_ERR_BAD_URL' ? 'the request URL is malformed' : 'malformed request';
  reply.header('x-request-id', request.id);
  void sendError(reply, new WireError('invalid_request', description, status));
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
  const body = mayHaveBody ? JSON.stringify(new WireError('invalid_request', description, status)) : '';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
