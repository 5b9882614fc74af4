export { backupSqlite } from './backup.js';
export {
  ConcurrentChangeError,
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailableError,
  isDatabaseUnavailable,
  isUniqueViolation,
  SubjectClashError,
} from './errors.js';
export type { Dialect } from './migrations/index.js';
export type { Client, ClientPatch } from './repositories/clients.js';
export { ClientRepository } from './repositories/clients.js';
export { ConsentRepository } from './repositories/consents.js';
export type {
  FaceEnrolmentLink,
  FaceEnrolmentLinkLookup,
  FaceEnrolmentLinkStatus,
  FaceEnrolmentPage,
  FaceEnrolmentRedemption,
} from './repositories/face-enrolment-links.js';
export { FaceEnrolmentLinkRepository, faceEnrolmentLinkStatus } from './repositories/face-enrolment-links.js';
export type { AuthorizationCode, Grant, Redemption, RefreshToken } from './repositories/grants.js';
export { GrantRepository } from './repositories/grants.js';
export type { Interaction } from './repositories/interactions.js';
export { InteractionRepository } from './repositories/interactions.js';
export { LoginThrottleRepository } from './repositories/login-throttle.js';
export type { Passkey, PasskeyCeremony } from './repositories/passkeys.js';
export { PasskeyRepository } from './repositories/passkeys.js';
export { RevokedTokenRepository } from './repositories/revoked-tokens.js';
export type { Session } from './repositories/sessions.js';
export { SessionRepository } from './repositories/sessions.js';
export type { NewSigningKey, SigningKey, SigningKeyStatus } from './repositories/signing-keys.js';
export { SigningKeyRepository } from './repositories/signing-keys.js';
export type { User } from './repositories/users.js';
export { UserRepository } from './repositories/users.js';
export { safeEqual } from './safe-equal.js';
export type { ScheduledJobsDatabase, ScheduledJobsTable } from './scheduled-jobs.js';
export { claimScheduledJob, ensureScheduledJob, finishScheduledJob } from './scheduled-jobs.js';
export type { Database } from './schema.js';
export { seal, unseal } from './seal.js';
export { loadMasterKey, MASTER_KEY_BYTES, readSecretFile } from './secret-file.js';
export {
  isPostgresUrl,
  type MigrationTables,
  migrateDatabase,
  openDatabase,
  openStore,
  type PoolStats,
  type Store,
  type StoreOptions,
} from './store.js';
