/**
 * oidc-provider configured for the same work as Signet's token endpoint in the benchmark:
 * client_credentials with client_secret_basic, one resource (RFC 8707) and an ES256 JWT
 * access token valid for 3600 s. Started by bench/token.ts; prints one JSON line when ready.
 *
 * Environment: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_AUDIENCE.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

// oidc-provider prints development notices through console.info/console.warn (and warns that
// Node 20 is not a supported runtime); the benchmark wants a quiet server.
console.info = () => {};
console.warn = () => {};

const { default: Provider } = await import('oidc-provider');

const port = Number(required('BENCH_PORT'));
const clientId = required('BENCH_CLIENT_ID');
const clientSecret = required('BENCH_CLIENT_SECRET');
const audience = required('BENCH_AUDIENCE');
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingJwk = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(12).toString('base64url'),
  alg: 'ES256',
  use: 'sig',
};

const provider = new Provider(issuer, {
  jwks: { keys: [signingJwk] },
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // The keystore holds only the ES256 key, so the (unused) ID token alg must match it.
      id_token_signed_response_alg: 'ES256',
    },
  ],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => audience,
      getResourceServerInfo: async (_ctx: unknown, resource: string) => {
        if (resource !== audience) throw new Error(`unexpected resource ${resource}`);
        return { scope: '', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  ttl: { ClientCredentials: 3600 },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
});
// Koa would print every server error; report them once on stderr instead of per request.
let serverErrors = 0;
provider.on('server_error', (_ctx, error) => {
  if (serverErrors++ === 0) process.stderr.write(`oidc-provider server_error: ${String(error)}\n`);
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer, token_endpoint: `${issuer}/token` })}\n`);
});

const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}
