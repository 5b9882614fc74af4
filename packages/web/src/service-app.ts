import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { clientErrorHandler, type ErrorHandlingOptions, frameworkErrors, registerErrorHandling } from './errors.js';
import { type FormParserOptions, registerFormParser } from './forms.js';
import { startProcessMetrics } from './metrics.js';
import { registerObservability, requestIdOf, requestLogger } from './observability.js';
import { registerSecurityHeaders } from './security-headers.js';

/** Options of {@link createServiceApp}: where one service (or listener) differs from another. */
export interface ServiceAppOptions {
  /** Pino's level, or `'silent'` for no logger. */
  logLevel: string;
  /** Where log lines go. Default standard output (tests pass a stream to read them). */
  logStream?: { write(line: string): void };
  /** The `service` label of the HTTP metrics (`accounts`, `signer`). Default `signet`. */
  service?: string;
  /** One access log line per request (`SIGNET_ACCESS_LOG`). Default true. */
  accessLog?: boolean;
  /** The largest request body, in bytes. Default Fastify's 1 MiB. */
  bodyLimit?: number;
  /** The `Content-Security-Policy` of every response whose route sets none. Default: none. */
  contentSecurityPolicy?: string;
  /** The error handler's options (see {@link ErrorHandlingOptions}). */
  errors?: ErrorHandlingOptions;
  /** Registers the form parser app-wide ({@link registerFormParser}). Default: no form bodies. */
  forms?: boolean | FormParserOptions;
  /** More Fastify options: `ajv`, `schemaController`. */
  fastify?: Pick<FastifyServerOptions, 'ajv' | 'schemaController'>;
}

/**
 * The one service skeleton: a Fastify app with Signet's options (the `Authorization` header
 * redacted, idle keep-alive connections closed on shutdown with 503s meanwhile, errors before
 * routing and unparseable requests answered with the error body), request ids (`X-Request-Id`
 * accepted or generated, returned, on every log line; `traceparent`'s ids logged), one access
 * log line and the HTTP metrics per request, the security headers, the error handler, and, if
 * asked, the form parser. Each service's app and listener is one of these plus its routes.
 *
 * @example
 * const app = createServiceApp({ logLevel: 'info', bodyLimit: 64 * 1024, forms: true, errors: { unsupportedMediaTypeStatus: 400 } });
 */
export function createServiceApp(options: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : {
            level: options.logLevel,
            redact: ['req.headers.authorization'],
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    // Fastify's two lines per request (with headers and URL) are off: they would halve throughput
    // and log query strings; registerObservability writes one line with the route pattern instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    childLoggerFactory: requestLogger,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    // Keep-alive connections left by a load balancer must not hold shutdown forever.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors,
    ...options.fastify,
  });
  startProcessMetrics();
  registerObservability(app, { service: options.service ?? 'signet', accessLog: options.accessLog ?? true });
  registerSecurityHeaders(
    app,
    options.contentSecurityPolicy === undefined ? {} : { contentSecurityPolicy: options.contentSecurityPolicy },
  );
  registerErrorHandling(app, options.errors);
  if (options.forms) registerFormParser(app, options.forms === true ? {} : options.forms);
  return app;
}
