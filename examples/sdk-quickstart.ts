/**
 * Signet SDK quick start: gets an access token for the Signer API twice and shows that the
 * second comes from the cache.
 *
 *   npm start   # in another terminal; it prints the demo client's id and secret
 *   SIGNET_CLIENT_ID=signet-demo SIGNET_CLIENT_SECRET=… node --import tsx examples/sdk-quickstart.ts
 *
 * SIGNET_ISSUER (default http://localhost:4444) and SIGNET_SIGNER_AUDIENCE (default
 * http://localhost:4446) point it elsewhere.
 */
import { createTokenProvider, type FetchLike, SdkError } from '@signet/sdk';

const clientId = process.env.SIGNET_CLIENT_ID;
const clientSecret = process.env.SIGNET_CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error('Set SIGNET_CLIENT_ID and SIGNET_CLIENT_SECRET (npm start prints the demo client).');
  process.exit(2);
}

// A fetch that counts token requests, to make the cache visible.
let tokenRequests = 0;
const countingFetch: FetchLike = (input, init) => {
  if (String(input).endsWith('/oauth2/token')) tokenRequests++;
  return fetch(input, init);
};

const tokens = createTokenProvider({
  issuer: process.env.SIGNET_ISSUER ?? 'http://localhost:4444',
  clientId,
  clientSecret,
  audience: process.env.SIGNET_SIGNER_AUDIENCE ?? 'http://localhost:4446',
  fetch: countingFetch,
});

try {
  const first = await tokens.getToken();
  const second = await tokens.getToken();
  const claims = JSON.parse(Buffer.from(first.split('.')[1] ?? '', 'base64url').toString());
  console.log(`access token for ${claims.aud}, expires ${new Date(claims.exp * 1000).toISOString()}`);
  console.log(`first call:  ${first.slice(0, 24)}…`);
  console.log(
    `second call: ${second.slice(0, 24)}… (${first === second ? 'same token, from the cache' : 'a new token'})`,
  );
  console.log(`token requests sent: ${tokenRequests}`);
} catch (error) {
  if (error instanceof SdkError) {
    console.error(`${error.code}${error.error ? ` ${error.error}` : ''}: ${error.error_description ?? error.message}`);
    process.exit(1);
  }
  throw error;
}
