/**
 * `npm run example:integrator`: the integrator example on http://127.0.0.1:8080 against
 * `npm start`'s Signet. See examples/integrator/README.md.
 */
import { startIntegrator } from './app.js';
import { readConfig } from './config.js';

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const app = await startIntegrator(config);
console.log(`Acme contracts (Signet integrator example) on ${app.url}`);
console.log(`  issuer ${config.issuer}, Signer API ${config.signerUrl}, client ${config.clientId}`);
console.log('Stop with Ctrl+C.');
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
