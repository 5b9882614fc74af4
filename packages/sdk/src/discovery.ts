import * as oauth from 'oauth4webapi';
import { SdkError } from './errors.js';
import { defaultFetch, type FetchLike, responseError, systemNow } from './http.js';
import { httpOptions, isAllowedUrl, sdkErrorOfOauth } from './oauth.js';
import type { AuthorizationServerMetadata } from './wire.js';

/**
 * How long a discovered document is reused before it is fetched again, by default (10 minutes).
 *
 * @example
 * await discover(issuer, { maxAgeSeconds: DISCOVERY_MAX_AGE_SECONDS * 6 }); // an hour
 */
export const DISCOVERY_MAX_AGE_SECONDS = 600;

/**
 * Options of {@link discover}.
 *
 * @example
 * const metadata = await discover('https://accounts.example', { fetch: loggingFetch });
 */
export interface DiscoverOptions {
  /** The `fetch` to use. Default: the global `fetch`. Example: `fetch: (url, init) => fetch(url, { ...init, dispatcher })`. */
  fetch?: FetchLike;
  /** The clock, epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
  /** Seconds a document is reused. Default: {@link DISCOVERY_MAX_AGE_SECONDS} (600); `0` always refetches. */
  maxAgeSeconds?: number;
}

interface Entry {
  metadata: Promise<AuthorizationServerMetadata>;
  fetchedAt: number;
}

// Owner: this module. One entry per (fetch, issuer), so two apps with different fetches never
// share answers; a failed fetch is dropped at once and never served.
const cache = new WeakMap<FetchLike, Map<string, Entry>>();

/**
 * Fetches the issuer's OpenID Provider Metadata from `<issuer>/.well-known/openid-configuration`
 * with oauth4webapi, and checks that its `issuer` equals the one asked for exactly (RFC 8414
 * §3.3, OpenID Connect Discovery §4.3), so a document cannot speak for another issuer; that it
 * names a `token_endpoint` and a `jwks_uri`; and that its endpoints are https (http only on a
 * loopback host). Concurrent and repeated calls share one request per issuer for `maxAgeSeconds`.
 *
 * @example
 * const metadata = await discover('http://localhost:4444');
 * metadata.token_endpoint; // 'http://localhost:4444/oauth2/token'
 */
export function discover(issuer: string, options: DiscoverOptions = {}): Promise<AuthorizationServerMetadata> {
  const fetch = options.fetch ?? defaultFetch;
  const now = options.now ?? systemNow;
  const maxAge = options.maxAgeSeconds ?? DISCOVERY_MAX_AGE_SECONDS;
  let entries = cache.get(fetch);
  if (!entries) {
    entries = new Map();
    cache.set(fetch, entries);
  }
  const hit = entries.get(issuer);
  if (hit && now() - hit.fetchedAt < maxAge) return hit.metadata;
  const entry: Entry = { metadata: fetchMetadata(fetch, issuer), fetchedAt: now() };
  entries.set(issuer, entry);
  entry.metadata.catch(() => {
    if (entries.get(issuer) === entry) entries.delete(issuer);
  });
  return entry.metadata;
}

async function fetchMetadata(fetch: FetchLike, issuer: string): Promise<AuthorizationServerMetadata> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new SdkError('invalid_argument', `issuer "${issuer}" is not an absolute URL`, { cause });
  }
  let document: oauth.AuthorizationServer;
  try {
    const res = await oauth.discoveryRequest(url, httpOptions(fetch, url));
    if (!res.ok) throw await responseError(res, 'discovery');
    document = await oauth.processDiscoveryResponse(url, res);
  } catch (error) {
    if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      throw mismatch(issuer, (error.cause as { body?: { issuer?: unknown } } | undefined)?.body?.issuer);
    }
    throw sdkErrorOfOauth(error, 'discovery');
  }
  // oauth4webapi compares URLs after normalising them (`…:4444` and `…:4444/` are one); the
  // identifier must be identical, character for character.
  if (document.issuer !== issuer) throw mismatch(issuer, document.issuer);
  for (const field of ['token_endpoint', 'jwks_uri'] as const) {
    if (typeof document[field] !== 'string') throw new SdkError('invalid_response', `discovery: ${field} is missing`);
  }
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    const value = document[field];
    if (value !== undefined && (typeof value !== 'string' || !isAllowedUrl(value))) {
      throw new SdkError('invalid_response', `discovery: ${field} is not an https URL`);
    }
  }
  return document as unknown as AuthorizationServerMetadata;
}

const mismatch = (issuer: string, named: unknown): SdkError =>
  new SdkError('issuer_mismatch', `discovery: the document names issuer "${String(named)}", expected "${issuer}"`);
