import { join, resolve } from 'node:path';
import { loadConfig } from '@signet/accounts';
import { loadSignerConfig } from '@signet/signer';
import { backupSqlite, isPostgresUrl } from '@signet/store';

/** One database `signet backup` copied, or why it did not. */
export interface BackedUp {
  service: 'accounts' | 'signer';
  source: string;
  file?: string;
  pages?: number;
  skipped?: string;
}

/**
 * `signet backup <dir>`: copies accounts' and the Signer's SQLite databases, live, into `<dir>`
 * (`signet.db`, `signer.db`; the directory must not hold them yet) with SQLite's online backup
 * API. PostgreSQL databases are skipped with a pointer to `pg_dump`. The master keys and admin
 * token are not copied (they are secrets: keep them apart from the data), only their places named.
 */
export async function backup(target: string, options: { json?: boolean }): Promise<void> {
  const dir = resolve(target);
  const accounts = loadConfig();
  const signer = loadSignerConfig();
  const results: BackedUp[] = [];
  for (const [service, source, name] of [
    ['accounts', accounts.databaseUrl, 'signet.db'],
    ['signer', signer.databaseUrl, 'signer.db'],
  ] as const) {
    if (isPostgresUrl(source)) {
      results.push({ service, source: '(PostgreSQL)', skipped: 'PostgreSQL: use pg_dump (docs/operations.md)' });
      continue;
    }
    const file = join(dir, name);
    const { pages } = await backupSqlite(source, file);
    results.push({ service, source, file, pages });
  }
  const secrets = {
    accountsMasterKey: accounts.masterKey ? 'SIGNET_MASTER_KEY' : join(accounts.dataDir, 'master-key'),
    signerMasterKey: signer.masterKey ? 'SIGNET_SIGNER_MASTER_KEY' : join(signer.dataDir, 'signer-master-key'),
    adminToken: accounts.adminToken ? 'SIGNET_ADMIN_TOKEN' : join(accounts.dataDir, 'admin-token'),
  };
  if (options.json) {
    console.log(JSON.stringify({ backups: results, secrets }));
    return;
  }
  for (const r of results) {
    console.log(
      r.skipped ? `${r.service}: skipped, ${r.skipped}` : `${r.service}: ${r.source} -> ${r.file} (${r.pages} pages)`,
    );
  }
  console.log('Not copied (secrets; back them up separately, the databases are useless without the master keys):');
  for (const [what, where] of Object.entries(secrets)) console.log(`  ${what}: ${where}`);
}
