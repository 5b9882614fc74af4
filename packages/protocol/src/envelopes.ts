/**
 * Wire shapes of the Signer API's envelopes (`/v1/envelopes`, `/v1/verify`), modelled on the
 * documented Sovos envelope: an `issuer` (the calling integration and a replay-guarding nonce),
 * PDF `documents`, the `persons` who sign, and the `signatures` that say who signs what, in order.
 *
 * Field names are camelCase as in the documented service, except `id_token`, which keeps its
 * OpenID Connect name. Times are ISO 8601 strings (UTC). Indexes are 0-based positions in the
 * arrays of the create request.
 */

import type { WireErrorBody } from './errors.js';

/** Where an envelope is in its life. `in_progress` is the only state that changes. */
export type EnvelopeStatus = 'in_progress' | 'completed' | 'rejected' | 'canceled' | 'expired';

/** Every envelope status, in lifecycle order. */
export const ENVELOPE_STATUSES: readonly EnvelopeStatus[] = [
  'in_progress',
  'completed',
  'rejected',
  'canceled',
  'expired',
];

/**
 * Who created the envelope. `initiative` must equal the caller's `client_id` (the access token's);
 * `nonce` may be used once per initiative: a second envelope with the same nonce is refused with
 * 409 `nonce_reused` (a replay and idempotency guard: a client retrying a create after a timeout
 * learns the id of the envelope its first attempt created).
 *
 * @example
 * { "initiative": "acme-integration", "personIndex": 0, "nonce": "order-8812-attempt-1" }
 */
export interface EnvelopeIssuer {
  /** The calling client's `client_id`. */
  initiative: string;
  /** Which of `persons` (0-based) issued the envelope, when it is one of the signers. */
  personIndex?: number;
  /** The sender's name in the envelope's emails (1 to 100 characters). Default the `initiative`. */
  name?: string;
  /** 1 to 200 characters, unique per initiative. */
  nonce: string;
}

