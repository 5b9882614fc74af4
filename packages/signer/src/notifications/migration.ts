import type { Dialect } from '@signet/store';
import type { Migration } from 'kysely';

/** Creates the notifications tables. */
export function notificationsMigration(_dialect: Dialect): Migration {
  return {
    async up() {},
    async down() {},
  };
}
