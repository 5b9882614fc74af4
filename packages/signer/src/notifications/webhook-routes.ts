import { invalidField, invalidRequest } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import '../auth/caller.js';
import type { PrivateNetworkPolicy } from './private-networks.js';
import { routeSchemas } from './schemas.js';
import { checkCallbackUrl, type WebhookSettingsRepository } from './webhook-settings-repository.js';

/** Reads `{ url }` from a JSON body: a callback URL, or null to remove it. */
function readUrl(body: unknown, privateNetworks: PrivateNetworkPolicy): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidRequest('the request body must be a JSON object with url');
  if (!('url' in body)) throw invalidField('url', 'is required');
  const { url } = body as { url: unknown };
  return url === null ? null : checkCallbackUrl(url, 'url', privateNetworks);
}

/**
 * The client's webhook settings: `GET /v1/webhook` (URL and whether a secret exists, never the
 * secret), `PUT /v1/webhook` `{ url }` (sets it; the first time it also creates the signing
 * secret and returns it, once) and `POST /v1/webhook/secret` (a new secret, returned once).
 */
export function webhookRoutes(
  app: FastifyInstance,
  settings: WebhookSettingsRepository,
  privateNetworks: PrivateNetworkPolicy,
): void {
  app.get('/v1/webhook', { schema: routeSchemas.getWebhook }, async (request, reply) => {
    const current = await settings.get(request.caller.clientId);
    return reply.header('cache-control', 'no-store').send({ url: current.url, has_secret: current.hasSecret });
  });

  app.put('/v1/webhook', { schema: routeSchemas.putWebhook }, async (request, reply) => {
    const { clientId } = request.caller;
    const url = readUrl(request.body, privateNetworks);
    await settings.setUrl(clientId, url);
    const body: { url: string | null; has_secret: boolean; secret?: string } = { url, has_secret: true };
    if (url !== null) {
      const { secret, created } = await settings.ensureSecret(clientId);
      if (created) body.secret = secret;
    } else {
      body.has_secret = (await settings.get(clientId)).hasSecret;
    }
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.post('/v1/webhook/secret', { schema: routeSchemas.rotateSecret }, async (request, reply) => {
    const secret = await settings.rotateSecret(request.caller.clientId);
    return reply.code(201).header('cache-control', 'no-store').send({ secret });
  });
}
