import type { EnvelopeStatus, PersonStatus, SignaturePosition } from '@signet/protocol';
import type { SignerIdentity } from '../pki/identity.js';

/** An envelope as the domain code sees it (camelCase; times in epoch seconds). */
export interface EnvelopeState {
  id: string;
  clientId: string;
  status: EnvelopeStatus;
  nonce: string;
  issuerPersonIndex: number | null;
  callbackUrl: string | null;
  /** The sender's name in emails (`issuer.name`); null: the client id. */
  senderName: string | null;
  expiresAt: number | null;
  statusReason: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** Optimistic-concurrency counter: every change bumps it. */
  version: number;
  documents: DocumentState[];
  persons: PersonState[];
  signatures: SignatureState[];
}

/** A document; `bytes` (the current version) is loaded only when it is about to be signed. */
export interface DocumentState {
  index: number;
  name: string;
  pageCount: number;
  originalSha256: string;
  size: number;
  signatureCount: number;
  bytes?: Uint8Array;
}

/** A signer; `identity` is known for id_token persons from the start and for invited persons once they sign. */
export interface PersonState {
  index: number;
  identifiedBy: 'id_token' | 'invitation';
  name: string;
  email: string | null;
  identity: SignerIdentity | null;
  status: PersonStatus;
  signedAt: number | null;
  /** Set only on create for invited persons: the one-time link (its token is stored only as a hash). */
  signingUrl?: string;
  invitationExpiresAt?: number | null;
  /** The language of an invited person's emails; null: English. */
  locale: string | null;
}

/** One signature, `index` giving its place in the signing order. */
export interface SignatureState {
  index: number;
  document: number;
  person: number;
  position: SignaturePosition | null;
  status: 'pending' | 'signed';
  signedAt: number | null;
}

/** The statuses an envelope ends in. */
export type FinalStatus = Exclude<EnvelopeStatus, 'in_progress'>;
