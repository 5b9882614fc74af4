/** How webhook deliveries are retried. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt, in milliseconds. Default 30 000 (30 s). */
  baseMs: number;
  /** Longest delay between two attempts, in milliseconds. Default 3 600 000 (1 h). */
  maxMs: number;
  /** Attempts before a delivery is given up as `failed`. Default 30 (about 24 hours with the defaults). */
  maxAttempts: number;
}

/** 30 s doubling to a 1 h cap, 30 attempts: 3 810 s + 23 × 3 600 s ≈ 24 h before a delivery fails. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 30 };

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based), or undefined when the
 * policy is exhausted. Exponential (`base · 2^(attempt-1)`, capped) with ±20 % jitter, so
 * deliveries that failed together (a receiver outage) do not all come back in the same instant.
 */
export function retryDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.max(1, Math.round(exponential * (0.8 + 0.4 * random())));
}
