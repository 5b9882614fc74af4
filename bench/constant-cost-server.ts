/**
 * The tail reference of the token endpoint benchmark: a `node:http` handler that reads the
 * request, burns a fixed `BENCH_SPIN_MICROS` of CPU on the event loop and answers one ES256 access
 * token signed at start — the same bytes every time. It allocates next to nothing and its work
 * never varies, so its latency percentiles at a given throughput are what this machine (its
 * scheduler, its host, Node's HTTP server) adds by itself: the tail no handler of that cost can
 * beat here. Started by bench/token.ts; prints one JSON line when ready.
 *
 * With BENCH_WORKERS above 1 it runs that many processes sharing the port (node:cluster, as
 * Signet's SIGNET_WORKERS does), so several workers' tail is measured the same way.
 *
 * Environment: BENCH_PORT, BENCH_CLIENT_ID, BENCH_AUDIENCE, BENCH_SPIN_MICROS, BENCH_WORKERS.
 */
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { signBenchToken } from './bench-token.js';

const port = Number(process.env.BENCH_PORT);
const clientId = process.env.BENCH_CLIENT_ID ?? 'reference';
const audience = process.env.BENCH_AUDIENCE ?? '';
const spin = BigInt(Math.round(Number(process.env.BENCH_SPIN_MICROS ?? '0') * 1000));
const workers = Math.max(1, Number(process.env.BENCH_WORKERS ?? '1') || 1);
const issuer = `http://127.0.0.1:${port}`;
const ready = () =>
  process.stdout.write(`${JSON.stringify({ ready: true, issuer, token_endpoint: `${issuer}/oauth2/token` })}\n`);

if (workers > 1 && cluster.isPrimary) {
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) ready();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  serve();
}

function serve(): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const body = JSON.stringify({
    access_token: signBenchToken({ privateKey, issuer, clientId, audience }),
    token_type: 'Bearer',
    expires_in: 3600,
  });

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const start = process.hrtime.bigint();
      while (process.hrtime.bigint() - start < spin);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
  });

  // A cluster worker's readiness is its 'listening' event in the primary.
  server.listen(port, '127.0.0.1', () => (cluster.isWorker ? undefined : ready()));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
