import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where the integrator commands keep what outlives one invocation: `signet login`'s session and
// the cached client_credentials access tokens. Bearer tokens, so the directory is 0700 and every
// file 0600, written whole (temporary file, then rename) so a concurrent run never reads half.

/** `$XDG_CONFIG_HOME/signet` (default `~/.config/signet`), where `signet login` keeps the tokens. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'signet');
}

/** The file `signet login` writes (mode 0600). */
export function sessionFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'session.json');
}

/** The client_credentials access tokens the integrator commands reuse (mode 0600). */
export function tokenCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'access-tokens.json');
}

/** A JSON file of the config dir, or `undefined` when it is missing or unreadable. */
export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes `value` as JSON to `file` in the config dir: 0700 dir, 0600 file, atomically. */
export function writePrivateJson(file: string, value: unknown): void {
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // also when a stale temporary file was there before
  renameSync(temporary, file);
}
