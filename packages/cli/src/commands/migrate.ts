import { loadConfig } from '@signet/accounts';
import { openStore } from '@signet/store';

/** `signet migrate`: applies pending schema migrations and reports them. */
export async function migrate(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const store = openStore({ url: config.databaseUrl });
  try {
    const applied = await store.migrate();
    if (options.json) console.log(JSON.stringify({ applied }));
    else
      console.log(
        applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.',
      );
  } finally {
    await store.close();
  }
}
