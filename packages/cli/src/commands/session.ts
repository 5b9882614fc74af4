import { refreshTokens } from '@signet/sdk';
import { CliError } from '../admin-client.js';
import { printJson, printLines } from '../output.js';
import { readJsonFile, sessionFile, writePrivateJson } from './config-files.js';
import { TOKEN_REUSE_MARGIN_SECONDS } from './token-cache.js';

/** The stored outcome of `signet login` (0600, in the user's config dir). */
export interface Session {
  issuer: string;
  client_id: string;
  id_token: string;
  access_token: string;
  refresh_token?: string;
  /** Epoch seconds of the sign-in's (or last refresh's) token response. */
  obtained_at: number;
  /** Epoch seconds the access token expires, when the issuer said. */
  expires_at?: number;
  claims: Record<string, unknown>;
}

/** `signet login`'s session, if there is one. */
export function readSession(): Session | undefined {
  return readJsonFile<Session>(sessionFile());
}

/** Keeps `session` (0600); returns the file. */
export function writeSession(session: Session): string {
  const file = sessionFile();
  writePrivateJson(file, session);
  return file;
}

/** Where the session's client talks, with its credentials. */
export interface SessionTarget {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The session's tokens, refreshed with its refresh token — no browser — when the access token is
 * within {@link TOKEN_REUSE_MARGIN_SECONDS} of expiring or `force` is set. The refresh token
 * rotates, so the new one is kept at once. Throws `login_required` when there is no session for
 * this issuer and client, or it cannot be refreshed.
 */
export async function currentSession(
  target: SessionTarget,
  options: { force?: boolean } = {},
): Promise<{ session: Session; refreshed: boolean }> {
  const session = readSession();
  if (!session || session.issuer !== target.issuer || session.client_id !== target.clientId) {
    throw new CliError(
      'login_required',
      `no signet login for ${target.clientId} at ${target.issuer}: run signet login`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  const fresh = session.expires_at !== undefined && now < session.expires_at - TOKEN_REUSE_MARGIN_SECONDS;
  if (fresh && !options.force) return { session, refreshed: false };
  if (!session.refresh_token) {
    throw new CliError('login_required', 'the session has no refresh token (ask for offline_access): run signet login');
  }
  const sub = typeof session.claims.sub === 'string' ? session.claims.sub : undefined;
  let result: Awaited<ReturnType<typeof refreshTokens>>;
  try {
    result = await refreshTokens({
      issuer: target.issuer,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      refreshToken: session.refresh_token,
      ...(sub !== undefined ? { subject: sub } : {}),
    });
  } catch (error) {
    const code = (error as { error?: string }).error;
    if (code === 'invalid_grant') {
      throw new CliError('login_required', 'the refresh token is spent, expired or revoked: run signet login');
    }
    throw error;
  }
  const refreshed: Session = {
    ...session,
    access_token: result.accessToken,
    obtained_at: now,
    ...(result.refreshToken !== undefined ? { refresh_token: result.refreshToken } : {}),
    ...(result.idToken !== undefined ? { id_token: result.idToken } : {}),
    ...(result.claims !== undefined ? { claims: result.claims as unknown as Record<string, unknown> } : {}),
  };
  if (result.expiresIn !== undefined) refreshed.expires_at = now + result.expiresIn;
  else delete refreshed.expires_at;
  writeSession(refreshed);
  return { session: refreshed, refreshed: true };
}

/**
 * `signet token`: the signed-in person's access token (or id_token) on stdout for scripts,
 * refreshed first when needed; with `--json`, the tokens, claims and expiry.
 */
export async function printSessionToken(
  target: SessionTarget,
  options: { idToken?: boolean; refresh?: boolean; json?: boolean },
): Promise<void> {
  const { session, refreshed } = await currentSession(target, { force: options.refresh === true });
  if (options.json) {
    return printJson({
      access_token: session.access_token,
      id_token: session.id_token,
      expires_at: session.expires_at ?? null,
      refreshed,
      claims: session.claims,
    });
  }
  printLines([options.idToken ? session.id_token : session.access_token]);
}
