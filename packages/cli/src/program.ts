import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError } from 'commander';
import { CliError } from './admin-client.js';
import { clientsCommand } from './commands/clients.js';
import { integratorCommands } from './commands/integrator.js';
import { keysCommand } from './commands/keys.js';
import { signerCommand } from './commands/signer.js';
import { usersCommand } from './commands/users.js';

/** Exit code for a command line commander rejects (unknown command or option, missing argument). */
export const USAGE_EXIT_CODE = 2;

/** How the running invocation reports errors; `json` follows the command's `--json`. */
export interface OutputMode {
  json: boolean;
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * The whole `signet` command tree. Usage errors exit with {@link USAGE_EXIT_CODE} (help and
 * version with 0); under `--json` they are written to stderr as `{error, error_description}`.
 */
export function signetProgram(mode: OutputMode = { json: false }): Command {
  const program = new Command('signet')
    .description('Signet: OpenID Connect provider and e-signature platform')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError(mode.json ? false : '(add --help for usage)')
    .configureOutput({
      outputError: (message, write) =>
        write(
          mode.json
            ? `${JSON.stringify({ error: 'usage_error', error_description: message.replace(/^error: /, '').trim() })}\n`
            : message,
        ),
    })
    .exitOverride((error: CommanderError) => {
      process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
    })
    .hook('preAction', (_program, command) => {
      mode.json = command.opts().json === true;
    });

  // start and migrate load the whole server: import them only when they run, so that the admin
  // commands start quickly.
  program
    .command('start')
    .description('run accounts (public and admin listeners) and the Signer API until SIGTERM/SIGINT')
    .addArgument(
      new Argument('[service]', 'run only this service (the Signer finds accounts through SIGNET_ISSUER)').choices([
        'accounts',
        'signer',
      ]),
    )
    .option('--json', 'print the startup summary as JSON')
    .action(async (service: 'accounts' | 'signer' | undefined, options: { json?: boolean }) =>
      (await import('./commands/start.js')).start({ ...options, service: service ?? 'all' }),
    );

  program
    .command('migrate')
    .description('apply pending database migrations (start does this too)')
    .option('--json', 'print the applied migrations as JSON')
    .action(async (options: { json?: boolean }) => (await import('./commands/migrate.js')).migrate(options));

  program
    .command('backup')
    .description("copy accounts' and the Signer's SQLite databases, live, into a new directory")
    .argument('<dir>', 'where to write signet.db and signer.db (must not hold them yet)')
    .option('--json', 'print what was copied as JSON')
    .action(async (dir: string, options: { json?: boolean }) =>
      (await import('./commands/backup.js')).backup(dir, options),
    );

  clientsCommand(program);
  keysCommand(program);
  signerCommand(program);
  usersCommand(program);
  integratorCommands(program);

  program.addHelpText(
    'after',
    `
The clients, keys and users commands call the admin API of a running \`signet start\`:
  admin URL    --admin-url, else $SIGNET_ADMIN_URL, else http://$SIGNET_ADMIN_HOST:$SIGNET_ADMIN_PORT (127.0.0.1:4445)
  admin token  --admin-token, else $SIGNET_ADMIN_TOKEN, else $SIGNET_DATA_DIR/admin-token (./.signet/admin-token)

The login, envelopes and verify commands are an integrator's: they use a client's credentials
  --client-id/--client-secret, else $SIGNET_CLIENT_ID/$SIGNET_CLIENT_SECRET
  --issuer, else $SIGNET_ISSUER (http://localhost:4444); --signer-url, else $SIGNET_SIGNER_URL (http://localhost:4446)
  signet login keeps its tokens in $XDG_CONFIG_HOME/signet/session.json (0600).

Exit codes: 0 success, 1 failure (an API error, a failed verification, an envelope that ended
other than completed under --wait), 2 usage error.`,
  );
  return program;
}

/**
 * Runs the CLI on `argv` (as `process.argv`): failures are printed to stderr, as text or, under
 * `--json`, as `{error, error_description}`, and set the exit code (1 failure, 2 usage error).
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  // Before a command runs (usage errors) the flag's presence is all there is to go by.
  const mode: OutputMode = { json: argv.slice(2).includes('--json') };
  try {
    await signetProgram(mode).parseAsync(argv);
  } catch (error) {
    const failure = toCliError(error);
    if (mode.json) process.stderr.write(`${JSON.stringify(failure.toJSON())}\n`);
    else process.stderr.write(`signet: ${failure.message}\n`);
    process.exitCode = failure.exitCode;
  }
}

function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  // Checked by name: importing @signet/accounts for the class would slow down every command.
  if (error instanceof Error && error.name === 'ConfigError') {
    return new CliError('invalid_configuration', `configuration error: ${error.message}`);
  }
  if (error instanceof CommanderError) return new CliError('usage_error', error.message, { exitCode: USAGE_EXIT_CODE });
  return new CliError('internal_error', error instanceof Error ? error.message : String(error));
}
