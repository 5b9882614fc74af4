import { createHash, randomUUID } from 'node:crypto';
import { claimScheduledJob, ensureScheduledJob, finishScheduledJob } from '@signet/store';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { recordAudit, SYSTEM_ACTOR, SYSTEM_ORIGIN } from '../audit/record-repository.js';
import type { SignerDatabase } from '../store/database.js';
import {
  deleteEnvelopeTrail,
  documentsToPurge,
  emptyDocument,
  envelopesDueForPurge,
  markEnvelopePurged,
  purgeUsedSignIns,
} from './repository.js';

/** What one retention run did. */
export interface RetentionReport {
  /** Envelopes whose documents and audit events were deleted. */
  purgedEnvelopes: number;
  /** Used sign-in records (id_tokens) deleted. */
  purgedSignIns: number;
}

/** What retention needs of the Signer's configuration. */
export interface RetentionPolicy {
  /** `SIGNET_SIGNER_RETENTION_DAYS`; 0 keeps documents for ever. */
  retentionDays: number;
  /** `SIGNET_SIGNER_AUTH_MAX_AGE`: how old a usable id_token's `auth_time` may be. */
  authMaxAge: number;
}

/**
 * A used sign-in is kept this long past both its id_token's `exp` and its `auth_time` window, for
 * clock skew between accounts and the Signer: before then the token is refused anyway.
 */
export const SIGN_IN_MARGIN = 3_600;
const BATCH = 100;

/**
 * Applies retention once: every envelope that ended more than `retentionDays` ago loses its
 * documents' bytes and its audit events and signing links, each in its own transaction; the
 * envelope row stays with `purged_at`, each document keeps its name, page count and the SHA-256
 * of its original and of its last signed bytes, and one `envelope.purged` audit event records
 * what was deleted and when. Used sign-in records past their usefulness are deleted too.
 */
export async function applyRetention(
  db: Kysely<SignerDatabase>,
  policy: RetentionPolicy,
  now: () => number,
): Promise<RetentionReport> {
  const report: RetentionReport = { purgedEnvelopes: 0, purgedSignIns: 0 };
  const t = now();
  report.purgedSignIns = await purgeUsedSignIns(db, t - SIGN_IN_MARGIN, policy.authMaxAge);
  if (policy.retentionDays <= 0) return report;
  const endedBy = t - policy.retentionDays * 86_400;
  for (;;) {
    const due = await envelopesDueForPurge(db, endedBy, BATCH);
    if (due.length === 0) break;
    for (const envelope of due) {
      const purged = await db.transaction().execute(async (tx) => {
        if (!(await markEnvelopePurged(tx, envelope.id, t))) return false;
        const documents = (await documentsToPurge(tx, envelope.id)).map((document) => ({
          index: document.index,
          name: document.name,
          originalSha256: document.originalSha256,
          currentSha256: createHash('sha256').update(document.current).digest('hex'),
          bytes: document.current.length,
        }));
        for (const document of documents) await emptyDocument(tx, envelope.id, document.index, document.currentSha256);
        await deleteEnvelopeTrail(tx, envelope.id);
        await recordAudit(tx, {
          envelopeId: envelope.id,
          clientId: envelope.clientId,
          type: 'envelope.purged',
          occurredAt: t,
          actor: SYSTEM_ACTOR,
          origin: SYSTEM_ORIGIN,
          data: { retentionDays: policy.retentionDays, endedAt: envelope.finishedAt, documents },
        });
        return true;
      });
      if (purged) report.purgedEnvelopes += 1;
    }
  }
  return report;
}

/** How often each node checks whether retention is due, and how often it is due per deployment. */
export const RETENTION_TICK_MS = 600_000;
export const RETENTION_INTERVAL_SECONDS = 3_600;
const RETENTION_LEASE_SECONDS = 1_800;
const JOB = 'retention';

/**
 * Runs {@link applyRetention} once an hour per deployment, not per node (the `scheduled_jobs`
 * lease, as the archive timestamp renewal). Returns the report, or undefined when another node
 * holds the job or it is not due.
 */
export async function runScheduledRetention(
  db: Kysely<SignerDatabase>,
  policy: RetentionPolicy,
  now: () => number,
  log?: FastifyBaseLogger,
): Promise<RetentionReport | undefined> {
  const t = now();
  await ensureScheduledJob(db, JOB, t);
  const token = randomUUID();
  if (!(await claimScheduledJob(db, JOB, t, RETENTION_LEASE_SECONDS, token))) return undefined;
  let report: RetentionReport | undefined;
  let result: string;
  try {
    report = await applyRetention(db, policy, now);
    result = JSON.stringify(report);
    if (report.purgedEnvelopes > 0 || report.purgedSignIns > 0) log?.info({ ...report }, 'retention applied');
  } catch (error) {
    result = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
    log?.error({ err: error }, 'retention failed');
  }
  await finishScheduledJob(db, JOB, token, { ranAt: t, nextRunAt: t + RETENTION_INTERVAL_SECONDS, result });
  return report;
}
