/**
 * The floor of the token endpoint benchmark: a minimal `node:http` handler doing the same work as
 * Signet's token endpoint for the benchmark's request and nothing else — Basic credentials
 * (form-decoded, RFC 6749 §2.3.1), the client looked up, its secret checked as Signet stores it
 * (HMAC-SHA256, constant-time compare), the form body, grant_type and audience checked, an ES256
 * RFC 9068 JWT access token (`typ` at+jwt; iss, sub, aud, client_id, iat, exp, jti) signed with
 * node:crypto, JSON answered with `Cache-Control: no-store`. No framework, no logging, no metrics.
 * Started by bench/token.ts; prints one JSON line when ready.
 *
 * Environment: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_AUDIENCE.
 */
import { createHmac, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { signBenchToken } from './bench-token.js';

const port = Number(required('BENCH_PORT'));
const audience = required('BENCH_AUDIENCE');
const issuer = `http://127.0.0.1:${port}`;
const hmacKey = randomBytes(32);
const hashSecret = (secret: string) => createHmac('sha256', hmacKey).update(secret).digest();
const clients = new Map([[required('BENCH_CLIENT_ID'), hashSecret(required('BENCH_CLIENT_SECRET'))]]);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = randomBytes(12).toString('base64url');
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const basic = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(req.headers.authorization ?? '')?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const clientId = formDecode(decoded.slice(0, Math.max(colon, 0)));
    const stored = clients.get(clientId);
    const presented = hashSecret(formDecode(decoded.slice(colon + 1)));
    if (colon < 0 || !stored || !timingSafeEqual(stored, presented))
      return answer(res, 401, { error: 'invalid_client' });
    const params = new URLSearchParams(body);
    if (params.get('grant_type') !== 'client_credentials') return answer(res, 400, { error: 'unsupported_grant_type' });
    if (params.get('audience') !== audience) return answer(res, 400, { error: 'invalid_request' });
    answer(res, 200, {
      access_token: signBenchToken({ privateKey, kid, issuer, clientId, audience }),
      token_type: 'Bearer',
      expires_in: 3600,
    });
  });
});

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer, token_endpoint: `${issuer}/oauth2/token` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}
