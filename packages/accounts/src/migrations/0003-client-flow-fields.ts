import type { Kysely, Migration } from 'kysely';

/** Client fields of the authorization code flow: Hydra's `skip_consent` and `post_logout_redirect_uris`. */
export function clientFlowFields(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('clients')
        .addColumn('skip_consent', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('clients')
        .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('clients').dropColumn('post_logout_redirect_uris').execute();
      await db.schema.alterTable('clients').dropColumn('skip_consent').execute();
    },
  };
}
