/** `npm run generate:sdk-types`: regenerates the SDK's Signer API types (see generate.ts). */
import { writeFileSync } from 'node:fs';
import { generateSdkTypes, SDK_TYPES_PATH } from './generate.js';

writeFileSync(SDK_TYPES_PATH, await generateSdkTypes());
console.log(`wrote ${SDK_TYPES_PATH}`);
