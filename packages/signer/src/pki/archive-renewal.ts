import { randomUUID } from 'node:crypto';
import { PDF } from '@libpdf/core';
import { claimScheduledJob, ensureScheduledJob, finishScheduledJob } from '@signet/store';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { currentDocumentBytes, documentsDueForArchiveRenewal, saveArchivedDocument } from '../envelopes/repository.js';
import { parseSignedData, signerCertificateOf } from '../pdf/cms.js';
import { extractSignatures } from '../pdf/signatures.js';
import type { SignerDatabase } from '../store/database.js';
import { type CertificateAuthority, TSA_ROTATION_MARGIN } from './authority.js';

/**
 * A document's archive timestamp is renewed when the TSA certificate it relies on expires within
 * this many seconds (ADR 0015): a year, well inside the two years a TSA is kept after rotation.
 */
export const ARCHIVE_RENEWAL_MARGIN = 365 * 86_400;
const BATCH = 50;

/** What one renewal run did. */
export interface RenewalReport {
  /** Documents whose last archive timestamp was looked at. */
  checked: number;
  /** Documents that got a fresh DSS and document timestamp. */
  renewed: number;
  /** Documents another writer changed meanwhile (left for the next run). */
  skipped: number;
  /** Whether the TSA was rotated first because its own certificate was close to expiry. */
  rotatedTimestampAuthority: boolean;
}

/**
 * Renews archive timestamps (PAdES B-LTA): rotates the TSA when its certificate has less than
 * {@link TSA_ROTATION_MARGIN} left, then, for every signed document whose last document
 * timestamp's TSA certificate expires within `margin`, adds the validation data of everything
 * in it (a DSS update: OCSP and CRL for the signers, the old timestamps and their TSA) and a
 * document timestamp from the current TSA, with its own DSS. Each document is written only over
 * the envelope version it was read at, so a concurrent signature is never lost.
 */
export async function renewArchiveTimestamps(
  db: Kysely<SignerDatabase>,
  ca: CertificateAuthority,
  options: { now: () => number; margin?: number },
): Promise<RenewalReport> {
  const margin = options.margin ?? ARCHIVE_RENEWAL_MARGIN;
  const report: RenewalReport = { checked: 0, renewed: 0, skipped: 0, rotatedTimestampAuthority: false };
  await ca.refresh();
  if (ca.timestampAuthorityNotAfter - options.now() < TSA_ROTATION_MARGIN) {
    await ca.rotateTimestampAuthority();
    report.rotatedTimestampAuthority = true;
  }
  const due = options.now() + margin;
  let after = { envelopeId: '', index: -1 };
  for (;;) {
    const rows = await documentsDueForArchiveRenewal(db, due, after, BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = { envelopeId: row.envelopeId, index: row.documentIndex };
      const outcome = await renewDocument(db, ca, row.envelopeId, row.documentIndex, row.version, due);
      report.checked += 1;
      if (outcome === 'renewed') report.renewed += 1;
      if (outcome === 'skipped') report.skipped += 1;
    }
  }
  return report;
}

async function renewDocument(
  db: Kysely<SignerDatabase>,
  ca: CertificateAuthority,
  envelopeId: string,
  index: number,
  version: number,
  due: number,
): Promise<'renewed' | 'current' | 'skipped'> {
  let bytes = await currentDocumentBytes(db, envelopeId, index);
  let expires = await lastArchiveExpiry(bytes);
  let outcome: 'renewed' | 'current' = 'current';
  if (expires === null || expires < due) {
    const document = await PDF.load(bytes);
    const result = await document.addArchivalData({
      timestampAuthority: ca.timestampAuthority,
      revocationProvider: ca.validationData,
    });
    bytes = result.bytes;
    expires = ca.timestampAuthorityNotAfter;
    outcome = 'renewed';
  }
  const written = await db.transaction().execute((trx) =>
    saveArchivedDocument(trx, envelopeId, index, version, {
      ...(outcome === 'renewed' ? { bytes } : {}),
      archiveExpiresAt: expires,
    }),
  );
  return written ? outcome : 'skipped';
}

/** When the TSA certificate of the document's last document timestamp expires (epoch seconds); null without one. */
export async function lastArchiveExpiry(pdf: Uint8Array): Promise<number | null> {
  const timestamps = (await extractSignatures(pdf)).filter((s) => s.kind === 'timestamp');
  const last = timestamps.at(-1);
  if (!last) return null;
  const certificate = signerCertificateOf(parseSignedData(last.cms));
  if (!certificate) return null;
  return Math.floor(certificate.notAfter.value.getTime() / 1000);
}

/** How often each node checks whether the renewal is due, and how often it is due. */
export const RENEWAL_TICK_MS = 3_600_000;
export const RENEWAL_INTERVAL_SECONDS = 86_400;
/** How long a node's claim on the run lasts: a crashed node's claim runs out, and another node runs it. */
const RENEWAL_LEASE_SECONDS = 3_600;
const JOB = 'archive-timestamp-renewal';

/**
 * Runs {@link renewArchiveTimestamps} once a day per deployment, not per node: every node ticks
 * hourly, and the one whose conditional update takes the job row's lease (the dispatcher's
 * pattern: `locked_until` + a token, the same condition in the update) runs it; the others only
 * pick up a rotated TSA. Returns whether this call ran the job.
 */
export async function runScheduledRenewal(
  db: Kysely<SignerDatabase>,
  ca: CertificateAuthority,
  now: () => number,
  log?: FastifyBaseLogger,
): Promise<RenewalReport | undefined> {
  await ca.refresh();
  const t = now();
  await ensureScheduledJob(db, JOB, t);
  const token = randomUUID();
  if (!(await claimScheduledJob(db, JOB, t, RENEWAL_LEASE_SECONDS, token))) return undefined;
  let report: RenewalReport | undefined;
  let result: string;
  try {
    report = await renewArchiveTimestamps(db, ca, { now });
    result = JSON.stringify(report);
    log?.info({ ...report }, 'archive timestamps renewed');
  } catch (error) {
    result = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
    log?.error({ err: error }, 'archive timestamp renewal failed');
  }
  await finishScheduledJob(db, JOB, token, { ranAt: t, nextRunAt: t + RENEWAL_INTERVAL_SECONDS, result });
  return report;
}
