import type { SignerContext } from '../context.js';
import { EnvelopeError } from '../envelopes/errors.js';
import { findInvitation, recordInvitationOpened, rejectInvitation, signAsInvitee } from '../envelopes/invitations.js';
import { loadDocumentBytes } from '../envelopes/repository.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { identityFromClaims } from '../pki/identity.js';
import type { InvitationProblem, SigningDesk } from './desk.js';
import { InvitationRefused } from './desk.js';

/** What the envelopes part needs to sign: the Signer's context and its certificate authority. */
export type EnvelopeDeskServices = Pick<SignerContext, 'config' | 'store' | 'now' | 'issuerKeys' | 'issuer'> & {
  ca: CertificateAuthority;
};

/** The `reason` of an `invitation_invalid` error, as the signing page names it. */
const PROBLEM_OF_REASON: Readonly<Record<string, InvitationProblem>> = {
  unknown: 'unknown',
  used: 'used',
  expired: 'expired',
  canceled: 'canceled',
  rejected: 'rejected',
  completed: 'completed',
  replaced: 'replaced',
  finished: 'closed',
};

/** An envelope error that means the link cannot be used now, as an {@link InvitationRefused}; others unchanged. */
function refusal(error: unknown): unknown {
  if (!(error instanceof EnvelopeError)) return error;
  if (error.code === 'invitation_invalid')
    return new InvitationRefused(PROBLEM_OF_REASON[error.reason ?? ''] ?? 'unknown');
  // 409: an earlier signer has not signed yet, or the envelope changed under this decision.
  if (error.code === 'invalid_state')
    return new InvitationRefused(/earlier signer/.test(error.message) ? 'waiting' : 'closed');
  return error;
}

/** The signing page's {@link SigningDesk} over the envelopes part's invitation functions. */
export function envelopeDesk(services: EnvelopeDeskServices): SigningDesk {
  return {
    async findInvitation(token) {
      try {
        const { envelope, person, theirTurn } = await findInvitation(services, token);
        const theirs = envelope.signatures.filter((s) => s.person === person.index);
        const documents = [...new Set(theirs.map((s) => s.document))]
          .sort((a, b) => a - b)
          .map((index) => ({
            index,
            name: envelope.documents[index]?.name ?? `document-${index + 1}.pdf`,
            places: theirs.filter((s) => s.document === index).map((s) => s.position),
          }));
        return {
          status: 'valid',
          invitation: {
            envelopeId: envelope.id,
            personIndex: person.index,
            name: person.name,
            email: person.email ?? '',
            documents,
            theirTurn,
          },
        };
      } catch (error) {
        const refused = refusal(error);
        if (refused instanceof InvitationRefused && refused.problem !== 'waiting' && refused.problem !== 'closed') {
          return { status: refused.problem };
        }
        throw refused;
      }
    },
    async opened(token, origin) {
      await recordInvitationOpened(services, token, origin);
    },
    async sign(token, identity, origin) {
      try {
        await signAsInvitee(services, token, identityFromClaims(identity.claims), origin);
      } catch (error) {
        throw refusal(error);
      }
    },
    async reject(token, identity, reason, origin) {
      try {
        await rejectInvitation(services, token, reason, origin, identityFromClaims(identity.claims));
      } catch (error) {
        throw refusal(error);
      }
    },
    document: (envelopeId, index) => loadDocumentBytes(services.store.db, null, envelopeId, index, 'current'),
  };
}
