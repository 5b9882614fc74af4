import { randomBytes } from 'node:crypto';
import type { CreateEnvelopeRequest, EnvelopeErrorCode } from '@signet/protocol';
import { isUniqueViolation } from '@signet/store';
import { type RequestOrigin, recordAudit } from '../audit/record-repository.js';
import type { Caller } from '../auth/caller.js';
import type { SignerContext } from '../context.js';
import { mailPolicy, queueInvitationEmails } from '../mail/outbox.js';
import { isPrivateHost, PRIVATE_HOST } from '../notifications/private-networks.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { type AcceptedDocument, acceptDocument } from './documents.js';
import { EnvelopeError, invalidField, invalidIdToken } from './errors.js';
import { personActor, recordSigningProgress } from './history.js';
import { type IdentifiedPerson, verifyPersonIdToken } from './id-token.js';
import { INVITATION_TTL, newInvitationToken, signingUrl } from './invitations-token.js';
import type { EnvelopeState, PersonState } from './model.js';
import { envelopeIdByNonce, insertEnvelope, insertInvitation, insertUsedSignIn, usedSignInKeys } from './repository.js';
import { applyReadySignatures } from './signing.js';

/** What creating an envelope needs. */
export type EnvelopeServices = Pick<SignerContext, 'config' | 'store' | 'now' | 'issuerKeys' | 'issuer'> & {
  ca: CertificateAuthority;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates an envelope, in order: check the issuer and every index, accept the documents, verify
 * the id_tokens, apply the signatures of the persons they identify, then store everything (with
 * the signing links of invited persons) in one transaction. Any refusal leaves no row behind.
 * The returned envelope carries the invited persons' `signingUrl`s, which exist nowhere else.
 */
export async function createEnvelope(
  services: EnvelopeServices & Pick<SignerContext, 'pdfs' | 'masterKey'>,
  caller: Caller,
  request: CreateEnvelopeRequest,
  origin: RequestOrigin,
): Promise<EnvelopeState> {
  const now = services.now();
  checkIssuer(request, caller);
  checkPersons(request);
  checkSignatures(request);
  const expiresAt = checkExpiresAt(request.expiresAt, now);
  const callbackUrl = checkCallbackUrl(request.callbackUrl, services.config.webhookPrivateNetworks);
  await checkNonceUnused(services, caller.clientId, request.issuer.nonce);
  checkEnvelopeSize(request.documents, services.config.maxEnvelopeBytes);
  const documents: AcceptedDocument[] = [];
  for (const [index, input] of request.documents.entries()) {
    documents.push(await acceptDocument(input, index, services.config.maxDocumentBytes, services.pdfs));
  }
  checkPositions(request, documents);
  const identified = await identifyPersons(services, caller.clientId, request);

  const id = `env_${randomBytes(16).toString('base64url')}`;
  const invitationExpiresAt = Math.min(expiresAt ?? Number.POSITIVE_INFINITY, now + INVITATION_TTL);
  const invitations = new Map<number, { token: string; tokenHash: string; url: string }>();
  const envelope: EnvelopeState = {
    id,
    clientId: caller.clientId,
    status: 'in_progress',
    nonce: request.issuer.nonce,
    issuerPersonIndex: request.issuer.personIndex ?? null,
    callbackUrl,
    senderName: request.issuer.name?.trim() || null,
    expiresAt,
    statusReason: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    version: 0,
    documents: documents.map((document, index) => ({
      index,
      name: document.name,
      pageCount: document.pageCount,
      originalSha256: document.sha256,
      size: document.bytes.length,
      signatureCount: 0,
      bytes: document.bytes,
    })),
    persons: request.persons.map((input, index): PersonState => {
      const person = identified.get(index);
      if (person) {
        return {
          index,
          identifiedBy: 'id_token',
          name: person.identity.name,
          email: person.identity.email ?? null,
          identity: person.identity,
          status: 'pending',
          signedAt: null,
          locale: null,
        };
      }
      const { token, tokenHash } = newInvitationToken();
      const url = signingUrl(services.config.publicUrl, token);
      invitations.set(index, { token, tokenHash, url });
      return {
        index,
        identifiedBy: 'invitation',
        name: 'name' in input ? input.name : '',
        email: 'email' in input ? input.email : null,
        identity: null,
        status: 'pending',
        signedAt: null,
        signingUrl: url,
        invitationExpiresAt,
        locale: 'locale' in input && input.locale ? input.locale : 'en',
      };
    }),
    signatures: request.signatures.map((input, index) => ({
      index,
      document: input.document,
      person: input.person,
      position: input.position ?? null,
      status: 'pending',
      signedAt: null,
    })),
  };

  const progress = await applyReadySignatures(services.ca, envelope, now);
  if (progress.completed) {
    envelope.status = 'completed';
    envelope.finishedAt = now;
  }

  await services.store.db
    .transaction()
    .execute(async (trx) => {
      await insertEnvelope(
        trx,
        envelope,
        documents.map((document) => document.bytes),
      );
      for (const [index, person] of identified) {
        await insertUsedSignIn(trx, {
          signInKey: person.signInKey,
          issuer: person.issuer,
          subject: person.subject,
          authTime: person.authTime,
          envelopeId: id,
          expiresAt: person.expiresAt,
          usedAt: now,
        }).catch((error: unknown) => {
          throw isUniqueViolation(error) ? reusedToken(index) : error;
        });
      }
      for (const [index, invitation] of invitations) {
        await insertInvitation(trx, {
          tokenHash: invitation.tokenHash,
          envelopeId: id,
          personIndex: index,
          expiresAt: invitationExpiresAt,
          createdAt: now,
        });
      }
      await recordCreation(trx, envelope, identified, origin, caller, now);
      const mail = mailPolicy(services);
      if (mail) {
        for (const [index, invitation] of invitations) {
          const person = envelope.persons[index] as PersonState;
          const link = { token: invitation.token, tokenHash: invitation.tokenHash, expiresAt: invitationExpiresAt };
          await queueInvitationEmails(trx, mail, envelope, person, link, now);
        }
      }
      await recordSigningProgress(trx, envelope, progress, origin, now, { mail: mail !== undefined });
    })
    .catch(async (error: unknown) => {
      // Two creates with one nonce at once: the unique index picks the winner.
      if (isUniqueViolation(error) && !(error instanceof EnvelopeError)) {
        await checkNonceUnused(services, caller.clientId, request.issuer.nonce);
      }
      throw error;
    });
  return envelope;
}

async function recordCreation(
  trx: Parameters<typeof recordAudit>[0],
  envelope: EnvelopeState,
  identified: Map<number, IdentifiedPerson>,
  origin: RequestOrigin,
  caller: Caller,
  now: number,
): Promise<void> {
  const base = { envelopeId: envelope.id, clientId: envelope.clientId, occurredAt: now, origin };
  await recordAudit(trx, {
    ...base,
    type: 'envelope.created',
    eventData: { status: 'in_progress' },
    callbackUrl: envelope.callbackUrl,
    actor: { type: 'client', id: caller.clientId },
    data: {
      nonce: envelope.nonce,
      documents: envelope.documents.map((d) => ({ name: d.name, sha256: d.originalSha256, pages: d.pageCount })),
      persons: envelope.persons.length,
      signatures: envelope.signatures.length,
      ...(caller.tokenId ? { accessTokenId: caller.tokenId } : {}),
    },
  });
  for (const person of envelope.persons) {
    const identifiedPerson = identified.get(person.index);
    if (identifiedPerson) {
      await recordAudit(trx, {
        ...base,
        type: 'person.identified',
        actor: personActor(person),
        data: {
          method: 'id_token',
          acr: identifiedPerson.acr,
          amr: identifiedPerson.amr,
          authTime: identifiedPerson.authTime,
        },
      });
    } else {
      await recordAudit(trx, {
        ...base,
        type: 'invitation.created',
        actor: { type: 'client', id: caller.clientId },
        data: { person: person.index, name: person.name, email: person.email, expiresAt: person.invitationExpiresAt },
      });
    }
  }
}

/** The initiative must be the caller itself: a client creates envelopes only in its own name. */
function checkIssuer(request: CreateEnvelopeRequest, caller: Caller): void {
  if (request.issuer.initiative !== caller.clientId) {
    throw new EnvelopeError('invalid_request', "issuer.initiative: must be the calling client's client_id", 422, {
      field: 'issuer.initiative',
    });
  }
  const personIndex = request.issuer.personIndex;
  if (personIndex !== undefined && personIndex >= request.persons.length) {
    throw invalidField('issuer.personIndex', `no person ${personIndex} (there are ${request.persons.length})`);
  }
}

/** Each person is either an id_token or a name and email, never both. */
function checkPersons(request: CreateEnvelopeRequest): void {
  for (const [index, person] of request.persons.entries()) {
    const field = `persons[${index}]`;
    const hasToken = 'id_token' in person && person.id_token !== undefined;
    const hasName = 'name' in person && person.name !== undefined;
    const hasEmail = 'email' in person && person.email !== undefined;
    if (hasToken && (hasName || hasEmail)) throw invalidField(field, 'give either an id_token or a name and email');
    if (!hasToken && !hasName) throw invalidField(`${field}.name`, 'is required without an id_token');
    if (!hasToken && !hasEmail) throw invalidField(`${field}.email`, 'is required without an id_token');
    if (hasEmail && !EMAIL.test((person as { email: string }).email)) {
      throw invalidField(`${field}.email`, 'is not an email address');
    }
  }
}

/** Every index names an existing document and person, and every person signs something. */
function checkSignatures(request: CreateEnvelopeRequest): void {
  const seen = new Set<string>();
  for (const [index, signature] of request.signatures.entries()) {
    const field = `signatures[${index}]`;
    if (signature.document >= request.documents.length) {
      throw invalidField(
        `${field}.document`,
        `no document ${signature.document} (there are ${request.documents.length})`,
      );
    }
    if (signature.person >= request.persons.length) {
      throw invalidField(`${field}.person`, `no person ${signature.person} (there are ${request.persons.length})`);
    }
    const pair = `${signature.document}:${signature.person}`;
    if (seen.has(pair))
      throw invalidField(field, `person ${signature.person} already signs document ${signature.document}`);
    seen.add(pair);
  }
  for (const index of request.persons.keys()) {
    if (!request.signatures.some((s) => s.person === index))
      throw invalidField(`persons[${index}]`, 'has no signature');
  }
}

function checkPositions(request: CreateEnvelopeRequest, documents: AcceptedDocument[]): void {
  for (const [index, signature] of request.signatures.entries()) {
    const pages = documents[signature.document]?.pageCount ?? 0;
    if (signature.position && signature.position.page > pages) {
      throw invalidField(`signatures[${index}].position.page`, `document ${signature.document} has ${pages} page(s)`);
    }
  }
}

function checkExpiresAt(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) {
    throw invalidField('expiresAt', 'is not an ISO 8601 date-time');
  }
  const seconds = Math.floor(time / 1000);
  if (seconds <= now) throw invalidField('expiresAt', 'is in the past');
  return seconds;
}

