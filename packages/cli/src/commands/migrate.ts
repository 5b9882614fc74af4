import { loadConfig, openStore } from '@signet/accounts';

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
