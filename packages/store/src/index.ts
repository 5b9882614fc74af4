export { backupSqlite } from './backup.js';
export { setBounded } from './bounded-map.js';
export {
  ConcurrentChangeError,
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailableError,
  isDatabaseUnavailable,
  isUniqueViolation,
} from './errors.js';
export { safeEqual } from './safe-equal.js';
export type { ScheduledJobsDatabase, ScheduledJobsTable } from './scheduled-jobs-repository.js';
export { claimScheduledJob, ensureScheduledJob, finishScheduledJob } from './scheduled-jobs-repository.js';
export { seal, unseal } from './seal.js';
export { loadMasterKey, MASTER_KEY_BYTES, readSecretFile } from './secret-file.js';
export {
  type Dialect,
  isPostgresUrl,
  type MigrationTables,
  migrateDatabase,
  openDatabase,
  type PoolStats,
  type StoreOptions,
} from './store.js';
