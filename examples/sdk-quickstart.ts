/**
 * Signet SDK quick start: one signed PDF with nothing but `@signet/sdk` (npm install @signet/sdk).
 * It gets a Signer API access token (cached: the second call sends no request), creates an
 * envelope for a person who signed in, waits until the envelope is final, downloads the signed
 * PDF and asks the Signer to verify it.
 *
 *   SIGNET_CLIENT_ID=…  SIGNET_CLIENT_SECRET=…   your client (npm start prints the demo client)
 *   SIGNET_ID_TOKEN=…                            the signer's id_token (`signet login --json` prints one)
 *   SIGNET_PDF=contract.pdf                      the PDF to sign
 *   SIGNET_ISSUER (default http://localhost:4444), SIGNET_SIGNER_URL (default http://localhost:4446),
 *   SIGNET_SIGNER_AUDIENCE (default the Signer URL), SIGNET_OUT (default signed.pdf)
 *
 * In this repository: `node --import tsx examples/sdk-quickstart.ts`. Elsewhere: copy the file,
 * `npm install @signet/sdk typescript`, compile with `tsc` (module NodeNext) and run it with node.
 * Exit code 0 when the envelope completed and its signed PDF verifies, 1 otherwise, 2 on bad usage.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createTokenProvider, type Envelope, encodeBase64, SdkError, SignerClient } from '@signet/sdk';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`Set ${name} (see the comment at the top of sdk-quickstart.ts).`);
    process.exit(2);
  }
  return value;
};

const clientId = env('SIGNET_CLIENT_ID');
const signerUrl = env('SIGNET_SIGNER_URL', 'http://localhost:4446');
const finalStates: Envelope['status'][] = ['completed', 'rejected', 'canceled', 'expired'];

// A fetch that counts token requests, to make the cache visible.
let tokenRequests = 0;
const tokens = createTokenProvider({
  issuer: env('SIGNET_ISSUER', 'http://localhost:4444'),
  clientId,
  clientSecret: env('SIGNET_CLIENT_SECRET'),
  audience: env('SIGNET_SIGNER_AUDIENCE', signerUrl),
  fetch: (input, init) => {
    if (String(input).endsWith('/oauth2/token')) tokenRequests++;
    return fetch(input, init);
  },
});
const signer = new SignerClient({ baseUrl: signerUrl, tokens });

try {
  const first = await tokens.getToken();
  const second = await tokens.getToken();
  console.log(`access token: ${first === second ? 'the second call came from the cache' : 'not cached'}`);

  let envelope = await signer.createEnvelope({
    issuer: { initiative: clientId, nonce: randomUUID() },
    documents: [{ name: 'contract.pdf', content: encodeBase64(await readFile(env('SIGNET_PDF'))) }],
    persons: [{ id_token: env('SIGNET_ID_TOKEN') }],
    signatures: [{ document: 0, person: 0 }],
  });
  console.log(`envelope ${envelope.id}: ${envelope.status}`);
  while (!finalStates.includes(envelope.status)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    envelope = await signer.getEnvelope(envelope.id);
    console.log(`envelope ${envelope.id}: ${envelope.status}`);
  }
  if (envelope.status !== 'completed') process.exit(1);

  const out = env('SIGNET_OUT', 'signed.pdf');
  const signed = await signer.downloadDocument(envelope.id, 0);
  await writeFile(out, signed);
  const report = await signer.verify(signed);
  console.log(`${out}: ${signed.length} bytes, ${report.signatures.length} signature(s), ${report.indication}`);
  console.log(`token requests sent: ${tokenRequests}`);
  process.exit(report.valid ? 0 : 1);
} catch (error) {
  if (error instanceof SdkError) {
    console.error(`${error.code}${error.error ? ` ${error.error}` : ''}: ${error.error_description ?? error.message}`);
    process.exit(1);
  }
  throw error;
}
