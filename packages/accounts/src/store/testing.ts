import { testStores } from '@signet/store/testing';
import { openStore, type Store } from './accounts-store.js';

/** A backend accounts' storage tests run on, opening a fresh, migrated, empty store. */
export interface AccountsTestBackend {
  name: string;
  /** Why this backend is skipped, or undefined when it runs. */
  skip?: string;
  /** Opens a fresh, migrated, empty store and a function that removes it. */
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

/**
 * The backends every accounts storage test runs on: SQLite always, PostgreSQL when
 * `TEST_DATABASE_URL` is set. Each PostgreSQL store lives in its own schema.
 */
export function testBackends(): AccountsTestBackend[] {
  return testStores(openStore);
}
