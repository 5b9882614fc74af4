import { type Kysely, type Migration, sql } from 'kysely';

/**
 * A person signs in with their username or their verified email: `users.sign_in_email` holds the
 * lower-cased `email` claim while `email_verified` is true (null otherwise), indexed for the login
 * lookup. Not unique: two people may share an address, and then neither can sign in with it.
 */
export function verifiedEmail(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('sign_in_email', 'text').execute();
      await db.schema.createIndex('users_sign_in_email').on('users').column('sign_in_email').execute();
      const rows = await sql<{ id: string; claims: string }>`select id, claims from users`.execute(db);
      for (const row of rows.rows) {
        const email = signInEmail(JSON.parse(row.claims));
        if (email) await sql`update users set sign_in_email = ${email} where id = ${row.id}`.execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('users_sign_in_email').execute();
      await db.schema.alterTable('users').dropColumn('sign_in_email').execute();
    },
  };
}

/** The address a person may sign in with: their `email` claim, lower-cased, when `email_verified` is true. */
export function signInEmail(claims: { email?: unknown; email_verified?: unknown }): string | null {
  return claims.email_verified === true && typeof claims.email === 'string' && claims.email.trim() !== ''
    ? claims.email.trim().toLowerCase()
    : null;
}
