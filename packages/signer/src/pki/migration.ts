import type { Dialect } from '@signet/store';
import type { Migration } from 'kysely';

/** Creates the pki tables. */
export function pkiMigration(_dialect: Dialect): Migration {
  return {
    async up() {},
    async down() {},
  };
}
