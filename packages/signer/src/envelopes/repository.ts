import type { EnvelopeStatus, PersonStatus, SignaturePosition } from '@signet/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { SignerIdentity } from '../pki/identity.js';
import type { SignerDatabase } from '../store/database.js';
import type { DocumentState, EnvelopeState, PersonState, SignatureState } from './model.js';

type Db = Kysely<SignerDatabase> | Transaction<SignerDatabase>;
type EnvelopeRow = SignerDatabase['envelopes'];

/**
 * Loads one envelope of one client (another client's envelope is not found), with the current
 * bytes of its documents when `withBytes`.
 */
export async function loadEnvelope(
  db: Db,
  clientId: string | null,
  id: string,
  options: { withBytes?: boolean } = {},
): Promise<EnvelopeState | undefined> {
  let query = db.selectFrom('envelopes').selectAll().where('id', '=', id);
  if (clientId !== null) query = query.where('client_id', '=', clientId);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const [envelope] = await withChildren(db, [row], options.withBytes === true);
  return envelope;
}

/** A page of a client's envelopes, newest first, after the `(createdAt, id)` of the cursor. */
export async function listEnvelopes(
  db: Db,
  clientId: string,
  options: { status?: EnvelopeStatus; limit: number; after?: { createdAt: number; id: string } },
): Promise<EnvelopeState[]> {
  let query = db.selectFrom('envelopes').selectAll().where('client_id', '=', clientId);
  if (options.status) query = query.where('status', '=', options.status);
  const after = options.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return withChildren(db, rows, false);
}

async function withChildren(db: Db, rows: EnvelopeRow[], withBytes: boolean): Promise<EnvelopeState[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [documents, persons, signatures] = await Promise.all([
    db
      .selectFrom('envelope_documents')
      .select([
        'envelope_id',
        'document_index',
        'name',
        'page_count',
        'original_sha256',
        'signature_count',
        sql<number>`length(current)`.as('size'),
      ])
      .$if(withBytes, (q) => q.select('current'))
      .where('envelope_id', 'in', ids)
      .orderBy('document_index')
      .execute(),
    db.selectFrom('envelope_persons').selectAll().where('envelope_id', 'in', ids).orderBy('person_index').execute(),
    db
      .selectFrom('envelope_signatures')
      .selectAll()
      .where('envelope_id', 'in', ids)
      .orderBy('signature_index')
      .execute(),
  ]);
  return rows.map((row) => ({
    id: row.id,
    clientId: row.client_id,
    status: row.status as EnvelopeStatus,
    nonce: row.nonce,
    issuerPersonIndex: row.issuer_person_index,
    callbackUrl: row.callback_url,
    senderName: row.sender_name ?? null,
    expiresAt: nullableNumber(row.expires_at),
    statusReason: row.status_reason,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: nullableNumber(row.finished_at),
    version: Number(row.version),
    documents: documents
      .filter((d) => d.envelope_id === row.id)
      .map((d): DocumentState => {
        const state: DocumentState = {
          index: d.document_index,
          name: d.name,
          pageCount: d.page_count,
          originalSha256: d.original_sha256,
          size: Number(d.size),
          signatureCount: d.signature_count,
        };
        if ('current' in d && d.current) state.bytes = new Uint8Array(d.current as Uint8Array);
        return state;
      }),
    persons: persons
      .filter((p) => p.envelope_id === row.id)
      .map(
        (p): PersonState => ({
          index: p.person_index,
          identifiedBy: p.identified_by as PersonState['identifiedBy'],
          name: p.name,
          email: p.email,
          identity: p.identity ? (JSON.parse(p.identity) as SignerIdentity) : null,
          status: p.status as PersonStatus,
          signedAt: nullableNumber(p.signed_at),
          locale: p.locale ?? null,
        }),
      ),
    signatures: signatures
      .filter((s) => s.envelope_id === row.id)
      .map(
        (s): SignatureState => ({
          index: s.signature_index,
          document: s.document_index,
          person: s.person_index,
          position: s.position ? (JSON.parse(s.position) as SignaturePosition) : null,
          status: s.status as SignatureState['status'],
          signedAt: nullableNumber(s.signed_at),
        }),
      ),
  }));
}

