/**
 * The Signer API's request and response types for the SDK, generated from the Signer's own
 * OpenAPI document (`GET /openapi.json` of a Signer started in-process) with openapi-typescript,
 * then formatted with the repository's Biome settings. `npm run generate:sdk-types` writes
 * the result; `generate.test.ts` fails when the committed file differs.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { testSigner } from '@signet/testing/signer';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

/** Where the generated types are committed. */
export const SDK_TYPES_PATH = fileURLToPath(new URL('../../packages/sdk/src/signer-api.generated.ts', import.meta.url));

const HEADER = `/**
 * The Signer API's paths, operations and schemas, generated from the Signer's OpenAPI document
 * (\`GET /openapi.json\`) by openapi-typescript. Do not edit: run \`npm run generate:sdk-types\`.
 * The names the SDK exports are in \`signer-types.ts\`.
 */
`;

/** The Signer's OpenAPI document, as a freshly started Signer serves it. */
export async function signerOpenApiDocument(): Promise<OpenAPI3> {
  const signer = await testSigner();
  try {
    const res = await signer.app.inject({ url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
    return res.json();
  } finally {
    await signer.dispose();
  }
}

/** The generated file's full text, formatted as Biome formats the repository. */
export async function generateSdkTypes(): Promise<string> {
  const source = HEADER + astToString(await openapiTS(await signerOpenApiDocument()));
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${SDK_TYPES_PATH}`], {
    input: source,
    encoding: 'utf8',
  });
}
