import { originOf } from '@signet/web';
import type { FastifyPluginAsync } from 'fastify';
import '../auth/caller.js';
import type { SignerContext } from '../context.js';
import { envelopeNotFound } from '../envelopes/errors.js';
import { resendInvitation } from '../envelopes/invitations.js';
import { loadEnvelope } from '../envelopes/repository.js';
import { envelopeErrorSchema } from '../envelopes/schemas.js';
import { emailsOfEnvelope } from './repository.js';

const TAGS = ['envelopes'];
const error = (description: string) => ({ description, ...envelopeErrorSchema });
const seconds = (ms: number | string | null): number | null => (ms === null ? null : Math.floor(Number(ms) / 1000));

const emailSchema = {
  type: 'object',
  required: ['id', 'kind', 'person', 'to', 'locale', 'status', 'attempt_count'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['invitation', 'reminder', 'completion'] },
    person: { type: 'integer', description: 'The person (0-based) the email is for.' },
    to: { type: 'string' },
    locale: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'sent', 'failed', 'canceled'],
      description:
        '`pending`: due at `next_attempt_at` (a reminder waits for its hour); `canceled`: no longer wanted (the link was used, replaced or ended first).',
    },
    attempt_count: { type: 'integer' },
    next_attempt_at: { type: ['integer', 'null'], description: 'Epoch seconds, while pending.' },
    sent_at: { type: ['integer', 'null'], description: 'When the mail server accepted it, epoch seconds.' },
    message_id: { type: ['string', 'null'] },
    last_error: { type: ['string', 'null'] },
    created_at: { type: 'integer' },
  },
} as const;

/**
 * The invitation-email routes, inside the authenticated `/v1` scope:
 * `POST /v1/envelopes/{id}/persons/{n}/resend` (a new link, the old one ends, the invitation
 * email goes again) and `GET /v1/envelopes/{id}/emails` (every email of the envelope and where
 * it stands). Another client's envelope is a 404.
 */
export function mailRoutes(context: Pick<SignerContext, 'config' | 'store' | 'now' | 'masterKey'>): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { id: string; n: number } }>(
      '/v1/envelopes/:id/persons/:n/resend',
      {
        schema: {
          operationId: 'resendInvitation',
          summary: 'Send an invited person a new signing link',
          description:
            'The person’s current link stops working (its page says a newer link was sent), a new one is made and ' +
            'returned, and — when the Signer sends email — the invitation email goes to the person with it, with ' +
            'its reminders. Only for an invited person who has not signed, while the envelope is in progress (409 ' +
            'otherwise).',
          tags: TAGS,
          params: {
            type: 'object',
            required: ['id', 'n'],
            properties: { id: { type: 'string', maxLength: 100 }, n: { type: 'integer', minimum: 0, maximum: 1000 } },
          },
          response: {
            200: {
              description: 'The new link.',
              type: 'object',
              required: ['person', 'signingUrl', 'invitationExpiresAt', 'email'],
              properties: {
                person: { type: 'integer' },
                signingUrl: { type: 'string', description: 'The new one-time link; returned only here.' },
                invitationExpiresAt: { type: 'string', format: 'date-time' },
                email: {
                  type: 'string',
                  enum: ['queued', 'off'],
                  description: '`queued`: the invitation email is in the outbox; `off`: the Signer sends no email.',
                },
              },
            },
            404: error('No such envelope or person for this client.'),
            409: error('The envelope is over, or the person signed, rejected or has no link.'),
          },
        },
      },
      async (request, reply) => {
        const { id, n } = request.params;
        const resent = await resendInvitation(context, request.caller.clientId, id, n, originOf(request));
        return reply.header('cache-control', 'no-store').send({
          person: resent.person,
          signingUrl: resent.signingUrl,
          invitationExpiresAt: new Date(resent.expiresAt * 1000).toISOString(),
          email: resent.emailQueued ? 'queued' : 'off',
        });
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/envelopes/:id/emails',
      {
        schema: {
          operationId: 'listEnvelopeEmails',
          summary: 'List the emails of an envelope and where each stands',
          description:
            'Invitations, reminders (pending until their hour) and completion emails, oldest first, with status, ' +
            'attempts and the last error. Empty when the Signer sends no email.',
          tags: TAGS,
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
          response: {
            200: {
              description: 'The envelope’s emails.',
              type: 'object',
              required: ['emails'],
              properties: { emails: { type: 'array', items: emailSchema } },
            },
            404: error('No such envelope for this client.'),
          },
        },
      },
      async (request, reply) => {
        const { clientId } = request.caller;
        if (!(await loadEnvelope(context.store.db, clientId, request.params.id))) throw envelopeNotFound();
        const rows = await emailsOfEnvelope(context.store.db, clientId, request.params.id);
        return reply.header('cache-control', 'no-store').send({
          emails: rows.map((row) => ({
            id: row.id,
            kind: row.kind,
            person: row.person_index,
            to: row.to_address,
            locale: row.locale,
            status: row.status,
            attempt_count: row.attempts,
            next_attempt_at: row.status === 'pending' ? seconds(row.next_attempt_at_ms) : null,
            sent_at: seconds(row.sent_at_ms),
            message_id: row.message_id,
            last_error: row.last_error,
            created_at: seconds(row.created_at_ms) ?? 0,
          })),
        });
      },
    );
  };
}
