import type { Insertable, Kysely, Transaction } from 'kysely';
import type { SignerDatabase } from '../store/database.js';

type Db = Kysely<SignerDatabase> | Transaction<SignerDatabase>;

/** A CA key and certificate as stored (root or TSA), its private key sealed. */
export type AuthorityRow = Insertable<SignerDatabase['pki_authorities']>;
/** A person's signing credential as stored, its private key sealed. */
export type CredentialRow = Insertable<SignerDatabase['pki_signer_credentials']>;

/** The active root and TSA rows (`kind`, certificate, sealed key). */
export async function activeAuthorities(db: Db) {
  return db
    .selectFrom('pki_authorities')
    .select(['id', 'kind', 'certificate_pem', 'private_key_sealed'])
    .where('active', '=', 1)
    .execute();
}

/** The active TSA row, if any. */
export async function activeTimestampAuthority(db: Db) {
  return db
    .selectFrom('pki_authorities')
    .select(['id', 'certificate_pem', 'private_key_sealed'])
    .where('kind', '=', 'tsa')
    .where('active', '=', 1)
    .executeTakeFirst();
}

/** Stores authorities in one statement, so all of them or none (the partial unique index fails a race's loser whole). */
export async function insertAuthorities(db: Db, rows: AuthorityRow[]): Promise<void> {
  await db.insertInto('pki_authorities').values(rows).execute();
}

/** Retires an authority if it is still active; false when another node retired it first. */
export async function retireAuthority(db: Db, id: string): Promise<boolean> {
  const retired = await db
    .updateTable('pki_authorities')
    .set({ active: 0 })
    .where('id', '=', id)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(retired.numUpdatedRows) === 1;
}

/**
 * The newest unrevoked credential of `identityKey` issued by `issuerId`, valid at `now` and
 * still valid at `validUntil`.
 */
export async function reusableCredential(
  db: Db,
  identityKey: string,
  issuerId: string,
  now: number,
  validUntil: number,
) {
  return db
    .selectFrom('pki_signer_credentials')
    .select(['id', 'certificate_pem', 'private_key_sealed'])
    .where('identity_key', '=', identityKey)
    .where('issuer_id', '=', issuerId)
    .where('not_after', '>', validUntil)
    .where('not_before', '<=', now)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('pki_revocations as r')
            .select('r.serial')
            .whereRef('r.issuer_id', '=', 'pki_signer_credentials.issuer_id')
            .whereRef('r.serial', '=', 'pki_signer_credentials.serial'),
        ),
      ),
    )
    .orderBy('not_after', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Stores a new signing credential. */
export async function insertCredential(db: Db, row: CredentialRow): Promise<void> {
  await db.insertInto('pki_signer_credentials').values(row).execute();
}

/** Credentials by id, or every credential of a subject (`iss sub`). */
export async function credentialsOf(db: Db, target: { credentialId: string } | { subject: string }) {
  return db
    .selectFrom('pki_signer_credentials')
    .select(['id', 'issuer_id', 'serial', 'subject', 'certificate_pem'])
    .$if('credentialId' in target, (q) => q.where('id', '=', (target as { credentialId: string }).credentialId))
    .$if('subject' in target, (q) => q.where('subject', '=', (target as { subject: string }).subject))
    .execute();
}

/** A revocation to record. */
export interface NewRevocation {
  issuerId: string;
  serial: string;
  credentialId: string;
  reason: number;
  revokedAt: number;
}

/** Records a revocation; false when that certificate was already revoked. */
export async function insertRevocation(db: Db, revocation: NewRevocation): Promise<boolean> {
  const result = await db
    .insertInto('pki_revocations')
    .values({
      issuer_id: revocation.issuerId,
      serial: revocation.serial,
      credential_id: revocation.credentialId,
      reason: revocation.reason,
      revoked_at: revocation.revokedAt,
    })
    .onConflict((oc) => oc.columns(['issuer_id', 'serial']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The revocation of one certificate (normalized hex serial), if it is revoked. */
export async function revocationOf(db: Db, issuerId: string, serial: string) {
  return db
    .selectFrom('pki_revocations')
    .select(['revoked_at', 'reason'])
    .where('issuer_id', '=', issuerId)
    .where('serial', '=', serial)
    .executeTakeFirst();
}

/** Whether `issuerId` issued a certificate with this serial: a person's credential or a TSA (not a root). */
export async function issuedSerial(db: Db, issuerId: string, serial: string): Promise<boolean> {
  const credential = await db
    .selectFrom('pki_signer_credentials')
    .select('id')
    .where('issuer_id', '=', issuerId)
    .where('serial', '=', serial)
    .executeTakeFirst();
  if (credential) return true;
  const authority = await db
    .selectFrom('pki_authorities')
    .select('id')
    .where('issuer_id', '=', issuerId)
    .where('kind', '!=', 'root')
    .where('serial', '=', serial)
    .executeTakeFirst();
  return authority !== undefined;
}

/** Every revocation by `issuerId`, oldest first (a CRL's entries). */
export async function revocationsBy(db: Db, issuerId: string) {
  return db
    .selectFrom('pki_revocations')
    .select(['serial', 'revoked_at', 'reason'])
    .where('issuer_id', '=', issuerId)
    .orderBy('revoked_at')
    .execute();
}
