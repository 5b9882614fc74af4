/**
 * The accounts service's face verifier (issue 4): one {@link FaceVerifierPool}, started at the
 * first face enrolment or check (a server that never checks a face loads no model) and closed
 * with the service.
 */
import type { Config } from '../config.js';
import { FaceVerifierPool } from './pool.js';
import type { FaceVerifier } from './verifier.js';

/** Owns the face verifier pool of one accounts service. */
export class FaceService {
  #pool: FaceVerifierPool | undefined;
  #closed = false;

  constructor(private readonly config: Pick<Config, 'faceThreshold' | 'facePoolSize' | 'faceMaxAttempts'>) {}

  /** Face checks allowed per sign-in (`SIGNET_FACE_MAX_ATTEMPTS`). */
  get maxAttempts(): number {
    return this.config.faceMaxAttempts;
  }

  /** The pool, created on first use with `SIGNET_FACE_POOL_SIZE` workers and `SIGNET_FACE_THRESHOLD`. */
  get verifier(): FaceVerifier {
    if (this.#closed) throw new Error('the face service is closed');
    this.#pool ??= new FaceVerifierPool({
      size: this.config.facePoolSize,
      verifier: { options: { threshold: this.config.faceThreshold } },
    });
    return this.#pool;
  }

  /** Terminates the pool's workers, if it was ever started. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
    this.#pool = undefined;
  }
}
