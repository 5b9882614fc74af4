import type { ClientCache } from './client-cache.js';
import type { Config } from './config.js';
import type { ClientSecretVerifier } from './crypto/client-secret.js';
import type { DerivedKeys } from './crypto/master-key.js';
import type { FaceService } from './face/service.js';
import type { Keyring } from './keys/keyring.js';
import type { FaceEnrolmentLinkRepository } from './people/face-enrolment-link-repository.js';
import type { Store } from './store/accounts-store.js';
import type { AccessTokens } from './tokens/access-token.js';
import type { IdTokens } from './tokens/id-token.js';

/** What every endpoint of the accounts service works with. */
export interface AccountsContext {
  config: Config;
  store: Store;
  keyring: Keyring;
  accessTokens: AccessTokens;
  idTokens: IdTokens;
  /** Client lookups for the protocol endpoints, cached briefly (see ClientCache). */
  clients: ClientCache;
  /** Client secrets checked against their stored hashes, those seen before from memory. */
  clientSecrets: ClientSecretVerifier;
  keys: DerivedKeys;
  /** The face verifier pool, started on first use. */
  faces: FaceService;
  /** One-time face enrolment links, over `store.db`. */
  faceEnrolmentLinks: FaceEnrolmentLinkRepository;
  /** The clock, in epoch seconds; tests inject their own. */
  now: () => number;
}
