import { randomUUID } from 'node:crypto';
import { invalidRequest, OAuthError } from '@signet/protocol';
import type { Client } from '@signet/store';
import type { FastifyInstance } from 'fastify';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { generateClientSecret, hashClientSecret } from '../crypto/client-secret.js';
import { GRANT_TYPES } from '../endpoints/token.js';

/** The admin API's client shape: the JSON of Ory Hydra's OAuth2Client. */
export interface ClientJson {
  client_id: string;
  client_name: string;
  client_secret?: string;
  grant_types: string[];
  response_types: string[];
  redirect_uris: string[];
  scope: string;
  audience: string[];
  token_endpoint_auth_method: string;
  created_at: string;
  updated_at: string;
}

/** The JSON a client is shown as; the secret only when just generated. */
export function clientJson(c: Client, secret?: string): ClientJson {
  return {
    client_id: c.clientId,
    client_name: c.clientName,
    ...(secret ? { client_secret: secret } : {}),
    grant_types: c.grantTypes,
    response_types: c.responseTypes,
    redirect_uris: c.redirectUris,
    scope: c.scope,
    audience: c.audience,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    created_at: new Date(c.createdAt * 1000).toISOString(),
    updated_at: new Date(c.updatedAt * 1000).toISOString(),
  };
}

const stringList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2048 }, maxItems: 100 } as const;

const clientBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    client_id: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' },
    client_name: { type: 'string', maxLength: 256 },
    grant_types: { ...stringList, items: { type: 'string', enum: [...GRANT_TYPES] } },
    response_types: { ...stringList, maxItems: 0 },
    redirect_uris: stringList,
    scope: { type: 'string', maxLength: 2048, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E ]*$' },
    audience: stringList,
    token_endpoint_auth_method: { type: 'string', enum: [...TOKEN_ENDPOINT_AUTH_METHODS] },
    // Read-only fields a client may send back unchanged from a GET.
    client_secret: { type: 'string' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

type ClientBody = Partial<Omit<ClientJson, 'created_at' | 'updated_at'>>;

/** Defaults of a new client: the documented Signer API flow, nothing more. */
function fromBody(
  body: ClientBody,
  ctx: AccountsContext,
): Omit<Client, 'clientId' | 'clientSecretHash' | 'createdAt' | 'updatedAt'> {
  for (const uri of body.redirect_uris ?? []) checkRedirectUri(uri);
  return {
    clientName: body.client_name ?? '',
    grantTypes: body.grant_types ?? ['client_credentials'],
    responseTypes: body.response_types ?? [],
    redirectUris: body.redirect_uris ?? [],
    scope: body.scope ?? 'envelopes:read envelopes:write',
    audience: body.audience ?? [ctx.config.signerAudience],
    tokenEndpointAuthMethod: body.token_endpoint_auth_method ?? 'client_secret_basic',
  };
}

function checkRedirectUri(uri: string): void {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw invalidRequest(`redirect_uris: "${uri}" is not an absolute URI`);
  }
  if (parsed.hash || uri.includes('#')) throw invalidRequest(`redirect_uris: "${uri}" must not contain a fragment`);
}

const notFound = (id: string) => new OAuthError('not_found', `client "${id}" does not exist`, 404);

/** Creates a client; the generated secret is returned once and never stored in the clear. */
export async function createClient(ctx: AccountsContext, body: ClientBody): Promise<ClientJson> {
  const now = ctx.now();
  const secret = generateClientSecret();
  const client: Client = {
    clientId: body.client_id ?? randomUUID(),
    clientSecretHash: hashClientSecret(ctx.keys.clientSecret, secret),
    createdAt: now,
    updatedAt: now,
    ...fromBody(body, ctx),
  };
  if (await ctx.store.clients.get(client.clientId)) {
    throw new OAuthError('invalid_request', `client "${client.clientId}" already exists`, 409);
  }
  await ctx.store.clients.create(client);
  return clientJson(client, secret);
}

/** `/admin/clients`: create, list, get, replace, delete and rotate the secret. */
export function clientRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.post<{ Body: ClientBody }>('/admin/clients', { schema: { body: clientBody } }, async (request, reply) =>
    reply
      .code(201)
      .header('cache-control', 'no-store')
      .send(await createClient(ctx, request.body ?? {})),
  );

  app.get<{ Querystring: { limit?: number; page_token?: string } }>(
    '/admin/clients',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            page_token: { type: 'string', maxLength: 128 },
          },
        },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 100;
      const after = request.query.page_token;
      const page = await ctx.store.clients.list({ limit, ...(after ? { after } : {}) });
      const last = page.at(-1);
      if (last && page.length === limit) {
        reply.header(
          'link',
          `</admin/clients?limit=${limit}&page_token=${encodeURIComponent(last.clientId)}>; rel="next"`,
        );
      }
      return page.map((c) => clientJson(c));
    },
  );

  app.get<{ Params: { id: string } }>('/admin/clients/:id', async (request) => {
    const client = await ctx.store.clients.get(request.params.id);
    if (!client) throw notFound(request.params.id);
    return clientJson(client);
  });

  app.put<{ Params: { id: string }; Body: ClientBody }>(
    '/admin/clients/:id',
    { schema: { body: clientBody } },
    async (request) => {
      const { id } = request.params;
      if (request.body.client_id !== undefined && request.body.client_id !== id) {
        throw invalidRequest('client_id cannot be changed');
      }
      const updated = await ctx.store.clients.update(id, fromBody(request.body, ctx), ctx.now());
      if (!updated) throw notFound(id);
      return clientJson(updated);
    },
  );

  app.delete<{ Params: { id: string } }>('/admin/clients/:id', async (request, reply) => {
    if (!(await ctx.store.clients.delete(request.params.id))) throw notFound(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/admin/clients/:id/secret/rotate', async (request, reply) => {
    const { id } = request.params;
    const secret = generateClientSecret();
    if (!(await ctx.store.clients.setSecretHash(id, hashClientSecret(ctx.keys.clientSecret, secret), ctx.now()))) {
      throw notFound(id);
    }
    const client = await ctx.store.clients.get(id);
    if (!client) throw notFound(id);
    return reply.header('cache-control', 'no-store').send(clientJson(client, secret));
  });
}
