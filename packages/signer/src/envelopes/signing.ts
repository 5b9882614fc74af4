import { PdfSigningError, signPdf } from '../pdf/sign.js';
import type { CertificateAuthority } from '../pki/authority.js';
import type { SigningCredential } from '../pki/credential.js';
import type { SignerIdentity } from '../pki/identity.js';
import { sha256Hex } from './documents.js';
import { EnvelopeError } from './errors.js';
import type { EnvelopeState } from './model.js';

/** One signature applied by {@link applyReadySignatures}. */
export interface AppliedSignature {
  signature: number;
  document: number;
  person: number;
  /** SHA-256 (hex) of the document after this signature. */
  sha256: string;
}

/** What {@link applyReadySignatures} changed, for the audit trail and for saving. */
export interface SigningProgress {
  applied: AppliedSignature[];
  /** Persons whose last signature was applied now. */
  personsSigned: number[];
  /** True when every signature of the envelope is now applied. */
  completed: boolean;
}

/** Credentials opened once per person and call: a person signing three documents unseals one key. */
type CredentialCache = Map<string, Promise<SigningCredential>>;

/**
 * Applies the envelope's pending signatures in order, each one a PAdES signature in its own
 * incremental update of the document's current bytes, for as long as the next signature's
 * person is identified (an id_token person, or someone in `ready`). It stops at the first
 * signature whose person has yet to sign, so a later signer never signs before an earlier one.
 * Works on the envelope in memory (documents must carry `bytes`); the caller saves it, so keys
 * are unsealed and PDFs signed outside any database transaction.
 */
export async function applyReadySignatures(
  ca: CertificateAuthority,
  envelope: EnvelopeState,
  now: number,
  ready: ReadonlySet<number> = new Set(),
): Promise<SigningProgress> {
  const credentials: CredentialCache = new Map();
  const applied: AppliedSignature[] = [];
  for (const signature of envelope.signatures) {
    if (signature.status === 'signed') continue;
    const person = envelope.persons[signature.person];
    const document = envelope.documents[signature.document];
    if (!person || !document?.bytes) throw new Error(`signature ${signature.index} refers to nothing`);
    const identified = person.identifiedBy === 'id_token' || ready.has(person.index);
    if (!identified || !person.identity) break;
    const credential = await credentialOf(ca, person.identity, credentials);
    document.bytes = await signPdf(document.bytes, {
      credential,
      timestampAuthority: ca.timestampAuthority,
      validationData: ca.validationData,
      signingTime: new Date(now * 1000),
      reason: `Signed with Signet (envelope ${envelope.id})`,
      signerName: person.identity.name,
      ...(signature.position ? { appearance: signature.position } : {}),
    }).catch((error: unknown) => {
      throw signingRefusal(error, signature.index, document.index);
    });
    document.signatureCount += 1;
    document.size = document.bytes.length;
    signature.status = 'signed';
    signature.signedAt = now;
    applied.push({
      signature: signature.index,
      document: document.index,
      person: person.index,
      sha256: sha256Hex(document.bytes),
    });
  }
  const personsSigned: number[] = [];
  for (const person of envelope.persons) {
    if (person.status !== 'pending') continue;
    const done = envelope.signatures.every((s) => s.person !== person.index || s.status === 'signed');
    if (done && applied.some((a) => a.person === person.index)) {
      person.status = 'signed';
      person.signedAt = now;
      personsSigned.push(person.index);
    }
  }
  const completed = envelope.signatures.every((s) => s.status === 'signed');
  return { applied, personsSigned, completed };
}

function credentialOf(
  ca: CertificateAuthority,
  identity: SignerIdentity,
  cache: CredentialCache,
): Promise<SigningCredential> {
  let credential = cache.get(identity.subject);
  if (!credential) {
    credential = ca.credentialFor(identity);
    cache.set(identity.subject, credential);
  }
  return credential;
}

/** A document or position the PDF code cannot sign is the request's fault: 422 naming the field. */
function signingRefusal(error: unknown, signatureIndex: number, documentIndex: number): unknown {
  if (!(error instanceof PdfSigningError)) return error;
  const field =
    error.code === 'bad_appearance' ? `signatures[${signatureIndex}].position` : `documents[${documentIndex}].content`;
  return new EnvelopeError('invalid_document', `${field}: ${error.message}`, 422, { field, reason: error.code });
}
