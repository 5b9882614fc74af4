import { hkdfSync } from 'node:crypto';
import { invalidField } from '@signet/protocol';
import { seal, unseal } from '@signet/store';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import { isPrivateHost, PRIVATE_HOST, type PrivateNetworkPolicy } from './private-networks.js';
import { generateWebhookSecret } from './signature.js';

/** The key that seals webhook secrets at rest, derived from the Signer's master key (HKDF-SHA256). */
export const deriveWebhookKey = (masterKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signet-signer/webhook/v1', 32));

const MAX_URL_LENGTH = 2048;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a webhook or envelope callback URL and returns it normalized: `https`, or `http` on
 * localhost only (a plain-text webhook would expose signed envelope events on the network); no
 * credentials, no fragment; under `deny`, no `localhost` or private IP-literal host (a host name
 * is checked when it is resolved, at delivery). Throws `invalid_request` naming `field`.
 */
export function checkCallbackUrl(value: unknown, field: string, privateNetworks: PrivateNetworkPolicy): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidField(field, 'must be a URL');
  if (value.length > MAX_URL_LENGTH) throw invalidField(field, `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField(field, 'must be an absolute URL');
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw invalidField(field, 'must use https (http is allowed for localhost only)');
  if (url.username || url.password) throw invalidField(field, 'must not contain credentials');
  if (url.hash) throw invalidField(field, 'must not contain a fragment');
  if (privateNetworks === 'deny' && isPrivateHost(url.hostname)) throw invalidField(field, PRIVATE_HOST);
  return url.href;
}

/** A client's webhook settings as the API shows them (never the secret). */
export interface WebhookSettings {
  url: string | null;
  hasSecret: boolean;
}

/** Reads and changes clients' webhook URLs and signing secrets; secrets are sealed at rest. */
export class WebhookSettingsRepository {
  constructor(
    private readonly db: Kysely<SignerDatabase>,
    private readonly key: Buffer,
    private readonly nowMs: () => number,
  ) {}

  /** The client's settings; no row reads as no URL and no secret. */
  async get(clientId: string): Promise<WebhookSettings> {
    const row = await this.db
      .selectFrom('webhook_settings')
      .select(['url', 'secret_sealed'])
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return { url: row?.url ?? null, hasSecret: Boolean(row?.secret_sealed) };
  }

  /** Sets the client's webhook URL (null removes it). */
  async setUrl(clientId: string, url: string | null): Promise<void> {
    const t = this.nowMs();
    await this.db
      .insertInto('webhook_settings')
      .values({ client_id: clientId, url, secret_sealed: null, updated_at_ms: t })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ url, updated_at_ms: t }))
      .execute();
  }

  /** Replaces the client's secret with a new one and returns it; the only time it is readable through the API. */
  async rotateSecret(clientId: string): Promise<string> {
    const secret = generateWebhookSecret();
    const sealed = seal(this.key, secret, context(clientId));
    const t = this.nowMs();
    await this.db
      .insertInto('webhook_settings')
      .values({ client_id: clientId, url: null, secret_sealed: sealed, updated_at_ms: t })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ secret_sealed: sealed, updated_at_ms: t }))
      .execute();
    return secret;
  }

  /**
   * The client's current secret, creating one when it has none. Concurrent callers (two nodes
   * sending to one client) end with the same secret: only a row without a secret is written,
   * and the stored one is read back. `created` tells whether this call made it.
   */
  async ensureSecret(clientId: string): Promise<{ secret: string; created: boolean }> {
    const candidate = generateWebhookSecret();
    const sealed = seal(this.key, candidate, context(clientId));
    const t = this.nowMs();
    await this.db
      .insertInto('webhook_settings')
      .values({ client_id: clientId, url: null, secret_sealed: sealed, updated_at_ms: t })
      .onConflict((oc) =>
        oc
          .column('client_id')
          .doUpdateSet({ secret_sealed: sealed, updated_at_ms: t })
          .where('webhook_settings.secret_sealed', 'is', null),
      )
      .execute();
    const row = await this.db
      .selectFrom('webhook_settings')
      .select('secret_sealed')
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    if (!row.secret_sealed) throw new Error('webhook secret vanished while being created');
    const secret = unseal(this.key, row.secret_sealed, context(clientId));
    return { secret, created: row.secret_sealed === sealed };
  }
}

const context = (clientId: string) => `webhook-secret:${clientId}`;
