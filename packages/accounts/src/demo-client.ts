import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from './admin/clients.js';
import type { AccountsContext } from './context.js';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from './crypto/client-secret.js';

/** The demo client's fixed id. */
export const DEMO_CLIENT_ID = 'signet-demo';

/**
 * Makes sure the demo client exists and returns its credentials. The secret is kept in
 * `<dataDir>/demo-client.json` (mode 0600) so every start can print the same ready-to-paste
 * curl; the database holds only its hash, as for every client.
 */
export async function ensureDemoClient(ctx: AccountsContext): Promise<{ clientId: string; clientSecret: string }> {
  const file = join(ctx.config.dataDir, 'demo-client.json');
  const existing = await ctx.store.clients.get(DEMO_CLIENT_ID);
  if (existing && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { client_secret?: string };
    if (
      saved.client_secret &&
      verifyClientSecret(ctx.keys.clientSecret, saved.client_secret, existing.clientSecretHash)
    ) {
      return { clientId: DEMO_CLIENT_ID, clientSecret: saved.client_secret };
    }
  }
  let secret: string;
  if (existing) {
    secret = generateClientSecret();
    await ctx.store.clients.setSecretHash(DEMO_CLIENT_ID, hashClientSecret(ctx.keys.clientSecret, secret), ctx.now());
  } else {
    const created = await createClient(ctx, { client_id: DEMO_CLIENT_ID, client_name: 'Signet demo integrator' });
    secret = created.client_secret as string;
  }
  writeFileSync(file, `${JSON.stringify({ client_id: DEMO_CLIENT_ID, client_secret: secret }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { clientId: DEMO_CLIENT_ID, clientSecret: secret };
}
