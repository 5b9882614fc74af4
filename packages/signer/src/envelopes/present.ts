import type { Envelope, EnvelopePerson } from '@signet/protocol';
import type { EnvelopeState } from './model.js';

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
const isoOrNull = (seconds: number | null | undefined): string | null =>
  seconds === null || seconds === undefined ? null : iso(seconds);

/** The wire form of an envelope; document URLs are absolute under `publicUrl`. */
export function presentEnvelope(envelope: EnvelopeState, publicUrl: string): Envelope {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    id: envelope.id,
    status: envelope.status,
    issuer: {
      initiative: envelope.clientId,
      personIndex: envelope.issuerPersonIndex,
      nonce: envelope.nonce,
      name: envelope.senderName,
    },
    createdAt: iso(envelope.createdAt),
    updatedAt: iso(envelope.updatedAt),
    expiresAt: isoOrNull(envelope.expiresAt),
    finishedAt: isoOrNull(envelope.finishedAt),
    callbackUrl: envelope.callbackUrl,
    statusReason: envelope.statusReason,
    documents: envelope.documents.map((document) => ({
      index: document.index,
      name: document.name,
      pageCount: document.pageCount,
      size: document.size,
      originalSha256: document.originalSha256,
      signatureCount: document.signatureCount,
      url: `${base}/v1/envelopes/${encodeURIComponent(envelope.id)}/documents/${document.index}`,
    })),
    persons: envelope.persons.map((person) => {
      const wire: EnvelopePerson = {
        index: person.index,
        identifiedBy: person.identifiedBy,
        name: person.name,
        email: person.email,
        status: person.status,
        signedAt: isoOrNull(person.signedAt),
      };
      if (person.signingUrl) wire.signingUrl = person.signingUrl;
      if (person.identifiedBy === 'invitation') wire.locale = person.locale;
      if (person.invitationExpiresAt !== undefined) wire.invitationExpiresAt = isoOrNull(person.invitationExpiresAt);
      return wire;
    }),
    signatures: envelope.signatures.map((signature) => ({
      index: signature.index,
      document: signature.document,
      person: signature.person,
      status: signature.status,
      signedAt: isoOrNull(signature.signedAt),
      position: signature.position,
    })),
  };
}
