import { type Accounts, createAccounts, ensureDemoClient, loadConfig } from '@signet/accounts';

/** `signet start`: runs accounts on its public and admin listeners until SIGTERM/SIGINT. */
export async function start(options: { json?: boolean }): Promise<void> {
  const config = loadConfig();
  const accounts = await createAccounts(config);
  registerShutdown(accounts);
  await accounts.publicApp.listen({ host: config.host, port: config.port });
  await accounts.adminApp.listen({ host: config.adminHost, port: config.adminPort });
  const demo = config.demoClient ? await ensureDemoClient(accounts.ctx) : undefined;
  const publicUrl = `http://${hostForUrl(config.host)}:${config.port}`;
  const adminUrl = `http://${hostForUrl(config.adminHost)}:${config.adminPort}`;
  if (options.json) {
    console.log(
      JSON.stringify({
        issuer: config.issuer,
        public_url: publicUrl,
        admin_url: adminUrl,
        admin_token_file: accounts.admin.file ?? null,
        ...(demo ? { demo_client: { client_id: demo.clientId, client_secret: demo.clientSecret } } : {}),
      }),
    );
    return;
  }
  const lines = [
    '',
    `Signet accounts is running (${accounts.ctx.store.dialect === 'sqlite' ? `SQLite at ${config.databaseUrl}` : 'PostgreSQL'})`,
    `  issuer        ${config.issuer}`,
    `  public        ${publicUrl}   (/.well-known/openid-configuration)`,
    `  admin         ${adminUrl}   (Authorization: Bearer <admin token>)`,
    `  admin token   ${accounts.admin.file ? `in ${accounts.admin.file}` : 'from SIGNET_ADMIN_TOKEN'}`,
  ];
  if (demo) {
    lines.push(
      '',
      'Demo client (the documented client_credentials request):',
      `  CLIENT_ID=${demo.clientId}`,
      `  CLIENT_SECRET=${demo.clientSecret}`,
      '',
      `  curl -u "${demo.clientId}:${demo.clientSecret}" -d grant_type=client_credentials -d audience=${config.signerAudience} ${config.issuer}/oauth2/token`,
    );
  }
  lines.push('', 'Stop with Ctrl+C.', '');
  console.log(lines.join('\n'));
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Stops accepting, lets in-flight requests finish, closes the database, then exits. */
function registerShutdown(accounts: Accounts): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    accounts.publicApp.log.info(`${signal} received, shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    accounts.close().then(
      () => process.exit(0),
      (error) => {
        accounts.publicApp.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
