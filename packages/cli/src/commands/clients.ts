import type { ClientJson } from '@signet/accounts';
import { type Command, Option } from 'commander';
import { CliError } from '../admin-client.js';
import { fields, list, printJson, printLines, shellWord, table, when } from '../output.js';
import { type AdminCommandOptions, adminClient, withAdminOptions } from './admin-options.js';

/** Options of `signet clients create`, named after their flags. */
export interface CreateClientOptions extends AdminCommandOptions {
  name?: string;
  grantType?: string[];
  audience?: string[];
  scope?: string;
  redirectUri?: string[];
  authMethod?: string;
  id?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const clientPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

/** Rewords the admin API's 404 for a client as what the user should do. */
function clientNotFound(id: string) {
  return (error: unknown): never => {
    if (error instanceof CliError && error.status === 404 && error.code === 'not_found') {
      throw new CliError('not_found', `client "${id}" does not exist (see \`signet clients list\`)`, { status: 404 });
    }
    throw error;
  };
}

/** `signet clients create`: registers a client and shows its secret once. */
export async function createClient(options: CreateClientOptions): Promise<void> {
  const body: Partial<ClientJson> = {
    ...(options.id !== undefined ? { client_id: options.id } : {}),
    ...(options.name !== undefined ? { client_name: options.name } : {}),
    ...(options.grantType ? { grant_types: options.grantType } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    ...(options.redirectUri ? { redirect_uris: options.redirectUri } : {}),
    ...(options.authMethod !== undefined ? { token_endpoint_auth_method: options.authMethod } : {}),
  };
  const { body: client } = await adminClient(options)
    .post<ClientJson>('/admin/clients', body)
    .catch((error: unknown) => {
      // A taken id, or one that is a person's sub (RFC 9700 §4.15): either way, another id.
      const idRefused =
        error instanceof CliError &&
        (error.status === 409 || (error.code === 'invalid_client_metadata' && error.message.startsWith('client_id')));
      if (idRefused) {
        throw new CliError(error.code, `${error.message}: choose another --id, or omit it for a generated one`, {
          status: error.status,
        });
      }
      throw error;
    });
  if (options.json) return printJson(client);
  printLines([`Created client ${client.client_id}${client.client_name ? ` (${client.client_name})` : ''}.`, '']);
  printLines(secretLines(client));
  printLines(['', ...clientFields(client), ...tokenRequestLines(client)]);
}

/** `signet clients list`: every client, following the admin API's pages. */
export async function listClients(options: AdminCommandOptions): Promise<void> {
  const clients = await adminClient(options).getAll<ClientJson>('/admin/clients');
  if (options.json) return printJson(clients);
  if (clients.length === 0) {
    return printLines(['No clients yet. Create one with: signet clients create --name "<integrator name>"']);
  }
  printLines(
    table(
      ['client id', 'name', 'grant types', 'audience'],
      clients.map((c) => [c.client_id, c.client_name || '-', list(c.grant_types), list(c.audience)]),
    ),
  );
  printLines(['', `${clients.length} client${clients.length === 1 ? '' : 's'}.`]);
}

/** `signet clients get <id>`: one client, without its secret. */
export async function getClient(id: string, options: AdminCommandOptions): Promise<void> {
  const { body: client } = await adminClient(options).get<ClientJson>(clientPath(id)).catch(clientNotFound(id));
  if (options.json) return printJson(client);
  printLines([`Client ${client.client_id}`, '', ...clientFields(client)]);
}

/** `signet clients delete <id>`: removes a client; its credentials stop working at once. */
export async function deleteClient(id: string, options: AdminCommandOptions): Promise<void> {
  await adminClient(options).delete(clientPath(id)).catch(clientNotFound(id));
  if (options.json) return printJson({ client_id: id, deleted: true });
  printLines([
    `Deleted client ${id}. Its credentials no longer work; tokens already issued stay valid until they expire.`,
  ]);
}

/** `signet clients rotate-secret <id>`: issues a new secret; the old one stops working at once. */
export async function rotateClientSecret(id: string, options: AdminCommandOptions): Promise<void> {
  const { body: client } = await adminClient(options)
    .post<ClientJson>(`${clientPath(id)}/secret/rotate`)
    .catch(clientNotFound(id));
  if (options.json) return printJson(client);
  printLines([`New secret for client ${client.client_id}. The previous secret no longer works.`, '']);
  printLines(secretLines(client));
  printLines(tokenRequestLines(client));
}

function secretLines(client: ClientJson): string[] {
  return [
    ...fields([
      ['client_id', client.client_id],
      ['client_secret', client.client_secret ?? '(not returned)'],
    ]),
    '',
    '  The client secret is shown once and cannot be retrieved later: store it now.',
    `  (Lost it? \`signet clients rotate-secret ${shellWord(client.client_id)}\` issues a new one.)`,
  ];
}

function clientFields(client: ClientJson): string[] {
  return fields([
    ['name', client.client_name || '-'],
    ['grant types', list(client.grant_types)],
    ['audience', list(client.audience)],
    ['scope', client.scope || '-'],
    ['redirect uris', list(client.redirect_uris)],
    ['auth method', client.token_endpoint_auth_method],
    ['created', when(client.created_at)],
    ['updated', when(client.updated_at)],
  ]);
}

/** `id:secret` for `curl -u`, double-quoted as in the docs when that is safe. */
function basicCredentials(id: string, secret: string): string {
  const word = shellWord(`${id}:${secret}`);
  return word.startsWith("'") ? word : `"${word}"`;
}

/**
 * A ready-to-paste token request for a client_credentials client. The token endpoint is
 * `$SIGNET_ISSUER/oauth2/token` (the admin API does not publish the issuer), the audience the
 * client's first allowed one.
 */
function tokenRequestLines(client: ClientJson): string[] {
  if (!client.client_secret || !client.grant_types.includes('client_credentials')) return [];
  const issuer = (process.env.SIGNET_ISSUER?.trim() || 'http://localhost:4444').replace(/\/+$/, '');
  const auth =
    client.token_endpoint_auth_method === 'client_secret_post'
      ? `-d client_id=${shellWord(client.client_id)} -d client_secret=${shellWord(client.client_secret)}`
      : `-u ${basicCredentials(client.client_id, client.client_secret)}`;
  const audience = client.audience[0] === undefined ? '' : ` -d audience=${shellWord(client.audience[0])}`;
  return [
    '',
    'Request an access token (client_credentials):',
    '',
    `  curl ${auth} -d grant_type=client_credentials${audience} ${shellWord(`${issuer}/oauth2/token`)}`,
  ];
}

/** Adds the `signet clients` command group to `program` (after its shared settings are configured). */
export function clientsCommand(program: Command): Command {
  const clients = program
    .command('clients')
    .description('manage OAuth clients through the admin API of a running server');

  withAdminOptions(
    clients
      .command('create')
      .description('register a client; prints its client_id and its client_secret (shown once)')
      .option('--id <client_id>', 'client_id to register (letters, digits, . _ ~ -; default: a random UUID)')
      .option('--name <name>', 'human-readable client name (client_name)')
      .option(
        '--grant-type <grant_type>',
        'grant type the client may use; repeat for several (default: client_credentials)',
        collect,
      )
      .option(
        '--audience <audience>',
        'audience the client may request tokens for; repeat for several (default: $SIGNET_SIGNER_AUDIENCE of the server)',
        collect,
      )
      .option(
        '--scope <scope>',
        'space-delimited scopes the client may request (default: "envelopes:read envelopes:write")',
      )
      .option(
        '--redirect-uri <uri>',
        'redirect URI for browser-based grants; repeat for several (default: none)',
        collect,
      )
      .addOption(
        new Option(
          '--auth-method <method>',
          'how the client authenticates at the token endpoint (default: client_secret_basic)',
        ).choices(['client_secret_basic', 'client_secret_post']),
      ),
  ).action(createClient);

  withAdminOptions(clients.command('list').description('list every client (id, name, grant types, audience)')).action(
    listClients,
  );

  withAdminOptions(
    clients
      .command('get')
      .description('show one client (never its secret)')
      .argument('<client_id>', 'the client to show'),
  ).action(getClient);

  withAdminOptions(
    clients
      .command('delete')
      .description('delete a client; its credentials stop working at once')
      .argument('<client_id>', 'the client to delete'),
  ).action(deleteClient);

  withAdminOptions(
    clients
      .command('rotate-secret')
      .description('issue a new client_secret (shown once); the old one stops working at once')
      .argument('<client_id>', 'the client whose secret to replace'),
  ).action(rotateClientSecret);

  return clients;
}
