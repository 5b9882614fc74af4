import { createHash } from 'node:crypto';
import { type ClientCredentialsConfig, createTokenProvider, type TokenProvider } from '@signet/sdk';
import { readJsonFile, tokenCacheFile, writePrivateJson } from './config-files.js';

/** A cached token is not handed out within this many seconds of its `exp`. */
export const TOKEN_REUSE_MARGIN_SECONDS = 60;

interface CachedToken {
  access_token: string;
  /** The token's `exp`, epoch seconds. */
  exp: number;
  /** SHA-256 of the client secret that obtained it: only the same secret reuses it. */
  secret_sha256: string;
}

type TokenCache = Record<string, CachedToken>;

/**
 * The SDK's client_credentials provider with a cache on disk, so that one `signet` invocation
 * after another reuses the access token instead of asking the issuer each time, as the Signer's
 * documentation tells integrators to (decision 0030). Entries are keyed by issuer, client and
 * audience; a token is reused until {@link TOKEN_REUSE_MARGIN_SECONDS} before its `exp`, and only
 * with the client secret that obtained it.
 */
export function cachedTokenProvider(
  config: ClientCredentialsConfig & { file?: string; now?: () => number },
): TokenProvider {
  const file = config.file ?? tokenCacheFile();
  const now = config.now ?? (() => Date.now() / 1000);
  const key = JSON.stringify([config.issuer, config.clientId, config.audience]);
  const secret = createHash('sha256').update(config.clientSecret).digest('hex');
  const inner = createTokenProvider(config);
  const update = (change: (cache: TokenCache) => void) => {
    const cache = readJsonFile<TokenCache>(file) ?? {};
    for (const [name, entry] of Object.entries(cache)) if (!(now() < entry.exp)) delete cache[name];
    change(cache);
    writePrivateJson(file, cache);
  };
  return {
    async getToken() {
      const cached = readJsonFile<TokenCache>(file)?.[key];
      if (cached?.secret_sha256 === secret && now() < cached.exp - TOKEN_REUSE_MARGIN_SECONDS) {
        return cached.access_token;
      }
      const token = await inner.getToken();
      const exp = expiryOf(token);
      // A token whose lifetime cannot be read is used once and not kept.
      if (exp !== undefined) {
        update((cache) => {
          cache[key] = { access_token: token, exp, secret_sha256: secret };
        });
      }
      return token;
    },
    invalidate(token) {
      const cached = readJsonFile<TokenCache>(file)?.[key];
      if (cached && (token === undefined || cached.access_token === token)) {
        update((cache) => {
          delete cache[key];
        });
      }
      inner.invalidate(token);
    },
  };
}

/** The `exp` of a JWT access token (RFC 9068), read without verification: only to know when to stop reusing it. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
