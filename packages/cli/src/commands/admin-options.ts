import type { Command } from 'commander';
import { AdminClient, type AdminOptions, resolveAdminTarget } from '../admin-client.js';

/** Options shared by every command that talks to the admin API. */
export interface AdminCommandOptions extends AdminOptions {
  /** `--json`: machine-readable output on stdout, errors as JSON on stderr. */
  json?: boolean;
}

/** Adds `--json`, `--admin-url` and `--admin-token` to a command that calls the admin API. */
export function withAdminOptions(command: Command): Command {
  return command
    .option('--json', 'print JSON (the admin API shape) instead of text; errors go to stderr as JSON')
    .option(
      '--admin-url <url>',
      'base URL of the admin API (default: $SIGNET_ADMIN_URL, else http://$SIGNET_ADMIN_HOST:$SIGNET_ADMIN_PORT, i.e. http://127.0.0.1:4445)',
    )
    .option(
      '--admin-token <token>',
      'admin bearer token (default: $SIGNET_ADMIN_TOKEN, else the file $SIGNET_DATA_DIR/admin-token, i.e. ./.signet/admin-token); ' +
        'a token given here is visible in the process list, so prefer the variable',
    );
}

/** An admin API client for the command's options and the environment. */
export function adminClient(options: AdminOptions): AdminClient {
  return new AdminClient(resolveAdminTarget(options));
}
