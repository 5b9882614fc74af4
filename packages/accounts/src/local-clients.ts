import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@signet/store';
import { createClient } from './admin/clients.js';
import type { AccountsContext } from './context.js';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from './crypto/client-secret.js';

/** The demo client's fixed id. */
export const DEMO_CLIENT_ID = 'signet-demo';

/**
 * Makes sure the demo client exists and returns its credentials. The secret is kept in
 * `<dataDir>/demo-client.json` (mode 0600) so every start can print the same ready-to-paste
 * curl; the database holds only its hash, as for every client. A missing, damaged or stale
 * file gets a new secret; a changed `SIGNET_SIGNER_AUDIENCE` is added to the client's audiences
 * so the printed curl keeps working.
 */
export async function ensureDemoClient(ctx: AccountsContext): Promise<{ clientId: string; clientSecret: string }> {
  const file = join(ctx.config.dataDir, 'demo-client.json');
  let existing = await ctx.store.clients.get(DEMO_CLIENT_ID);
  if (existing && !existing.audience.includes(ctx.config.signerAudience)) {
    existing = await ctx.store.clients.update(
      DEMO_CLIENT_ID,
      { audience: [...existing.audience, ctx.config.signerAudience] },
      ctx.now(),
    );
    ctx.clients.invalidate(DEMO_CLIENT_ID);
  }
  const saved = existing && savedSecret(file);
  if (existing && saved && verifyClientSecret(ctx.keys.clientSecret, saved, existing.clientSecretHash)) {
    return { clientId: DEMO_CLIENT_ID, clientSecret: saved };
  }
  const secret = existing ? await reissueSecret(ctx, existing) : await createDemoClient(ctx);
  ctx.clients.invalidate(DEMO_CLIENT_ID);
  mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify({ client_id: DEMO_CLIENT_ID, client_secret: secret }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { clientId: DEMO_CLIENT_ID, clientSecret: secret };
}

/** The secret in the demo file, or undefined when the file is missing or not what we wrote. */
function savedSecret(file: string): string | undefined {
  try {
    const saved: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (saved && typeof saved === 'object' && 'client_secret' in saved && typeof saved.client_secret === 'string') {
      return saved.client_secret;
    }
  } catch {
    // Missing or damaged: a new secret is issued below.
  }
  return undefined;
}

async function reissueSecret(ctx: AccountsContext, client: Client): Promise<string> {
  const secret = generateClientSecret();
  await ctx.store.clients.setSecretHash(client.clientId, hashClientSecret(ctx.keys.clientSecret, secret), ctx.now());
  return secret;
}

async function createDemoClient(ctx: AccountsContext): Promise<string> {
  const created = await createClient(ctx, { client_id: DEMO_CLIENT_ID, client_name: 'Signet demo integrator' });
  return created.client_secret as string;
}
