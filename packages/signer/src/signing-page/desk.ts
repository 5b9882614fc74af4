import type { SignaturePosition } from '@signet/protocol';
import type { RequestOrigin } from '@signet/web';
import type { VerifiedIdentity } from './oidc.js';

/** A document the person signs, and where each of their signatures in it goes. */
export interface InvitedDocument {
  index: number;
  name: string;
  /** Each of the person's signatures in it: its box on a page, or null for one drawn on no page. */
  places: (SignaturePosition | null)[];
}

/** An open invitation: who was invited, to which envelope, to sign what. */
export interface Invitation {
  envelopeId: string;
  personIndex: number;
  /** The name and email the invitation was sent to. */
  name: string;
  email: string;
  /** The documents this person signs, in order. */
  documents: InvitedDocument[];
  /** False while a signer before this person still has to sign. */
  theirTurn: boolean;
}

/**
 * Why a signing link cannot be used now, each with its own page: `unknown` (no such link),
 * `used` (this person signed or rejected with it), `expired` (the link or the envelope ran out of
 * time), `canceled` (by the sender), `rejected` (by another signer), `completed`, `replaced` (a
 * newer link was sent), `closed` (the envelope changed while the person was deciding), `waiting`
 * (someone must sign first).
 */
export type InvitationProblem =
  | 'unknown'
  | 'expired'
  | 'used'
  | 'canceled'
  | 'rejected'
  | 'completed'
  | 'replaced'
  | 'closed'
  | 'waiting';

/** What a signing link leads to. */
export type InvitationLookup =
  | { status: 'valid'; invitation: Invitation }
  | { status: Exclude<InvitationProblem, 'waiting' | 'closed'> };

/** The envelope refused a decision on an invitation for one of the {@link InvitationProblem}s. */
export class InvitationRefused extends Error {
  constructor(readonly problem: InvitationProblem) {
    super(`invitation refused: ${problem}`);
    this.name = 'InvitationRefused';
  }
}

/** Where a request came from, for the audit trail (`@signet/web`'s `originOf`). */
export type { RequestOrigin };

/** A PDF and its file name. */
export interface DocumentFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * The envelope operations the signing page needs, a seam over the envelopes part's domain
 * functions (see `envelopeDesk`), so the page's routes hold no envelope logic. `sign` and `reject`
 * throw {@link InvitationRefused} when the link can no longer be used.
 */
export interface SigningDesk {
  /** The invitation behind a signing link's token. */
  findInvitation(token: string): Promise<InvitationLookup>;
  /** Records that the person opened their link (once per opening session; nothing for a dead link). */
  opened(token: string, origin: RequestOrigin): Promise<void>;
  /** Signs every signature of the invited person as `identity` (consumes the link). */
  sign(token: string, identity: VerifiedIdentity, origin: RequestOrigin): Promise<void>;
  /** Rejects the envelope as the invited person, with their reason (consumes the link). */
  reject(token: string, identity: VerifiedIdentity, reason: string, origin: RequestOrigin): Promise<void>;
  /** A document of the envelope as it is now (with every signature so far), or undefined. */
  document(envelopeId: string, index: number): Promise<DocumentFile | undefined>;
}
