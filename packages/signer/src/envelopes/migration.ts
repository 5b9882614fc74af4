import type { Dialect } from '@signet/store';
import type { Migration } from 'kysely';

/** Creates the envelopes tables. */
export function envelopesMigration(_dialect: Dialect): Migration {
  return {
    async up() {},
    async down() {},
  };
}
