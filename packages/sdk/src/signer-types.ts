/**
 * The Signer API's request and response shapes under the names the SDK uses, each taken from
 * the types generated from the Signer's OpenAPI document (`signer-api.generated.ts`), so they
 * cannot drift from what the Signer serves.
 */
import type { operations } from './signer-api.generated.js';

type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op extends keyof operations, Status extends number> =
  operations[Op]['responses'] extends Record<Status, infer R> ? JsonBody<R> : never;

/**
 * The body of `POST /v1/envelopes`.
 *
 * @example
 * const request: CreateEnvelopeRequest = {
 *   issuer: { initiative: clientId, nonce: 'order-8812' },
 *   documents: [{ name: 'contract.pdf', content: encodeBase64(pdfBytes) }],
 *   persons: [{ id_token: idToken }],
 *   signatures: [{ document: 0, person: 0 }],
 * };
 */
export type CreateEnvelopeRequest = JsonBody<operations['createEnvelope']['requestBody']>;

/**
 * An envelope as the Signer API answers it.
 *
 * @example
 * const envelope: Envelope = await signer.getEnvelope(id);
 * if (envelope.status === 'completed') console.log(envelope.finishedAt);
 */
export type Envelope = Ok<'getEnvelope', 200>;

/**
 * Where an envelope is in its life: `in_progress`, then one of the final states.
 *
 * @example
 * const done: EnvelopeStatus[] = ['completed', 'rejected', 'canceled', 'expired'];
 */
export type EnvelopeStatus = Envelope['status'];

/**
 * One page of `GET /v1/envelopes`.
 *
 * @example
 * const { envelopes, nextCursor }: EnvelopeList = await signer.listEnvelopePage();
 */
export type EnvelopeList = Ok<'listEnvelopes', 200>;

/**
 * The query of `GET /v1/envelopes`.
 *
 * @example
 * const query: ListEnvelopesQuery = { status: 'completed', limit: 50 };
 */
export type ListEnvelopesQuery = NonNullable<operations['listEnvelopes']['parameters']['query']>;

/**
 * `GET /v1/envelopes/{id}/audit-trail` as JSON.
 *
 * @example
 * const { events }: AuditTrail = await signer.auditTrail(id);
 */
export type AuditTrail = Ok<'getEnvelopeAuditTrail', 200>;

/**
 * The answer of `POST /v1/envelopes/{id}/persons/{n}/resend`.
 *
 * @example
 * const { signingUrl }: ResentInvitation = await signer.resendInvitation(id, 1);
 */
export type ResentInvitation = Ok<'resendInvitation', 200>;

/**
 * The answer of `POST /v1/verify`.
 *
 * @example
 * const { valid }: VerifyResponse = await signer.verify(pdf);
 */
export type VerifyResponse = Ok<'verifyPdf', 200>;

/**
 * The `error` codes of the envelope calls' error answers.
 *
 * @example
 * if (e instanceof SignerApiError && (e.error as SignerErrorCode) === 'nonce_reused') { … }
 */
export type SignerErrorCode = JsonBody<operations['createEnvelope']['responses'][400]>['error'];
