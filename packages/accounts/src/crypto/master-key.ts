import { hkdfSync } from 'node:crypto';
import { loadMasterKey as loadKeyFile, MASTER_KEY_BYTES } from '@signet/store';

export { MASTER_KEY_BYTES };

/**
 * Keys derived from the master key, one per purpose (HKDF-SHA256, RFC 5869), so a
 * compromise of one use never exposes another.
 */
export interface DerivedKeys {
  /** AES-256-GCM key that seals private signing keys at rest. */
  seal: Buffer;
  /** HMAC-SHA256 key for client-secret hashes. */
  clientSecret: Buffer;
  /** HMAC-SHA256 key for CSRF tokens derived from a session. */
  csrf: Buffer;
  /** AES-256-GCM key that seals people's face templates at rest. */
  face: Buffer;
  /** HMAC-SHA256 key for the stored hashes of face enrolment links' tokens. */
  faceEnrolment: Buffer;
}

/** Derives the purpose keys from the master key. */
export function deriveKeys(masterKey: Buffer): DerivedKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  return {
    seal: derive('signet/seal/v1'),
    clientSecret: derive('signet/client-secret/v1'),
    csrf: derive('signet/csrf/v1'),
    face: derive('signet/face/v1'),
    faceEnrolment: derive('signet/face-enrolment-link/v1'),
  };
}

/** Loads the configured master key, or the one in `<dataDir>/master-key`, creating it on first start. */
export function loadMasterKey(configured: string | undefined, dataDir: string): Buffer {
  return loadKeyFile(configured, dataDir, { file: 'master-key', variable: 'SIGNET_MASTER_KEY' });
}
