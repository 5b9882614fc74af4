import type { KeySource } from '@signet/sdk';
import type { FastifyBaseLogger } from 'fastify';
import type { SignerConfig } from './config.js';
import type { UntrustedPdfs } from './pdf/untrusted.js';
import type { SignerStore } from './store/signer-store.js';

/**
 * What every part of the Signer is built from, assembled once by `createSigner`. Parts take the
 * slice they need (`Pick<SignerContext, ...>`), so tests can build them alone.
 */
export interface SignerContext {
  config: SignerConfig;
  store: SignerStore;
  log: FastifyBaseLogger;
  /** Current time in epoch seconds; tests inject a controllable clock. */
  now: () => number;
  /** The issuer's keys (discovery → jwks_uri), cached, refetched once on an unknown `kid`. */
  issuerKeys: KeySource;
  /** The issuer identifier from `SIGNET_ISSUER`, as discovery confirmed it. */
  issuer: string;
  /** 32-byte key from which the Signer derives its sealing keys (HKDF, one per purpose). */
  masterKey: Buffer;
  /** The worker pool that reads untrusted PDFs; the main thread loads a PDF only after it admitted it. */
  pdfs: UntrustedPdfs;
}
