import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a generated secret from the data directory, creating it (mode 0600, exclusive
 * create so two processes starting together cannot both write) when it does not exist.
 */
export function readSecretFile(
  dataDir: string,
  name: string,
  generate: () => string,
): { value: string; path: string; created: boolean } {
  const path = join(dataDir, name);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
    return { value: readFileSync(path, 'utf8').trim(), path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { value: readFileSync(path, 'utf8').trim(), path, created: false };
}