/** The original or current bytes of one document of one client's envelope. */
export async function loadDocumentBytes(
  db: Db,
  clientId: string | null,
  envelopeId: string,
  index: number,
  version: 'current' | 'original',
): Promise<{ name: string; bytes: Uint8Array } | undefined> {
  let query = db
    .selectFrom('envelope_documents')
    .innerJoin('envelopes', 'envelopes.id', 'envelope_documents.envelope_id')
    .select(['envelope_documents.name', `envelope_documents.${version} as bytes`])
    .where('envelope_documents.envelope_id', '=', envelopeId)
    .where('envelope_documents.document_index', '=', index);
  if (clientId !== null) query = query.where('envelopes.client_id', '=', clientId);
  const row = await query.executeTakeFirst();
  return row ? { name: row.name, bytes: new Uint8Array(row.bytes) } : undefined;
}

/** Inserts a new envelope with its documents (original = current bytes), persons and signatures. */
export async function insertEnvelope(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  originals: Uint8Array[],
): Promise<void> {
  await trx
    .insertInto('envelopes')
    .values({
      id: envelope.id,
      client_id: envelope.clientId,
      status: envelope.status,
      nonce: envelope.nonce,
      issuer_person_index: envelope.issuerPersonIndex,
      callback_url: envelope.callbackUrl,
      sender_name: envelope.senderName,
      expires_at: envelope.expiresAt,
      status_reason: envelope.statusReason,
      created_at: envelope.createdAt,
      updated_at: envelope.updatedAt,
      finished_at: envelope.finishedAt,
      version: envelope.version,
    })
    .execute();
  for (const document of envelope.documents) {
    const original = originals[document.index];
    if (!original || !document.bytes) throw new Error('document bytes missing');
    await trx
      .insertInto('envelope_documents')
      .values({
        envelope_id: envelope.id,
        document_index: document.index,
        name: document.name,
        page_count: document.pageCount,
        original_sha256: document.originalSha256,
        original,
        current: document.bytes,
        signature_count: document.signatureCount,
      })
      .execute();
  }
  for (const person of envelope.persons) {
    await trx
      .insertInto('envelope_persons')
      .values({
        envelope_id: envelope.id,
        person_index: person.index,
        identified_by: person.identifiedBy,
        name: person.name,
        email: person.email,
        subject: person.identity?.subject ?? null,
        identity: person.identity ? JSON.stringify(person.identity) : null,
        status: person.status,
        signed_at: person.signedAt,
        locale: person.locale,
      })
      .execute();
  }
  for (const signature of envelope.signatures) {
    await trx
      .insertInto('envelope_signatures')
      .values({
        envelope_id: envelope.id,
        signature_index: signature.index,
        document_index: signature.document,
        person_index: signature.person,
        position: signature.position ? JSON.stringify(signature.position) : null,
        status: signature.status,
        signed_at: signature.signedAt,
      })
      .execute();
  }
}

/**
 * Claims the right to change an envelope: bumps its version if it is still `in_progress` at
 * `expectedVersion`. False when another request changed it first (the caller reloads or refuses).
 */
