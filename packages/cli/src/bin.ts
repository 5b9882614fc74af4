#!/usr/bin/env node
import { ConfigError } from '@signet/accounts';
import { Command } from 'commander';
import { migrate } from './commands/migrate.js';
import { start } from './commands/start.js';

const program = new Command('signet')
  .description('Signet: OpenID Connect provider and e-signature platform')
  .showHelpAfterError();

program
  .command('start')
  .description('run the accounts service (public and admin listeners)')
  .option('--json', 'print the startup summary as JSON')
  .action(start);

program
  .command('migrate')
  .description('apply pending database migrations')
  .option('--json', 'print JSON')
  .action(migrate);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`signet: configuration error: ${error.message}`);
  else console.error(`signet: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
