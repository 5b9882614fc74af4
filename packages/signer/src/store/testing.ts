import { testStores } from '@signet/store/testing';
import { openSignerStore, type SignerStore } from './signer-store.js';

/** A backend the Signer's storage tests run on. */
export interface SignerTestBackend {
  name: string;
  /** Why this backend is skipped, or undefined when it runs. */
  skip?: string;
  /** A fresh, migrated, empty Signer store and a function that removes it. */
  open(): Promise<{ store: SignerStore; dispose(): Promise<void> }>;
}

/** SQLite always, PostgreSQL (a fresh schema each) when `TEST_DATABASE_URL` is set. */
export function signerTestBackends(): SignerTestBackend[] {
  return testStores(openSignerStore);
}
