import { setBounded } from '@signet/store';
import type { Client, ClientRepository } from './clients/repository.js';

/** Where {@link authenticateClient} looks clients up: the repository or a cache in front of it. */
export interface ClientLookup {
  get(clientId: string): Promise<Client | undefined>;
}

/**
 * A client_id is `*VSCHAR` (RFC 6749 Appendix A.1): printable ASCII. Anything else cannot name
 * a client, and must not reach the database (PostgreSQL refuses NUL bytes in text).
 */
const CLIENT_ID = /^[\x20-\x7E]{1,256}$/;

/**
 * A small cache of client registrations in front of the store, owned by one process.
 *
 * The token endpoint looks the client up on every request; caching it for a short `ttl`
 * removes that query from the hot path. Changes made through this process's admin API
 * invalidate the entry at once; changes made on another node reach this one within `ttl`
 * seconds. Unknown clients are not cached, so a new client works immediately everywhere.
 */
export class ClientCache implements ClientLookup {
  private readonly entries = new Map<string, { client: Client; until: number }>();

  constructor(
    private readonly repository: ClientRepository,
    /** Seconds an entry may be served. */
    private readonly ttl: number,
    private readonly now: () => number,
    /** Most entries kept; the oldest is dropped first. */
    private readonly maxEntries = 10_000,
  ) {}

  async get(clientId: string): Promise<Client | undefined> {
    if (!CLIENT_ID.test(clientId)) return undefined;
    const hit = this.entries.get(clientId);
    const now = this.now();
    if (hit && hit.until > now) return hit.client;
    const client = await this.repository.get(clientId);
    if (!client) {
      this.entries.delete(clientId);
      return undefined;
    }
    setBounded(this.entries, clientId, { client, until: now + this.ttl }, this.maxEntries);
    return client;
  }

  /** Forgets a client after it changed or was deleted. */
  invalidate(clientId: string): void {
    this.entries.delete(clientId);
  }
}
