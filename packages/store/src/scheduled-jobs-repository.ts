import type { Kysely } from 'kysely';

/** A job that runs once per deployment: nodes race for the row's lease (`locked_until` + `lock_token`). */
export interface ScheduledJobsTable {
  name: string;
  next_run_at: number;
  locked_until: number | null;
  lock_token: string | null;
  last_run_at: number | null;
  /** A short JSON summary of the last run, for operators. */
  last_result: string | null;
}

/** A database holding a `scheduled_jobs` table (accounts' and the Signer's both do). */
export interface ScheduledJobsDatabase {
  scheduled_jobs: ScheduledJobsTable;
}

// Any schema with the table: the helpers only touch `scheduled_jobs`.
const jobs = <DB extends ScheduledJobsDatabase>(db: Kysely<DB>) => db as unknown as Kysely<ScheduledJobsDatabase>;

/** Creates a scheduled job's row, due at `nextRunAt`, unless it exists. */
export async function ensureScheduledJob<DB extends ScheduledJobsDatabase>(
  db: Kysely<DB>,
  name: string,
  nextRunAt: number,
): Promise<void> {
  await jobs(db)
    .insertInto('scheduled_jobs')
    .values({
      name,
      next_run_at: nextRunAt,
      locked_until: null,
      lock_token: null,
      last_run_at: null,
      last_result: null,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/**
 * Takes a due job's lease until `now + leaseSeconds` with `token`, if its lease is free: one
 * conditional update, so of several nodes one wins. Returns whether this call took it.
 */
export async function claimScheduledJob<DB extends ScheduledJobsDatabase>(
  db: Kysely<DB>,
  name: string,
  now: number,
  leaseSeconds: number,
  token: string,
): Promise<boolean> {
  const claimed = await jobs(db)
    .updateTable('scheduled_jobs')
    .set({ locked_until: now + leaseSeconds, lock_token: token })
    .where('name', '=', name)
    .where('next_run_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** Records a run under the lease `token` and releases it, due again at `nextRunAt`. */
export async function finishScheduledJob<DB extends ScheduledJobsDatabase>(
  db: Kysely<DB>,
  name: string,
  token: string,
  run: { ranAt: number; nextRunAt: number; result: string },
): Promise<void> {
  await jobs(db)
    .updateTable('scheduled_jobs')
    .set({
      next_run_at: run.nextRunAt,
      last_run_at: run.ranAt,
      last_result: run.result,
      locked_until: null,
      lock_token: null,
    })
    .where('name', '=', name)
    .where('lock_token', '=', token)
    .execute();
}
