import type { Command } from 'commander';
import { CliError } from '../admin-client.js';
import { printJson, printLines, table, when } from '../output.js';
import { type AdminCommandOptions, adminClient, withAdminOptions } from './admin-options.js';

/** A signing key as the admin API shows it (`GET /admin/keys`); private parts never leave the server. */
export interface KeyJson {
  kid: string;
  alg: string;
  /** `next` (published, not yet signing), `active` (signing), `previous` (published, no longer signing) or `retired`. */
  status: 'next' | 'active' | 'previous' | 'retired';
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
  public_jwk: Record<string, unknown>;
}

/** The answer of `POST /admin/keys/rotate`. */
export interface RotateKeysJson {
  active_kid: string;
  keys: KeyJson[];
}

/** `signet keys list`: every signing key and its place in the rotation. */
export async function listKeys(options: AdminCommandOptions): Promise<void> {
  const { body: keys } = await adminClient(options).get<KeyJson[]>('/admin/keys');
  if (options.json) return printJson(keys);
  printLines(
    table(
      ['kid', 'alg', 'status', 'created', 'activated', 'retired'],
      keys.map((k) => [k.kid, k.alg, k.status, when(k.created_at), when(k.activated_at), when(k.retired_at)]),
    ),
  );
  printLines([
    '',
    'active signs new tokens; next and previous are published in the JWKS so verifiers already know them.',
  ]);
}

/** `signet keys rotate`: the next key starts signing, the active one becomes previous. */
export async function rotateKeys(options: AdminCommandOptions & { force?: boolean }): Promise<void> {
  const path = options.force ? '/admin/keys/rotate?force=true' : '/admin/keys/rotate';
  const { body } = await adminClient(options).post<RotateKeysJson>(path);
  if (options.json) return printJson(body);
  const active = body.keys.find((k) => k.kid === body.active_kid);
  const previous = body.keys.filter((k) => k.status === 'previous');
  const next = body.keys.find((k) => k.status === 'next');
  const lines = [
    `Rotated signing keys. New tokens are now signed with ${body.active_kid}${active ? ` (${active.alg})` : ''}.`,
  ];
  if (previous.length) {
    lines.push(
      `Still published for tokens signed before: ${previous.map((k) => k.kid).join(', ')}.`,
      'Retire a previous key once the tokens it signed have expired: signet keys retire <kid>',
    );
  }
  if (next) lines.push(`Published as the next key: ${next.kid}.`);
  printLines(lines);
}

/** `signet keys retire <kid>`: removes a previous key from the JWKS once its tokens have expired. */
export async function retireKey(kid: string, options: AdminCommandOptions): Promise<void> {
  const { body } = await adminClient(options)
    .post<KeyJson>(`/admin/keys/${encodeURIComponent(kid)}/retire`)
    .catch((error: unknown) => {
      if (error instanceof CliError && error.status === 409) {
        throw new CliError(error.code, `cannot retire: ${error.message} (see \`signet keys list\`)`, { status: 409 });
      }
      throw error;
    });
  if (options.json) return printJson(body);
  printLines([`Retired key ${body.kid}. It is no longer published in the JWKS.`]);
}

/** Adds the `signet keys` command group to `program` (after its shared settings are configured). */
export function keysCommand(program: Command): Command {
  const keys = program
    .command('keys')
    .description('manage token signing keys through the admin API of a running server');

  withAdminOptions(
    keys.command('list').description('list signing keys: kid, algorithm, status, when created/activated/retired'),
  ).action(listKeys);

  withAdminOptions(
    keys
      .command('rotate')
      .description(
        'start signing with the next key (published for at least 70 s); the current one stays published until retired',
      )
      .option('--force', 'rotate even if the next key is younger (a compromised key): verifiers briefly refuse tokens'),
  ).action(rotateKeys);

  withAdminOptions(
    keys
      .command('retire')
      .description('unpublish a previous key; refused while tokens it signed may still be valid')
      .argument('<kid>', 'key id of a previous key (see `signet keys list`)'),
  ).action(retireKey);

  return keys;
}
