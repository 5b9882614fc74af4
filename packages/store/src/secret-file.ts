import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
