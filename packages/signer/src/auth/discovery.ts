import type { AuthorizationServerMetadata } from '@signet/protocol';
import { discover, SdkError } from '@signet/sdk';

/** What the Signer keeps of the issuer's discovery document, read by the SDK's `discover`. */
export interface IssuerMetadata {
  /** The `issuer`, identical to the configured one. */
  issuer: string;
  /** Where the issuer publishes its signing keys. */
  jwksUri: string;
  /** The whole document, for parts that need more (the signing page's authorization endpoint). */
  document: AuthorizationServerMetadata;
}

/** Discovery failed for a reason that retrying will not fix (wrong issuer, bad document). */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/**
 * Reads `<issuer>/.well-known/openid-configuration` with the SDK's `discover` (oauth4webapi),
 * which checks that `issuer` equals the configured issuer exactly (OpenID Connect Discovery §4.3,
 * so a document cannot vouch for another issuer) and that `jwks_uri` is https, or http on a
 * loopback host. A document that fails those checks is a {@link DiscoveryError}; an issuer that
 * does not answer (yet) is a plain error, worth retrying.
 */
export async function discoverIssuer(
  issuer: string,
  fetchImpl: typeof fetch = fetch,
  now: () => number = () => Date.now() / 1000,
): Promise<IssuerMetadata> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let document: AuthorizationServerMetadata;
  try {
    document = await discover(issuer, { fetch: fetchImpl, now, maxAgeSeconds: 0 });
  } catch (error) {
    if (!(error instanceof SdkError)) throw error;
    if (error.code === 'issuer_mismatch') {
      throw new DiscoveryError(`${url}: ${error.message} (SIGNET_ISSUER must match it exactly)`);
    }
    if (error.code === 'invalid_response' || error.code === 'invalid_argument') {
      throw new DiscoveryError(`${url}: ${error.message}`);
    }
    throw error;
  }
  return { issuer, jwksUri: document.jwks_uri, document };
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
