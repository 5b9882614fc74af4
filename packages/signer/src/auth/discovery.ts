import { isLoopback } from '../config.js';

/** What the Signer needs from the issuer's discovery document (RFC 8414 / OpenID Connect Discovery). */
export interface IssuerMetadata {
  /** The `issuer`, identical to the configured one. */
  issuer: string;
  /** Where the issuer publishes its signing keys. */
  jwksUri: string;
  /** The whole document, for parts that need more (the signing page's authorization endpoint). */
  document: Record<string, unknown>;
}

/** Discovery failed for a reason that retrying will not fix (wrong issuer, bad document). */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

const FETCH_TIMEOUT_MS = 5000;

/**
 * Fetches `<issuer>/.well-known/openid-configuration` and checks it: `issuer` must equal the
 * configured issuer exactly (OpenID Connect Discovery §4.3, so a document cannot vouch for another
 * issuer) and `jwks_uri` must be https, or http on a loopback host.
 */
export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch): Promise<IssuerMetadata> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const res = await fetchImpl(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const document = (await res.json()) as unknown;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new DiscoveryError(`${url} is not a JSON object`);
  }
  const meta = document as Record<string, unknown>;
  if (meta.issuer !== issuer) {
    throw new DiscoveryError(
      `${url} names issuer ${JSON.stringify(meta.issuer)}, not ${JSON.stringify(issuer)} (SIGNET_ISSUER must match it exactly)`,
    );
  }
  const jwksUri = meta.jwks_uri;
  if (typeof jwksUri !== 'string') throw new DiscoveryError(`${url} has no jwks_uri`);
  let parsed: URL;
  try {
    parsed = new URL(jwksUri);
  } catch {
    throw new DiscoveryError(`${url} has a malformed jwks_uri`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(parsed.hostname))) {
    throw new DiscoveryError(`${url} has a jwks_uri that is not https`);
  }
  return { issuer, jwksUri, document: meta };
}

/** How {@link discoverWithRetry} waits for an issuer that is still starting. */
export interface DiscoveryRetry {
  /** Total time to keep trying, in milliseconds. Default 60000. */
  timeoutMs?: number;
  /** First delay between attempts, doubled each time up to 5 s. Default 250. */
  initialDelayMs?: number;
  /** Told about each failed attempt (for a log line). */
  onRetry?: (error: unknown, delayMs: number) => void;
}

/**
 * {@link discoverIssuer}, retried with exponential backoff while the issuer is unreachable or
 * failing: `npm start` starts accounts and the Signer together, and a deployment may start the
 * Signer first. A {@link DiscoveryError} (a misconfiguration) fails at once.
 */
export async function discoverWithRetry(
  issuer: string,
  fetchImpl: typeof fetch = fetch,
  retry: DiscoveryRetry = {},
): Promise<IssuerMetadata> {
  const deadline = Date.now() + (retry.timeoutMs ?? 60_000);
  let delay = retry.initialDelayMs ?? 250;
  for (;;) {
    try {
      return await discoverIssuer(issuer, fetchImpl);
    } catch (error) {
      if (error instanceof DiscoveryError) throw error;
      if (Date.now() + delay > deadline) {
        throw new DiscoveryError(
          `issuer ${issuer} did not answer discovery: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      retry.onRetry?.(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
