import { randomUUID } from 'node:crypto';
import { PDF } from '@libpdf/core';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
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
    const rows = await db
      .selectFrom('envelope_documents as d')
      .innerJoin('envelopes as e', 'e.id', 'd.envelope_id')
      .select(['d.envelope_id', 'd.document_index', 'e.version'])
      .where('d.signature_count', '>', 0)
      .where((eb) => eb.or([eb('d.archive_expires_at', 'is', null), eb('d.archive_expires_at', '<', due)]))
      .where((eb) =>
        eb.or([
          eb('d.envelope_id', '>', after.envelopeId),
          eb.and([eb('d.envelope_id', '=', after.envelopeId), eb('d.document_index', '>', after.index)]),
        ]),
      )
      .orderBy('d.envelope_id')
      .orderBy('d.document_index')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      after = { envelopeId: row.envelope_id, index: row.document_index };
      const outcome = await renewDocument(db, ca, row.envelope_id, row.document_index, row.version, due);
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
  const stored = await db
    .selectFrom('envelope_documents')
    .select('current')
    .where('envelope_id', '=', envelopeId)
    .where('document_index', '=', index)
    .executeTakeFirstOrThrow();
  let bytes: Uint8Array = new Uint8Array(stored.current);
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
  const written = await db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('envelopes')
      .set({ version: version + 1 })
      .where('id', '=', envelopeId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    await trx
      .updateTable('envelope_documents')
      .set({ ...(outcome === 'renewed' ? { current: bytes } : {}), archive_expires_at: expires })
      .where('envelope_id', '=', envelopeId)
      .where('document_index', '=', index)
      .execute();
    return true;
  });
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
  await db
    .insertInto('scheduled_jobs')
    .values({ name: JOB, next_run_at: t })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const token = randomUUID();
  const claimed = await db
    .updateTable('scheduled_jobs')
    .set({ locked_until: t + RENEWAL_LEASE_SECONDS, lock_token: token })
    .where('name', '=', JOB)
    .where('next_run_at', '<=', t)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', t)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return undefined;
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
  await db
    .updateTable('scheduled_jobs')
    .set({
      next_run_at: t + RENEWAL_INTERVAL_SECONDS,
      last_run_at: t,
      last_result: result,
      locked_until: null,
      lock_token: null,
    })
    .where('name', '=', JOB)
    .where('lock_token', '=', token)
    .execute();
  return report;
}