export async function claimEnvelope(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  now: number,
  change: { status?: EnvelopeStatus; statusReason?: string | null; finishedAt?: number | null } = {},
): Promise<boolean> {
  const result = await trx
    .updateTable('envelopes')
    .set({
      version: envelope.version + 1,
      updated_at: now,
      ...(change.status ? { status: change.status } : {}),
      ...(change.statusReason !== undefined ? { status_reason: change.statusReason } : {}),
      ...(change.finishedAt !== undefined ? { finished_at: change.finishedAt } : {}),
    })
    .where('id', '=', envelope.id)
    .where('version', '=', envelope.version)
    .where('status', '=', 'in_progress')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Writes the signing progress of an envelope already claimed in this transaction. */
export async function saveProgress(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  changed: { documents: number[]; signatures: number[]; persons: number[] },
): Promise<void> {
  for (const index of changed.documents) {
    const document = envelope.documents[index];
    if (!document?.bytes) throw new Error('document bytes missing');
    await trx
      .updateTable('envelope_documents')
      .set({ current: document.bytes, signature_count: document.signatureCount })
      .where('envelope_id', '=', envelope.id)
      .where('document_index', '=', index)
      .execute();
  }
  for (const index of changed.signatures) {
    const signature = envelope.signatures[index];
    if (!signature) continue;
    await trx
      .updateTable('envelope_signatures')
      .set({ status: signature.status, signed_at: signature.signedAt })
      .where('envelope_id', '=', envelope.id)
      .where('signature_index', '=', index)
      .execute();
  }
  for (const index of changed.persons) {
    const person = envelope.persons[index];
    if (!person) continue;
    await trx
      .updateTable('envelope_persons')
      .set({
        status: person.status,
        signed_at: person.signedAt,
        subject: person.identity?.subject ?? null,
        identity: person.identity ? JSON.stringify(person.identity) : null,
      })
      .where('envelope_id', '=', envelope.id)
      .where('person_index', '=', index)
      .execute();
  }
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

/** The envelope a client's `nonce` already created, if any (the replay guard). */
export async function envelopeIdByNonce(db: Db, clientId: string, nonce: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('envelopes')
    .select('id')
    .where('client_id', '=', clientId)
    .where('nonce', '=', nonce)
    .executeTakeFirst();
  return row?.id;
}

/** Which of these sign-in keys (`iss`, `sub`, `auth_time`) already identified a person. */
export async function usedSignInKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('used_id_tokens').select('token_key').where('token_key', 'in', keys).execute();
  return new Set(rows.map((row) => row.token_key));
}

/** A sign-in that identified a person in `envelopeId`; a unique violation means it was used before. */
export interface UsedSignIn {
  signInKey: string;
  issuer: string;
  subject: string;
  authTime: number;
  envelopeId: string;
  expiresAt: number;
  usedAt: number;
}

/** Records a used sign-in; rejects with the database's unique violation when the key is taken. */
export async function insertUsedSignIn(db: Db, used: UsedSignIn): Promise<void> {
  await db
    .insertInto('used_id_tokens')
    .values({
      token_key: used.signInKey,
      issuer: used.issuer,
      subject: used.subject,
      auth_time: used.authTime,
      envelope_id: used.envelopeId,
      expires_at: used.expiresAt,
      used_at: used.usedAt,
    })
    .execute();
}

/** A signing link as stored: only the hash of its token. */
export interface InvitationRow {
  tokenHash: string;
  envelopeId: string;
  personIndex: number;
  expiresAt: number;
  createdAt: number;
  usedAt: number | null;
  /** When a newer link for the same person (`POST …/resend`) ended this one; null otherwise. */
  replacedAt: number | null;
}

/** Stores a new signing link. */
export async function insertInvitation(
  db: Db,
  invitation: Omit<InvitationRow, 'usedAt' | 'replacedAt'>,
): Promise<void> {
  await db
    .insertInto('envelope_invitations')
    .values({
      token_hash: invitation.tokenHash,
      envelope_id: invitation.envelopeId,
      person_index: invitation.personIndex,
      expires_at: invitation.expiresAt,
      created_at: invitation.createdAt,
      used_at: null,
    })
    .execute();
}

/** The signing link with this token hash, if any. */
export async function findInvitationByHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  const row = await db
    .selectFrom('envelope_invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    tokenHash: row.token_hash,
    envelopeId: row.envelope_id,
    personIndex: row.person_index,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    replacedAt: row.replaced_at === null || row.replaced_at === undefined ? null : Number(row.replaced_at),
  };
}

/** Uses a signing link once (race-safe): false when it was already used. */
export async function consumeInvitation(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const consumed = await db
    .updateTable('envelope_invitations')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(consumed.numUpdatedRows) === 1;
}

