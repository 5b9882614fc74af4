import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@signet/protocol';

/**
 * Reads a generated secret from the data directory, creating it (mode 0600) when it does
 * not exist. The file is written in full under a temporary name and then hard-linked into
 * place, which fails if the name exists: two processes starting together agree on one
 * value, and neither can read the file while it is still empty.
 */
export function readSecretFile(
  dataDir: string,
  name: string,
  generate: () => string,
): { value: string; path: string; created: boolean } {
  const path = join(dataDir, name);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = generate();
  const temporary = join(dataDir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
    return { value, path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return { value: readFileSync(path, 'utf8').trim(), path, created: false };
}

/** Bytes of a master key (AES-256 and HMAC-SHA256 keys are derived from it). */
export const MASTER_KEY_BYTES = 32;

/**
 * A service's master key: the configured one (`variable`, base64url), or the one in
 * `<dataDir>/<file>`, created on first start. An empty or damaged file is refused rather than
 * becoming a short, guessable key.
 */
export function loadMasterKey(
  configured: string | undefined,
  dataDir: string,
  where: { file: string; variable: string },
): Buffer {
  if (configured) return Buffer.from(configured, 'base64url');
  const { value, path } = readSecretFile(dataDir, where.file, () =>
    randomBytes(MASTER_KEY_BYTES).toString('base64url'),
  );
  const key = Buffer.from(value, 'base64url');
  if (key.length < MASTER_KEY_BYTES) {
    throw new ConfigError(
      where.variable,
      `${path} does not hold a ${MASTER_KEY_BYTES}-byte base64url key; restore it from a backup, or set ${where.variable} to the key this database was created with`,
    );
  }
  return key;
}