function checkCallbackUrl(value: string | undefined, privateNetworks: 'allow' | 'deny'): string | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField('callbackUrl', 'is not a URL');
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw invalidField('callbackUrl', 'must be https (http only on localhost)');
  }
  if (url.username || url.password) throw invalidField('callbackUrl', 'must not carry credentials');
  if (privateNetworks === 'deny' && isPrivateHost(url.hostname)) throw invalidField('callbackUrl', PRIVATE_HOST);
  return url.toString();
}

/** 409 `nonce_reused`, naming the envelope the nonce created, so a retrying client can find it. */
async function checkNonceUnused(services: EnvelopeServices, clientId: string, nonce: string): Promise<void> {
  const existing = await envelopeIdByNonce(services.store.db, clientId, nonce);
  if (existing !== undefined) {
    throw new EnvelopeError('nonce_reused', 'issuer.nonce: already used by this initiative', 409, {
      field: 'issuer.nonce',
      envelopeId: existing,
    });
  }
}

/**
 * Verifies every id_token; one sign-in (`iss`, `sub`, `auth_time`) may identify one person of one
 * envelope, whichever of its id_tokens is sent and however it is spelt.
 */
async function identifyPersons(
  services: EnvelopeServices,
  clientId: string,
  request: CreateEnvelopeRequest,
): Promise<Map<number, IdentifiedPerson>> {
  const identified = new Map<number, IdentifiedPerson>();
  for (const [index, person] of request.persons.entries()) {
    if (!('id_token' in person)) continue;
    const verified = await verifyPersonIdToken(services, clientId, person.id_token, `persons[${index}].id_token`);
    if ([...identified.values()].some((other) => other.signInKey === verified.signInKey)) throw reusedToken(index);
    identified.set(index, verified);
  }
  const used = await usedSignInKeys(
    services.store.db,
    [...identified.values()].map((p) => p.signInKey),
  );
  for (const [index, person] of identified) {
    if (used.has(person.signInKey)) throw reusedToken(index);
  }
  return identified;
}

const reusedToken = (index: number): EnvelopeError =>
  invalidIdToken(
    `persons[${index}].id_token`,
    'reused',
    'this sign-in has already identified a person (the same iss, sub and auth_time)',
  );

/** Codes create may answer with, for the OpenAPI document. */
export const CREATE_ERRORS: readonly EnvelopeErrorCode[] = [
  'invalid_request',
  'invalid_document',
  'document_too_large',
  'invalid_id_token',
  'nonce_reused',
];

/** The documents together within `SIGNET_SIGNER_MAX_ENVELOPE_BYTES`, decoded, before any is parsed. */
function checkEnvelopeSize(documents: readonly { content: string }[], maxBytes: number): void {
  const total = documents.reduce(
    (sum, { content }) =>
      sum + Math.floor((content.length * 3) / 4) - (content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0),
    0,
  );
  if (total > maxBytes) {
    throw new EnvelopeError(
      'document_too_large',
      `documents: together ${total} bytes, more than the ${maxBytes} an envelope may hold`,
      422,
      { field: 'documents' },
    );
  }
}
