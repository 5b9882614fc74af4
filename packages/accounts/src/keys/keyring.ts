import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { seal, unseal } from '@signet/store';
import { createLocalJWKSet } from 'jose';
import type { SigningAlg } from '../config.js';
import type { NewSigningKey, SigningKey, SigningKeyRepository } from './repository.js';
import { perTurnBatch } from './turn-batch.js';

/** How often each node re-reads the keys, so a rotation made on any node reaches every node. */
export const KEY_REFRESH_SECONDS = 10;

/** `max-age` of `/.well-known/jwks.json`: how long verifiers and HTTP caches may keep the key set. */
export const JWKS_MAX_AGE_SECONDS = 60;

/**
 * How long a next key is published before it may sign: every node has reloaded it
 * ({@link KEY_REFRESH_SECONDS}) and every key set a verifier or cache holds, fetched before it
 * appeared, has expired ({@link JWKS_MAX_AGE_SECONDS}). A verifier that follows `max-age` or
 * refetches on an unknown `kid` then never meets a key it could not have seen.
 */
export const PUBLISH_LEAD_SECONDS = JWKS_MAX_AGE_SECONDS + KEY_REFRESH_SECONDS;

/** Why the keys cannot be rotated now: the next key has not been published long enough. */
export class KeyRotateError extends Error {
  constructor(
    message: string,
    /** Epoch seconds from which the rotation is safe. */
    readonly rotatableAt: number,
  ) {
    super(message);
    this.name = 'KeyRotateError';
  }
}

/**
 * Seconds beyond the token lifetime before a previous key may be retired. Other nodes keep
 * signing with it until their next refresh ({@link KEY_REFRESH_SECONDS}), and resource
 * servers commonly accept a token some seconds past `exp` to allow for clock skew.
 */
export const RETIRE_GRACE_SECONDS = 60;

/** Why a key cannot be retired: `not_found`, `not_previous` (it signs, will sign, or is retired), `too_early`. */
export class KeyRetireError extends Error {
  constructor(
    readonly code: 'not_found' | 'not_previous' | 'too_early',
    message: string,
    /** For `too_early`: epoch seconds from which the key can be retired. */
    readonly retirableAt?: number,
  ) {
    super(message);
    this.name = 'KeyRetireError';
  }
}

/** A public JWK as published in the JWKS. */
export type PublicJwk = Record<string, unknown> & { kid: string; alg: string; kty: string; use: 'sig' };

interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: KeyObject;
}

/**
 * The issuer's signing keys, loaded from the store and kept in memory. The active key
 * signs; the JWKS publishes next, active and previous keys. Each node reloads on an
 * interval so a rotation made on any node reaches every node.
 */
export class Keyring {
  private active: ActiveKey | undefined;
  private jwks: { keys: PublicJwk[] } = { keys: [] };
  private verifyKeys: { source: object; keys: ReturnType<typeof createLocalJWKSet> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly sealKey: Buffer,
    private readonly alg: SigningAlg,
    private readonly now: () => number,
  ) {}

  /** Creates the first key pair if the store has none, then loads. */
  async initialize(): Promise<void> {
    if ((await this.repository.list()).length === 0) {
      await this.repository.initialize(this.generate(), this.generate(), this.now());
    }
    await this.reload();
  }

  /** Re-reads the keys from the store. */
  async reload(): Promise<void> {
    const keys = await this.repository.list();
    const active = keys.find((k) => k.status === 'active');
    if (!active) throw new Error('no active signing key in the store; run `signet migrate` and start again');
    if (this.active?.kid !== active.kid) this.active = this.open(active);
    this.jwks = { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' }) as PublicJwk) };
  }

  /** Reloads every `intervalMs` until {@link stop}; errors are reported, not thrown. */
  startRefresh(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => this.reload().catch(onError), intervalMs);
    this.timer.unref();
  }

  /** Stops the refresh timer. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** The published JSON Web Key Set (RFC 7517 §5). */
  publicJwks(): { keys: PublicJwk[] } {
    return this.jwks;
  }

  /** The published keys as a jose key set, to verify what this issuer signed; rebuilt when they change. */
  verificationKeys(): ReturnType<typeof createLocalJWKSet> {
    const source = this.jwks;
    if (this.verifyKeys?.source !== source) this.verifyKeys = { source, keys: createLocalJWKSet(source) };
    return this.verifyKeys.keys;
  }

  /** The key id and algorithm that sign right now. */
  signingKey(): { kid: string; alg: SigningAlg } {
    const a = this.requireActive();
    return { kid: a.kid, alg: a.alg };
  }