/** Ends a person's links that are still open: a newer one replaces them (`POST …/resend`). */
export async function replaceInvitations(db: Db, envelopeId: string, personIndex: number, now: number): Promise<void> {
  await db
    .updateTable('envelope_invitations')
    .set({ replaced_at: now })
    .where('envelope_id', '=', envelopeId)
    .where('person_index', '=', personIndex)
    .where('used_at', 'is', null)
    .where('replaced_at', 'is', null)
    .execute();
}

/** Ends every outstanding signing link of an envelope. */
export async function closeInvitations(db: Db, envelopeId: string, now: number): Promise<void> {
  await db
    .updateTable('envelope_invitations')
    .set({ used_at: now })
    .where('envelope_id', '=', envelopeId)
    .where('used_at', 'is', null)
    .execute();
}

/** Sets one person's status. */
export async function setPersonStatus(db: Db, envelopeId: string, personIndex: number, status: PersonStatus) {
  await db
    .updateTable('envelope_persons')
    .set({ status })
    .where('envelope_id', '=', envelopeId)
    .where('person_index', '=', personIndex)
    .execute();
}

/** Ids of up to `limit` envelopes still in progress whose expiry has come, soonest first. */
export async function envelopesDueToExpire(db: Db, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select(['id'])
    .where('status', '=', 'in_progress')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** A signed document whose archive timestamp may need renewing, with its envelope's version. */
export interface ArchivedDocumentRef {
  envelopeId: string;
  documentIndex: number;
  version: number;
}

/**
 * Up to `limit` signed documents whose archive timestamp expires before `due` (or is not known),
 * after `after` in `(envelopeId, documentIndex)` order.
 */
export async function documentsDueForArchiveRenewal(
  db: Db,
  due: number,
  after: { envelopeId: string; index: number },
  limit: number,
): Promise<ArchivedDocumentRef[]> {
  const rows = await db
    .selectFrom('envelope_documents as d')
    .innerJoin('envelopes as e', 'e.id', 'd.envelope_id')
    .select(['d.envelope_id', 'd.document_index', 'e.version'])
    .where('d.signature_count', '>', 0)
    // Purged documents have no bytes left to keep valid.
    .where('e.purged_at', 'is', null)
    .where((eb) => eb.or([eb('d.archive_expires_at', 'is', null), eb('d.archive_expires_at', '<', due)]))
    .where((eb) =>
      eb.or([
        eb('d.envelope_id', '>', after.envelopeId),
        eb.and([eb('d.envelope_id', '=', after.envelopeId), eb('d.document_index', '>', after.index)]),
      ]),
    )
    .orderBy('d.envelope_id')
    .orderBy('d.document_index')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ envelopeId: row.envelope_id, documentIndex: row.document_index, version: row.version }));
}

/** The current bytes of one document (it must exist). */
export async function currentDocumentBytes(db: Db, envelopeId: string, index: number): Promise<Uint8Array> {
  const stored = await db
    .selectFrom('envelope_documents')
    .select('current')
    .where('envelope_id', '=', envelopeId)
    .where('document_index', '=', index)
    .executeTakeFirstOrThrow();
  return new Uint8Array(stored.current);
}

/**
 * Writes a document's renewed archive data over the envelope version it was read at: false (and
 * nothing written) when another writer changed the envelope meanwhile. `bytes` undefined keeps
 * the document and records only its archive expiry. Call inside a transaction.
 */
export async function saveArchivedDocument(
  db: Db,
  envelopeId: string,
  index: number,
  version: number,
  change: { bytes?: Uint8Array; archiveExpiresAt: number | null },
): Promise<boolean> {
  const claimed = await db
    .updateTable('envelopes')
    .set({ version: version + 1 })
    .where('id', '=', envelopeId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return false;
  await db
    .updateTable('envelope_documents')
    .set({ ...(change.bytes ? { current: change.bytes } : {}), archive_expires_at: change.archiveExpiresAt })
    .where('envelope_id', '=', envelopeId)
    .where('document_index', '=', index)
    .execute();
  return true;
}

/** How many envelopes there are in each status (for the `signet_envelopes` gauge). */
export async function countEnvelopesByStatus(db: Db): Promise<{ status: string; count: number }[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
}
