import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, OAuthError } from '@signet/protocol';
import { type ClientBody, checkRegisteredRedirectUri, createClient } from './admin/clients.js';
import type { Client, ClientPatch } from './clients/repository.js';
import type { AccountsContext } from './context.js';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from './crypto/client-secret.js';

/** The demo client's fixed id. */
export const DEMO_CLIENT_ID = 'signet-demo';
/** The fixed id of the Signer's own client, used by its signing page (`signet start` provisions it). */
export const SIGNER_CLIENT_ID = 'signet-signer';

/** A client `signet start` keeps for a local service or the newcomer, with its secret in the data directory. */
interface LocalClient {
  clientId: string;
  /** File under the data directory that keeps the secret (mode 0600). */
  file: string;
  /** The admin API body it is created with. */
  body: ClientBody;
  /** The fields to correct when the stored client no longer fits the configuration, or undefined. */
  drift(client: Client): ClientPatch | undefined;
}

/**
 * Makes sure the demo client exists and returns its credentials. The secret is kept in
 * `<dataDir>/demo-client.json` (mode 0600) so every start can print the same ready-to-paste
 * curl; the database holds only its hash, as for every client. A missing, damaged or stale
 * file gets a new secret; a changed `SIGNET_SIGNER_AUDIENCE` is added to the client's audiences
 * so the printed curl keeps working.
 */
export function ensureDemoClient(ctx: AccountsContext): Promise<{ clientId: string; clientSecret: string }> {
  const audience = ctx.config.signerAudience;
  return ensureLocalClient(ctx, {
    clientId: DEMO_CLIENT_ID,
    file: 'demo-client.json',
    body: { client_id: DEMO_CLIENT_ID, client_name: 'Signet demo integrator' },
    drift: (client) => (client.audience.includes(audience) ? undefined : { audience: [...client.audience, audience] }),
  });
}

/**
 * Makes sure the Signer's own OIDC client exists, for the signing page of invited persons: the
 * authorization code flow back to `<signerPublicUrl>/sign/callback`, consent skipped (the person
 * signs in to sign, on Signet's own page). Its secret is kept in `<dataDir>/signer-client.json`
 * (0600) and handed to the Signer in the same process; a changed public URL updates the redirect.
 */
export async function ensureSignerClient(
  ctx: AccountsContext,
  signerPublicUrl: string,
): Promise<{ clientId: string; clientSecret: string }> {
  const redirectUri = `${signerPublicUrl.replace(/\/+$/, '')}/sign/callback`;
  try {
    checkRegisteredRedirectUri('redirect_uris', redirectUri);
  } catch (error) {
    // Say which setting to fix, on a first start and on a restart with a changed URL alike.
    if (error instanceof OAuthError) throw new ConfigError('SIGNET_SIGNER_PUBLIC_URL', error.message);
    throw error;
  }
  return ensureLocalClient(ctx, {
    clientId: SIGNER_CLIENT_ID,
    file: 'signer-client.json',
    body: {
      client_id: SIGNER_CLIENT_ID,
      client_name: 'Signet Signer',
      grant_types: ['authorization_code'],
      redirect_uris: [redirectUri],
      scope: 'openid profile credential email',
      skip_consent: true,
    },
    drift: (client) =>
      client.redirectUris.length === 1 && client.redirectUris[0] === redirectUri
        ? undefined
        : { redirectUris: [redirectUri] },
  });
}

async function ensureLocalClient(
  ctx: AccountsContext,
  local: LocalClient,
): Promise<{ clientId: string; clientSecret: string }> {
  const file = join(ctx.config.dataDir, local.file);
  let existing = await ctx.store.clients.get(local.clientId);
  const patch = existing && local.drift(existing);
  if (existing && patch) {
    existing = await ctx.store.clients.update(local.clientId, patch, ctx.now());
    ctx.clients.invalidate(local.clientId);
  }
  const saved = existing && savedSecret(file);
  if (existing && saved && verifyClientSecret(ctx.keys.clientSecret, saved, existing.clientSecretHash)) {
    return { clientId: local.clientId, clientSecret: saved };
  }
  const secret = existing
    ? await reissueSecret(ctx, existing)
    : ((await createClient(ctx, local.body)).client_secret as string);
  ctx.clients.invalidate(local.clientId);
  mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify({ client_id: local.clientId, client_secret: secret }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { clientId: local.clientId, clientSecret: secret };
}

/** The secret in a local client's file, or undefined when the file is missing or not what we wrote. */
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