/** A visible signature box; without it the signature is invisible. Units are PDF points from the page's bottom-left. */
export interface SignaturePosition {
  /** 1-based page number. */
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A PDF to sign. */
export interface DocumentInput {
  /** File name shown to signers and in the audit trail. Default `document-<n>.pdf`. */
  name?: string;
  /** The PDF, base64 (standard alphabet, padding optional). At most the deployment's limit (default 20 MB) decoded. */
  content: string;
}

/**
 * A person identified by an OpenID Connect id_token from the issuer the Signer trusts. The token
 * must be issued to the calling client (`aud`, and `azp` when `aud` lists several), be unexpired,
 * carry the required `acr` (default `urn:acr:face`) and an `auth_time` no older than the configured
 * window (default 15 minutes), and identify a person for one envelope only. That person's
 * signatures are applied at once, without further interaction.
 */
export interface IdTokenPersonInput {
  id_token: string;
}

/**
 * A person invited by name and email: the response carries a one-time, expiring `signingUrl` for
 * them; they identify themselves on the signing page.
 */
export interface InvitedPersonInput {
  name: string;
  email: string;
  /** The language of the person's emails (invitation, reminders, completion). Default `en`. */
  locale?: 'en' | 'es';
}

/** One of the envelope's signers. */
export type PersonInput = IdTokenPersonInput | InvitedPersonInput;

/**
 * One signature: `person` signs `document`. Signatures are applied in the order of the array;
 * a signature waits until every signature before it is done.
 */
export interface SignatureInput {
  /** 0-based index into `documents`. */
  document: number;
  /** 0-based index into `persons`. */
  person: number;
  /** Where to draw the signature; omitted for an invisible signature. */
  position?: SignaturePosition;
}

/**
 * The body of `POST /v1/envelopes` (`application/json`).
 *
 * @example
 * {
 *   "issuer": { "initiative": "acme-integration", "nonce": "order-8812" },
 *   "documents": [{ "name": "contract.pdf", "content": "JVBERi0xLjcK..." }],
 *   "persons": [{ "id_token": "eyJhbGciOiJFUzI1NiIs..." }, { "name": "Ana Ruiz", "email": "ana@example.com" }],
 *   "signatures": [{ "document": 0, "person": 0 }, { "document": 0, "person": 1 }],
 *   "expiresAt": "2026-12-31T23:59:59Z",
 *   "callbackUrl": "https://acme.example/signet/callback"
 * }
 */
export interface CreateEnvelopeRequest {
  issuer: EnvelopeIssuer;
  /** 1 to 10 PDFs. */
  documents: DocumentInput[];
  /** 1 to 50 persons. */
  persons: PersonInput[];
  /** 1 to 200 signatures; every person signs at least once. */
  signatures: SignatureInput[];
  /** When an unfinished envelope becomes `expired`; must be in the future. Default: never. */
  expiresAt?: string;
  /** Where status changes are posted (https, or http on localhost). Default: none. */
  callbackUrl?: string;
}

/** A document of an envelope. */
export interface EnvelopeDocument {
  index: number;
  name: string;
  pageCount: number;
  /** Size in bytes of the current version. */
  size: number;
  /** SHA-256 (hex) of the PDF as uploaded. */
  originalSha256: string;
  /** How many signatures the current version carries. */
  signatureCount: number;
  /** `GET` this (with the bearer token) for the current PDF: the signed one once signed. */
  url: string;
}

/** Where a person is: `pending` until all their signatures are applied. */
export type PersonStatus = 'pending' | 'signed' | 'rejected';

/** A signer of an envelope. */
export interface EnvelopePerson {
  index: number;
  /** How the person is identified: by an id_token on create, or on the signing page after an invitation. */
  identifiedBy: 'id_token' | 'invitation';
  /** The name from the id_token, or the name the invitation was sent to. */
  name: string;
  email: string | null;
  status: PersonStatus;
  signedAt: string | null;
  /**
   * The person's one-time signing link. Present only in the response to `POST /v1/envelopes`
   * (only its hash is stored), for persons invited by name and email.
   */
  signingUrl?: string;
  /** When the signing link stops working; invited persons only. */
  invitationExpiresAt?: string | null;
  /** The language of an invited person's emails. */
  locale?: string | null;
}

/** One signature of an envelope, in signing order. */
export interface EnvelopeSignature {
  index: number;
  document: number;
  person: number;
  status: 'pending' | 'signed';
  signedAt: string | null;
  position: SignaturePosition | null;
}

/**
 * An envelope, as `POST /v1/envelopes` (201), `GET /v1/envelopes/{id}` and
 * `POST /v1/envelopes/{id}/cancel` return it.
 */
export interface Envelope {
  /** Opaque id, e.g. `env_3q2…`. */
  id: string;
  status: EnvelopeStatus;
  /** `name`: the sender name of the envelope's emails (`issuer.name` on create), null when not given. */
  issuer: { initiative: string; personIndex: number | null; nonce: string; name?: string | null };
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  /** When the envelope left `in_progress`. */
  finishedAt: string | null;
  callbackUrl: string | null;
  /** Why it was rejected (the person's reason) or canceled; null otherwise. */
  statusReason: string | null;
  documents: EnvelopeDocument[];
  persons: EnvelopePerson[];
  signatures: EnvelopeSignature[];
}

/** Query of `GET /v1/envelopes`. */
export interface ListEnvelopesQuery {
  status?: EnvelopeStatus;
  /** 1 to 100. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** The answer of `GET /v1/envelopes`: newest first. */
export interface EnvelopeList {
  envelopes: Envelope[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The answer of `POST /v1/envelopes/{id}/persons/{n}/resend`. */
export interface ResentInvitation {
  person: number;
  /** The new one-time link; the previous one no longer works. */
  signingUrl: string;
  invitationExpiresAt: string;
  /** `queued`: the Signer emails the invitation; `off`: it sends no email, deliver the link yourself. */
  email: 'queued' | 'off';
}

/** Body of `POST /v1/envelopes/{id}/cancel` (optional). */
export interface CancelEnvelopeRequest {
  /** Up to 500 characters, kept as `statusReason` and in the audit trail. */
  reason?: string;
}

/**
 * What happened to an envelope, as the audit trail records it. `invitation.opened`: a person
 * opened their open signing link (at most once per link per 30 minutes); `invitation.resent`: the
 * client sent a person a new link, ending the old one; `email.sent`: the mail server accepted an
 * invitation, reminder or completion email (`data.kind`); `email.failed`: one was given up.
 */
export type AuditEventType =
  | 'envelope.created'
  | 'person.identified'
  | 'invitation.created'
  | 'invitation.opened'
  | 'invitation.resent'
  | 'email.sent'
  | 'email.failed'
  | 'document.signed'
  | 'person.signed'
  | 'envelope.completed'
  | 'envelope.rejected'
  | 'envelope.canceled'
  | 'envelope.expired'
  | 'document.downloaded'
  | 'envelope.purged';

/** Every {@link AuditEventType}, in the order of an envelope's life. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  'envelope.created',
  'invitation.created',
  'email.sent',
  'email.failed',
  'invitation.opened',
  'invitation.resent',
  'person.identified',
  'document.signed',
  'person.signed',
  'envelope.completed',
  'envelope.rejected',
  'envelope.canceled',
  'envelope.expired',
  'document.downloaded',
];

/**
 * The type of an event on `GET /v1/events` (and, for the four final ones, a webhook): every audit
 * event type, and `envelope.signed` (a person applied all of their signatures; the same moment as
 * `person.signed`, kept under the name webhooks and streams have always used).
 */
export type EnvelopeEventType = AuditEventType | 'envelope.signed';

/** Every {@link EnvelopeEventType}. */
export const ENVELOPE_EVENT_TYPES: readonly EnvelopeEventType[] = [...AUDIT_EVENT_TYPES, 'envelope.signed'];

/** The event types that end an envelope: the only ones also sent as webhooks. */
export const FINAL_EVENT_TYPES: readonly EnvelopeEventType[] = [
  'envelope.completed',
  'envelope.rejected',
  'envelope.canceled',
  'envelope.expired',
];

/** Who did it: the integrating client, a signer (by person index and identity subject), or Signet itself. */
export interface AuditActor {
  type: 'client' | 'person' | 'system';
  /** The client_id, the person's `iss|sub` subject (or `invitation:<index>` before identification), or `signet`. */
  id: string;
  /** A person's name. */
  name?: string;
  personIndex?: number;
}

/** One event of an envelope's audit trail. */
export interface AuditEvent {
  /** Position in the trail (increasing). */
  sequence: number;
  type: AuditEventType;
  occurredAt: string;
  actor: AuditActor;
  /** The client address the request came from; null for system events. */
  ip: string | null;
  userAgent: string | null;
  /** Event details, e.g. `{ document: 0, sha256: "…" }`. */
  data: Record<string, unknown>;
}

/**
 * `GET /v1/envelopes/{id}/audit-trail` with `Accept: application/json` (default). With
 * `Accept: application/pdf` the same trail comes as a certificate of completion.
 */
export interface AuditTrail {
  envelopeId: string;
  status: EnvelopeStatus;
  events: AuditEvent[];
}

/** ETSI EN 319 102-1 §5.1.3 main indication of a validation. */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

/** A PAdES baseline level (ETSI EN 319 142-1 §6). */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/** One change a later revision made to a signed document, and whether PAdES allows it after a signature. */
export interface DocumentChange {
  /** Allowed after a signature: a DSS, document timestamps, further signatures and their fields. */
  allowed: boolean;
  /** What changed, e.g. `page 1: /Contents replaced` or `document timestamp Signature_2 added`. */
  description: string;
}

/** The revision of the file a signature or timestamp covers. */
export interface CoveredRevision {
  /** 1 for the first revision of the file (each incremental update adds one). */
  revision: number;
  /** Its length in bytes (the end of the signature's byte range). */
  bytes: number;
}

/** One signature found by `POST /v1/verify`, validated. */
export interface VerifiedSignature {
  /** The PDF signature field's name. */
  field: string;
  indication: Indication;
  /** Why it did not pass (an ETSI EN 319 102-1 sub-indication such as `HASH_FAILURE`), else null. */
  subIndication: string | null;
  /** What failed or could not be established, in words. */
  errors: string[];
  /** The highest PAdES baseline level it meets; null when it does not pass. */
  level: PadesLevel | null;
  signer: { name: string; serialNumber?: string; country?: string; certificateSubject: string };
  /** The signing time the signer claims (ISO): the signature dictionary's `/M`. */
  signingTime: string | null;
  /** The time (ISO) its signature-time-stamp proves it existed at, if it carries a valid one. */
  timestamp: string | null;
  /** The time (ISO) it was validated at: the earliest proof of existence (a timestamp), else now. */
  bestSignatureTime: string;
  /** Whether the signed bytes are unchanged and the CMS signature checks. */
  integrity: 'valid' | 'invalid';
  /** Whether the certificate chains to this Signet's root at `bestSignatureTime`. */
  chain: 'trusted' | 'untrusted';
  /** The signer certificate's revocation status at `bestSignatureTime`, from the document's DSS or the CA. */
  revocation: { status: 'good' | 'revoked' | 'unknown'; source: 'ocsp' | 'crl' | null; revokedAt: string | null };
  /** Whether this signature covers the whole file (true for the last signature of an untouched document). */
  coversWholeDocument: boolean;
  covers: CoveredRevision;
  /** What later revisions changed; any change not `allowed` fails the signature. */
  changesAfter: DocumentChange[];
}

/** One document timestamp (PAdES B-LTA) found by `POST /v1/verify`, validated. */
export interface VerifiedDocumentTimestamp {
  field: string;
  indication: Indication;
  subIndication: string | null;
  errors: string[];
  /** Its genTime (ISO), when the token is readable. */
  time: string | null;
  /** The timestamp authority's certificate CN. */
  authority: string;
  integrity: 'valid' | 'invalid';
  chain: 'trusted' | 'untrusted';
  coversWholeDocument: boolean;
  covers: CoveredRevision;
  changesAfter: DocumentChange[];
}

/**
 * The answer of `POST /v1/verify`, a validation report in the spirit of ETSI EN 319 102-1 and the
 * EU DSS. The request body is the PDF itself (`Content-Type: application/pdf`) or JSON
 * `{ "content": "<base64>" }`.
 */
export interface VerifyResponse {
  /** True when `indication` is `TOTAL_PASSED`: at least one signature, every signature and timestamp passed. */
  valid: boolean;
  /** The worst indication among the signatures and document timestamps; `INDETERMINATE` with `NO_SIGNATURE_FOUND` when there is none. */
  indication: Indication;
  subIndication: string | null;
  signatures: VerifiedSignature[];
  documentTimestamps: VerifiedDocumentTimestamp[];
}

/**
 * Error codes of the Signer API's envelopes, with their HTTP status:
 * - `invalid_request` (400): malformed body or query, a bad index, a value out of range.
 * - `invalid_document` (422): a document is not a PDF, is corrupt or is encrypted (`reason`).
 * - `document_too_large` (422): a document is larger than the deployment's limit.
 * - `invalid_id_token` (422): a person's id_token cannot identify them (`reason` says why).
 * - `nonce_reused` (409): this initiative already used `issuer.nonce` (`envelopeId` names the envelope).
 * - `not_found` (404): no such envelope for this client (another client's envelope is not found either).
 * - `invalid_state` (409): the envelope is no longer `in_progress`, or a person already signed.
 * - `invitation_invalid` (404/410): a signing link is unknown, used or expired.
 */
export type EnvelopeErrorCode =
  | 'invalid_request'
  | 'invalid_document'
  | 'document_too_large'
  | 'invalid_id_token'
  | 'nonce_reused'
  | 'not_found'
  | 'invalid_state'
  | 'invitation_invalid'
  | 'document_purged';

/**
 * Why an id_token was refused (`reason` of an `invalid_id_token` error):
 * `malformed` (not a JWT, or `typ` is not an id_token's), `signature` (no issuer key verifies it),
 * `issuer` (`iss` is not the trusted issuer), `audience` (not issued to the calling client: `aud`/`azp`),
 * `expired` (`exp` passed, or `nbf`/`iat` in the future), `acr` (not the required level),
 * `auth_time` (missing, or older than the allowed window), `amr` (none of the methods the Signer
 * requires, `SIGNET_SIGNER_REQUIRED_AMR`: say, no possession factor), `reused` (it already identified
 * a person in an envelope, or twice in this one).
 */
export type IdTokenRejection =
  | 'malformed'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'acr'
  | 'auth_time'
  | 'amr'
  | 'reused';

/**
 * The body of every Signer API error: a `WireErrorBody` with the envelope codes. `reason` is an
 * `IdTokenRejection`, or `not_pdf`/`corrupt`/`encrypted` for documents.
 *
 * @example
 * { "error": "invalid_id_token", "error_description": "persons[1].id_token: auth_time is older than 900 seconds",
 *   "field": "persons[1].id_token", "reason": "auth_time" }
 */
export type EnvelopeErrorBody = WireErrorBody<EnvelopeErrorCode>;
