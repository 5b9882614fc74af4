import { OAuthError, type PasskeyJson } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import type { Passkey } from '../passkeys/repository.js';
import { passkeyAmr } from '../people/acr.js';

const iso = (epoch: number | null) => (epoch === null ? null : new Date(epoch * 1000).toISOString());

/** A passkey as the admin API shows it: never its public key (it is not a secret, but nobody needs it here). */
export function passkeyJson(p: Passkey): PasskeyJson {
  return {
    credential_id: p.credentialId,
    name: p.name,
    amr: passkeyAmr(p.backupEligible)[0] as 'hwk' | 'swk',
    backup_eligible: p.backupEligible,
    backed_up: p.backedUp,
    attachment: p.attachment,
    aaguid: p.aaguid,
    transports: p.transports,
    sign_count: p.signCount,
    created_at: iso(p.createdAt) ?? '',
    last_used_at: iso(p.lastUsedAt),
  };
}

const notFound = (id: string) => new OAuthError('not_found', `user "${id}" does not exist`, 404);

/**
 * `GET /admin/users/{id}/passkeys` lists a person's passkeys; `DELETE
 * /admin/users/{id}/passkeys/{credential_id}` revokes one (issue 10): it can no longer sign in.
 * Sessions it started end on their own (`SIGNET_SESSION_TTL`); tokens already issued stand.
 */
export function passkeyRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.get<{ Params: { id: string } }>('/admin/users/:id/passkeys', async (request, reply) => {
    const { id } = request.params;
    if (!(await ctx.store.users.get(id))) throw notFound(id);
    const passkeys = await ctx.store.passkeys.listByUser(id);
    return reply.header('cache-control', 'no-store').send({ passkeys: passkeys.map(passkeyJson) });
  });

  app.delete<{ Params: { id: string; credentialId: string } }>(
    '/admin/users/:id/passkeys/:credentialId',
    async (request, reply) => {
      const { id, credentialId } = request.params;
      if (!(await ctx.store.users.get(id))) throw notFound(id);
      if (!(await ctx.store.passkeys.remove(id, credentialId))) {
        throw new OAuthError('not_found', `user "${id}" has no passkey "${credentialId.slice(0, 200)}"`, 404);
      }
      request.log.info({
        event: 'passkey_removal',
        via: 'admin',
        user: id,
        credential: credentialId,
        outcome: 'removed',
      });
      return reply.code(204).send();
    },
  );
}
