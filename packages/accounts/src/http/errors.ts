import { OAuthError, serverError } from '@signet/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';

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
