import { testLocations } from '@signet/store/testing';
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
  return testLocations().map((location) => ({
    name: location.name,
    ...(location.skip ? { skip: location.skip } : {}),
    async open() {
      const { options, dispose } = await location.create();
      const store = openSignerStore(options);
      await store.migrate();
      return {
        store,
        async dispose() {
          await store.close();
          await dispose();
        },
      };
    },
  }));
}
