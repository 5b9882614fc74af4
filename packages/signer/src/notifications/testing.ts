import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Caller } from '../auth/caller.js';
import { registerErrorHandling } from '../http/errors.js';
import { registerSecurityHeaders } from '../http/security-headers.js';
import type { Notifications } from './notifications.js';

/** A request a {@link TestReceiver} got. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent. */
  body: string;
}

/** A real HTTP webhook receiver on 127.0.0.1 that can go down and come back on the same port. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>/hook`; stays the same across stop/start. */
  url: string;
  received: ReceivedWebhook[];
  /** The status it answers with. Default 200. */
  status: number;
  /** How long it takes to answer, in milliseconds. Default 0. */
  delayMs: number;
  /** Starts listening (again) on its port. */
  start(): Promise<void>;
  /** Stops listening and drops open connections: deliveries now fail with a refused connection. */
  stop(): Promise<void>;
}

/** Starts a {@link TestReceiver}; pass `{ down: true }` to get its URL without it listening. */
export async function startReceiver(options: { down?: boolean } = {}): Promise<TestReceiver> {
  let server: Server | undefined;
  const receiver: TestReceiver = {
    url: '',
    received: [],
    status: 200,
    delayMs: 0,
    async start() {
      const s = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          receiver.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          setTimeout(() => response.writeHead(receiver.status).end(), receiver.delayMs);
        });
      });
      const port = receiver.url ? Number(new URL(receiver.url).port) : 0;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
      receiver.url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await receiver.start();
  if (options.down) await receiver.stop();
  return receiver;
}

/** A logger that keeps every line it is given, so tests can check what was (not) logged. */
export function recordingLogger(): FastifyBaseLogger & { lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push(`${level} ${JSON.stringify(args, (_k, v) => (v instanceof Error ? { message: v.message } : v))}`);
    };
  const logger = {
    lines,
    level: 'trace',
    fatal: record('fatal'),
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    trace: record('trace'),
    silent: () => {},
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger & { lines: string[] };
}

/**
 * A Fastify app with the notification routes behind a stand-in for the bearer check: the caller
 * is whichever client the `x-test-client` header names. The Signer's own error handling and
 * security headers are real. The full Signer, with real access tokens, is `testSigner()`.
 */
export async function notificationsTestApp(notifications: Notifications): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
  app.decorateRequest('caller', null as unknown as Caller);
  registerSecurityHeaders(app);
  registerErrorHandling(app);
  await app.register(async (v1) => {
    v1.addHook('onRequest', async (request) => {
      request.caller = { clientId: String(request.headers['x-test-client'] ?? ''), scope: [], tokenId: undefined };
    });
    await v1.register(notifications.routes);
  });
  await app.ready();
  return app;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
