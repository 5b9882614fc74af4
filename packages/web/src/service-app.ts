import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { clientErrorHandler, type ErrorHandlingOptions, frameworkErrors, registerErrorHandling } from './errors.js';
import { type FormParserOptions, registerFormParser } from './forms.js';
import { registerSecurityHeaders } from './security-headers.js';

/** Options of {@link createServiceApp}: where one service (or listener) differs from another. */
export interface ServiceAppOptions {
  /** Pino's level, or `'silent'` for no logger. */
  logLevel: string;
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
 * The one service skeleton: a Fastify app with Signet's options (no request logging, the
 * `Authorization` header redacted, idle keep-alive connections closed on shutdown with 503s
 * meanwhile, errors before routing and unparseable requests answered with the error body), the
 * security headers, the error handler, and, if asked, the form parser. Each service's app and
 * listener is one of these plus its routes.
 *
 * @example
 * const app = createServiceApp({ logLevel: 'info', bodyLimit: 64 * 1024, forms: true, errors: { unsupportedMediaTypeStatus: 400 } });
 */
export function createServiceApp(options: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel, redact: ['req.headers.authorization'] },
    // Requests are not logged one by one: that would halve throughput and risk leaking credentials.
    logController: new LogController({ disableRequestLogging: true }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    // Keep-alive connections left by a load balancer must not hold shutdown forever.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors,
    ...options.fastify,
  });
  registerSecurityHeaders(
    app,
    options.contentSecurityPolicy === undefined ? {} : { contentSecurityPolicy: options.contentSecurityPolicy },
  );
  registerErrorHandling(app, options.errors);
  if (options.forms) registerFormParser(app, options.forms === true ? {} : options.forms);
  return app;
}