  /**
   * Signs a JWS compact serialization over `header` and `payload` with the active key. The
   * signatures asked for in one turn of the event loop are made together at its end
   * ({@link perTurnBatch}); node:crypto directly (the token endpoint's hot path); tests verify
   * the output with jose.
   */
  signJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    const key = this.requireActive();
    return this.signBatched({
      key,
      input: `${b64json({ ...header, alg: key.alg, kid: key.kid })}.${b64json(payload)}`,
    });
  }

  private readonly signBatched = perTurnBatch(({ key, input }: { key: ActiveKey; input: string }): string => {
    const data = Buffer.from(input);
    const signature =
      key.alg === 'ES256'
        ? sign('sha256', data, { key: key.key, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', data, key.key);
    return `${input}.${signature.toString('base64url')}`;
  });

  /**
   * Rotates: the published next key starts signing and a fresh next key is published. Returns the
   * new signing kid. Refused with {@link KeyRotateError} while the next key has been published for
   * less than {@link PUBLISH_LEAD_SECONDS} (the first pair, published together, may rotate at once):
   * rotations in quick succession would sign with a key verifiers have not fetched yet. `force`
   * rotates anyway, for a compromised key, accepting that verifiers refuse new tokens until they
   * refetch the key set.
   */
  async rotate(options: { force?: boolean } = {}): Promise<string> {
    if (!options.force) await this.checkPublishedLongEnough();
    const kid = await this.repository.rotate(this.generate(), this.now());
    await this.reload();
    return kid;
  }

  private async checkPublishedLongEnough(): Promise<void> {
    const keys = await this.repository.list(true);
    const next = keys.find((k) => k.status === 'next');
    // Before the first rotation the next key was published with the first key set: no verifier has a set without it.
    const rotatedBefore = keys.some((k) => k.status === 'previous' || k.status === 'retired');
    if (!next || !rotatedBefore) return;
    const rotatableAt = next.createdAt + PUBLISH_LEAD_SECONDS;
    if (this.now() >= rotatableAt) return;
    throw new KeyRotateError(
      `the next key ${next.kid} was published at ${new Date(next.createdAt * 1000).toISOString()}; verifiers may not ` +
        `have it yet, so it signs from ${new Date(rotatableAt * 1000).toISOString()} (force the rotation only for a ` +
        'compromised key: verifiers then refuse new tokens until they refetch the key set)',
      rotatableAt,
    );
  }

  /**
   * Stops publishing a previous key, once no token it signed can still be live: one
   * `tokenLifetime` (the longest lifetime of anything it signs) plus {@link RETIRE_GRACE_SECONDS}
   * after it stopped signing. Throws {@link KeyRetireError} otherwise.
   */
  async retire(kid: string, tokenLifetime: number): Promise<SigningKey> {
    const keys = await this.repository.list(true);
    const index = keys.findIndex((k) => k.kid === kid);
    const key = keys[index];
    if (!key) throw new KeyRetireError('not_found', `signing key "${kid}" does not exist`);
    if (key.status !== 'previous') {
      throw new KeyRetireError(
        'not_previous',
        key.status === 'retired'
          ? `key "${kid}" is already retired`
          : `key "${kid}" is ${key.status}; only a previous key, which no longer signs, can be retired`,
      );
    }
    // It stopped signing when the next key in order became active.
    const stoppedAt = keys.slice(index + 1).find((k) => k.activatedAt !== null)?.activatedAt ?? this.now();
    const retirableAt = stoppedAt + tokenLifetime + RETIRE_GRACE_SECONDS;
    const now = this.now();
    if (now < retirableAt) {
      throw new KeyRetireError(
        'too_early',
        `key "${kid}" may still verify live tokens; it can be retired from ${new Date(retirableAt * 1000).toISOString()}`,
        retirableAt,
      );
    }
    if (!(await this.repository.retire(kid, now))) {
      throw new KeyRetireError('not_previous', `key "${kid}" is no longer a previous key`);
    }
    await this.reload();
    return { ...key, status: 'retired', retiredAt: now };
  }

  /** Generates a new key pair with the private part sealed under the master key. */
  private generate(): NewSigningKey {
    const kid = newKid();
    const pair =
      this.alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const privateJwk = JSON.stringify(pair.privateKey.export({ format: 'jwk' }));
    return {
      kid,
      alg: this.alg,
      publicJwk,
      privateJwkSealed: seal(this.sealKey, privateJwk, kid),
      createdAt: this.now(),
    };
  }

  private open(k: SigningKey): ActiveKey {
    let jwk: string;
    try {
      jwk = unseal(this.sealKey, k.privateJwkSealed, k.kid);
    } catch {
      throw new Error(
        `signing key ${k.kid} cannot be opened: it was sealed with a different master key. Set SIGNET_MASTER_KEY to the key this database was created with.`,
      );
    }
    return { kid: k.kid, alg: k.alg as SigningAlg, key: createPrivateKey({ key: JSON.parse(jwk), format: 'jwk' }) };
  }

  private requireActive(): ActiveKey {
    if (!this.active) throw new Error('keyring not initialized');
    return this.active;
  }
}

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * A random key id: 96 bits, base64url, never starting with `-`, so that it can be typed as a
 * command-line argument (`signet keys retire <kid>`) without being taken for an option.
 */
function newKid(): string {
  for (;;) {
    const kid = randomBytes(12).toString('base64url');
    if (!kid.startsWith('-')) return kid;
  }
}
