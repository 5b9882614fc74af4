import type { Command } from 'commander';
import { CliError } from '../admin-client.js';
import { printJson, printLines } from '../output.js';

/** The Signer's CA on its own database, for operator commands that run beside (or without) `signet start`. */
async function openCa() {
  const { CertificateAuthority, loadSignerConfig, loadSignerMasterKey, openSignerStore } = await import(
    '@signet/signer'
  );
  const config = loadSignerConfig();
  const store = openSignerStore({ url: config.databaseUrl });
  await store.migrate();
  const ca = await CertificateAuthority.open({
    db: store.db,
    masterKey: loadSignerMasterKey(config),
    publicUrl: config.publicUrl,
  });
  return { ca, store };
}

/** `signet signer revoke`: revokes a person's signing certificates (OCSP says revoked, the CRL lists them). */
export async function revokeCertificates(options: {
  credential?: string;
  subject?: string;
  reason?: string;
  json?: boolean;
}): Promise<void> {
  const { REVOCATION_REASONS } = await import('@signet/signer');
  if (!options.credential === !options.subject) {
    throw new CliError('usage_error', 'give exactly one of --credential <id> or --subject "<iss> <sub>"', {
      exitCode: 2,
    });
  }
  const reason = options.reason ?? 'unspecified';
  if (!(reason in REVOCATION_REASONS)) {
    throw new CliError('usage_error', `--reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')}`, {
      exitCode: 2,
    });
  }
  const { ca, store } = await openCa();
  try {
    const target = options.credential ? { credentialId: options.credential } : { subject: options.subject as string };
    const revoked = await ca.revoke(target, reason as keyof typeof REVOCATION_REASONS);
    if (options.json) return printJson({ revoked });
    printLines(
      revoked.length
        ? revoked.map((r) => `revoked ${r.credentialId} (serial ${r.serial}) of ${r.subject}`)
        : ['Nothing to revoke: no such certificate, or already revoked.'],
    );
  } finally {
    await store.close();
  }
}

/** `signet signer renew-timestamps`: renews archive timestamps due within the margin, now. */
export async function renewTimestamps(options: { marginDays?: string; json?: boolean }): Promise<void> {
  const { renewArchiveTimestamps, ARCHIVE_RENEWAL_MARGIN } = await import('@signet/signer');
  const margin = options.marginDays === undefined ? ARCHIVE_RENEWAL_MARGIN : Number(options.marginDays) * 86_400;
  if (!Number.isFinite(margin) || margin < 0) {
    throw new CliError('usage_error', '--margin-days must be a non-negative number', { exitCode: 2 });
  }
  const { ca, store } = await openCa();
  try {
    const report = await renewArchiveTimestamps(store.db, ca, { now: () => Math.floor(Date.now() / 1000), margin });
    if (options.json) return printJson(report);
    printLines([
      `Checked ${report.checked} signed document(s), renewed ${report.renewed}, skipped ${report.skipped} (changed meanwhile).`,
      ...(report.rotatedTimestampAuthority ? ['The timestamp authority was rotated first.'] : []),
    ]);
  } finally {
    await store.close();
  }
}

/** The `signet signer` commands: they open the Signer's database (SIGNET_SIGNER_DATABASE_URL) and master key directly. */
export function signerCommand(program: Command): void {
  const signer = program.command('signer').description("operate the Signer's certification authority");
  signer
    .command('revoke')
    .description("revoke a person's signing certificate(s): OCSP answers revoked and the CRL lists them from now on")
    .option('--credential <id>', 'one credential (pki_signer_credentials id)')
    .option('--subject <subject>', 'every certificate of a person, by "<iss> <sub>" (e.g. when the person is deleted)')
    .option('--reason <reason>', 'unspecified, keyCompromise, affiliationChanged, superseded or cessationOfOperation')
    .option('--json', 'print what was revoked as JSON')
    .action(revokeCertificates);
  signer
    .command('renew-timestamps')
    .description('add a fresh DSS and document timestamp to signed documents whose archive timestamp expires soon')
    .option('--margin-days <days>', 'renew when the TSA certificate expires within this many days (default 365)')
    .option('--json', 'print the report as JSON')
    .action(renewTimestamps);
}
