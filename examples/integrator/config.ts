/** Where the integrator example finds Signet and itself, read from the environment. */
export interface IntegratorConfig {
  /** `SIGNET_ISSUER`: the OpenID provider (accounts). Default `npm start`'s `http://localhost:4444`. */
  issuer: string;
  /** `SIGNET_SIGNER_URL`: the Signer API. Default `http://localhost:4446`. */
  signerUrl: string;
  /** `SIGNET_SIGNER_AUDIENCE`: the audience of the Signer API's tokens. Default the Signer URL. */
  audience: string;
  /** `SIGNET_CLIENT_ID`: this app's client, with the authorization_code and client_credentials grants. */
  clientId: string;
  /** `SIGNET_CLIENT_SECRET`. */
  clientSecret: string;
  /** `INTEGRATOR_PORT`: where the app listens (on 127.0.0.1). Default 8080. */
  port: number;
  /** `INTEGRATOR_PUBLIC_URL`: the app's origin as browsers see it. Default `http://127.0.0.1:<port>`. */
  publicUrl: string;
}

/** The redirect URI the client must register: `<publicUrl>/callback`. */
export const redirectUriOf = (config: Pick<IntegratorConfig, 'publicUrl'>): string => `${config.publicUrl}/callback`;

/**
 * Reads the configuration; throws with what to do when the client is missing.
 *
 * @example
 * const config = readConfig(process.env);
 */
export function readConfig(env: Record<string, string | undefined>): IntegratorConfig {
  const port = Number(env.INTEGRATOR_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`INTEGRATOR_PORT: not a port: ${env.INTEGRATOR_PORT}`);
  const publicUrl = (env.INTEGRATOR_PUBLIC_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  const signerUrl = (env.SIGNET_SIGNER_URL ?? 'http://localhost:4446').replace(/\/+$/, '');
  const clientId = env.SIGNET_CLIENT_ID;
  const clientSecret = env.SIGNET_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new Error(
      'Set SIGNET_CLIENT_ID and SIGNET_CLIENT_SECRET to a client that signs people in. With npm start running:\n' +
        `  npx signet clients create --name "Integrator example" --grant-type client_credentials --grant-type authorization_code --redirect-uri ${redirectUriOf({ publicUrl })} --json`,
    );
  }
  return {
    issuer: (env.SIGNET_ISSUER ?? 'http://localhost:4444').replace(/\/+$/, ''),
    signerUrl,
    audience: env.SIGNET_SIGNER_AUDIENCE ?? signerUrl,
    clientId,
    clientSecret,
    port,
    publicUrl,
  };
}
