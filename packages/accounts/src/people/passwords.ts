import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1): ~20 ms on one core here, for people only.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a person's password with argon2id. */
export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

// Verified against when the username is unknown, so both failures take the same time.
const DUMMY = hash('signet-dummy-password', OPTIONS);

/** Checks a password against a stored hash (or a dummy one when there is none), in constant time. */
export async function verifyPassword(password: string, storedHash: string | null): Promise<boolean> {
  try {
    const ok = await verify(storedHash ?? (await DUMMY), password);
    return ok && storedHash !== null;
  } catch {
    return false;
  }
}

/** Rules for a new password: long enough to resist guessing, short enough to hash quickly. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return 'password must be at least 10 characters long';
  if (password.length > 256) return 'password must be at most 256 characters long';
  return undefined;
}
