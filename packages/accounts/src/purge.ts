import { randomUUID } from 'node:crypto';
import { claimScheduledJob, ensureScheduledJob, finishScheduledJob } from '@signet/store';
import { THROTTLE_WINDOW } from './endpoints/interaction-login.js';
import type { FaceEnrolmentLinkRepository } from './people/face-enrolment-link-repository.js';
import type { Store } from './store/accounts-store.js';

/** How often each node checks whether the purge is due. */
export const PURGE_TICK_MS = 60_000;
/** How often the purge of expired rows is due, per deployment. */
export const PURGE_INTERVAL_SECONDS = 600;
// Longer than any purge takes; a node that dies holding it only delays the next purge.
const PURGE_LEASE_SECONDS = 300;
// An expired or used enrolment link still says so, rather than "unknown", for a week.
const FACE_ENROLMENT_LINK_KEEP = 7 * 86_400;
const JOB = 'purge';

/** What one purge deleted (the repositories that count). */
export interface PurgeReport {
  revokedTokens: number;
  sessions: number;
  interactions: number;
  loginThrottle: number;
}

/**
 * Deletes expired sessions, authorization codes, refresh and grant access tokens, interactions,
 * revocation records, login-throttle rows, face enrolment links and passkey challenges, once every
 * {@link PURGE_INTERVAL_SECONDS} per deployment, not per node: the node that takes the
 * `scheduled_jobs` lease runs it. Returns the report, or undefined when it is not due or another
 * node holds it. A failed purge is recorded in `last_result` and thrown.
 */
export async function runScheduledPurge(
  store: Store,
  faceEnrolmentLinks: FaceEnrolmentLinkRepository,
  now: number,
): Promise<PurgeReport | undefined> {
  await ensureScheduledJob(store.db, JOB, now);
  const token = randomUUID();
  if (!(await claimScheduledJob(store.db, JOB, now, PURGE_LEASE_SECONDS, token))) return undefined;
  const finish = (result: unknown) =>
    finishScheduledJob(store.db, JOB, token, {
      ranAt: now,
      nextRunAt: now + PURGE_INTERVAL_SECONDS,
      result: JSON.stringify(result),
    });
  try {
    const [revokedTokens, sessions, interactions, , loginThrottle] = await Promise.all([
      store.revokedTokens.purgeExpired(now),
      store.sessions.purgeExpired(now),
      store.interactions.purgeExpired(now),
      store.grants.purgeExpired(now),
      store.loginThrottle.purgeExpired(now, THROTTLE_WINDOW),
      faceEnrolmentLinks.purgeExpired(now, FACE_ENROLMENT_LINK_KEEP),
      store.passkeys.purgeExpired(now),
    ]);
    const report = { revokedTokens, sessions, interactions, loginThrottle };
    await finish(report);
    return report;
  } catch (error) {
    await finish({ error: error instanceof Error ? error.message : String(error) }).catch(() => {});
    throw error;
  }
}
