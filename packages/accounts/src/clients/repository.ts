import type { Kysely, Selectable } from 'kysely';
import type { ClientTable, Database } from '../store/schema.js';
import { SubjectClashError } from '../store/subject-clash-error.js';
import { denyGrantAccessTokens } from '../tokens/deny-grant-tokens-repository.js';

/** An OAuth 2.0 client as the rest of Signet sees it. */
export interface Client {
  clientId: string;
  clientName: string;
  /** Keyed hash of the client secret, or null for a client without one. */
  clientSecretHash: string | null;
  grantTypes: string[];
  responseTypes: string[];
  redirectUris: string[];
  /** Space-delimited scopes the client may request. */
  scope: string;
  /** Audiences (resource servers) the client may request tokens for. */
  audience: string[];
  tokenEndpointAuthMethod: string;
  /** First-party client: its users are never asked for consent (Hydra's `skip_consent`). */
  skipConsent: boolean;
  /** Where RP-Initiated Logout may send the person afterwards; exact match. */
  postLogoutRedirectUris: string[];
  /** Epoch seconds. */
  createdAt: number;
  /** Epoch seconds. */
  updatedAt: number;
}

/** Fields an update may change; the id, the secret and the creation time are not among them. */
export type ClientPatch = Partial<Omit<Client, 'clientId' | 'clientSecretHash' | 'createdAt' | 'updatedAt'>>;

const toRow = (c: Client): Selectable<ClientTable> => ({
  client_id: c.clientId,
  client_name: c.clientName,
  client_secret_hash: c.clientSecretHash,
  grant_types: JSON.stringify(c.grantTypes),
  response_types: JSON.stringify(c.responseTypes),
  redirect_uris: JSON.stringify(c.redirectUris),
  scope: c.scope,
  audience: JSON.stringify(c.audience),
  token_endpoint_auth_method: c.tokenEndpointAuthMethod,
  skip_consent: c.skipConsent ? 1 : 0,
  post_logout_redirect_uris: JSON.stringify(c.postLogoutRedirectUris),
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

const fromRow = (r: Selectable<ClientTable>): Client => ({
  clientId: r.client_id,
  clientName: r.client_name,
  clientSecretHash: r.client_secret_hash,
  grantTypes: JSON.parse(r.grant_types) as string[],
  responseTypes: JSON.parse(r.response_types) as string[],
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  scope: r.scope,
  audience: JSON.parse(r.audience) as string[],
  tokenEndpointAuthMethod: r.token_endpoint_auth_method,
  skipConsent: Number(r.skip_consent) === 1,
  postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris) as string[],
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Persistence of OAuth 2.0 client registrations. */
export class ClientRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a new client; fails if the `clientId` is taken, and with {@link SubjectClashError}
   * if it is a person's id (their `sub`).
   */
  async create(client: Client): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const person = await trx.selectFrom('users').select('id').where('id', '=', client.clientId).executeTakeFirst();
      if (person) throw new SubjectClashError(client.clientId, 'person');
      await trx.insertInto('clients').values(toRow(client)).execute();
    });
  }

  /** The client with this id, or undefined. */
  async get(clientId: string): Promise<Client | undefined> {
    const row = await this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Clients ordered by id, `limit` at a time, starting after the `after` id (keyset pagination). */
  async list(options: { limit: number; after?: string }): Promise<Client[]> {
    let q = this.db.selectFrom('clients').selectAll().orderBy('client_id').limit(options.limit);
    if (options.after !== undefined) q = q.where('client_id', '>', options.after);
    return (await q.execute()).map(fromRow);
  }

  /** Applies a patch atomically and returns the updated client, or undefined if it does not exist. */
  async update(clientId: string, patch: ClientPatch, now: number): Promise<Client | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      if (!row) return undefined;
      const next: Client = { ...fromRow(row), ...patch, clientId, updatedAt: now };
      const { client_id: _id, created_at: _created, client_secret_hash: _secret, ...values } = toRow(next);
      await trx.updateTable('clients').set(values).where('client_id', '=', clientId).execute();
      return next;
    });
  }

  /** Replaces the stored secret hash; false if the client does not exist. */
  async setSecretHash(clientId: string, hash: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('clients')
      .set({ client_secret_hash: hash, updated_at: now })
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Deletes a client and, by cascade, the grants people gave it with their codes and refresh
   * tokens. Access tokens still live under those grants are deny-listed in the same transaction,
   * as when a person is deleted. False if the client did not exist.
   */
  async delete(clientId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await denyGrantAccessTokens(trx, { column: 'client_id', value: clientId });
      const r = await trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
      return r.numDeletedRows > 0n;
    });
  }
}
