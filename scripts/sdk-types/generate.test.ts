import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateSdkTypes, SDK_TYPES_PATH } from './generate.js';

describe("the SDK's Signer API types", () => {
  it('are what the running Signer\'s OpenAPI document generates today (run "npm run generate:sdk-types")', async () => {
    const committed = readFileSync(SDK_TYPES_PATH, 'utf8');
    const fresh = await generateSdkTypes();
    assert.ok(fresh.includes('createEnvelope'), 'the generated types describe createEnvelope');
    assert.equal(committed, fresh);
  });
});
