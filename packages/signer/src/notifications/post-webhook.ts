import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  guardedLookup,
  isPrivateHost,
  PrivateDestinationError,
  type PrivateNetworkPolicy,
} from './private-networks.js';

/** One webhook request: where, what, and how long to wait for an answer. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** Sends a webhook and resolves with the receiver's HTTP status code. */
export type PostWebhook = (request: WebhookRequest) => Promise<number>;

/**
 * A {@link PostWebhook} over node:http/node:https. Under `deny` it refuses private destinations
 * with {@link PrivateDestinationError}: an IP-literal or `localhost` host before connecting, a
 * host name through {@link guardedLookup}, whose checked address is the one connected to.
 * Redirects are never followed (a 3xx is just a status), and each request has its own
 * connection, so no pooled socket skips the check.
 *
 * @example
 * const post = webhookPoster('deny');
 * const status = await post({ url, headers, body, timeoutMs: 10_000 });
 */
export function webhookPoster(policy: PrivateNetworkPolicy, lookup: LookupFunction = guardedLookup()): PostWebhook {
  return (webhook) =>
    new Promise((resolve, reject) => {
      const url = new URL(webhook.url);
      if (policy === 'deny' && isPrivateHost(url.hostname)) {
        throw new PrivateDestinationError(url.hostname.replace(/^\[(.*)\]$/, '$1'));
      }
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          headers: { ...webhook.headers, 'content-length': String(Buffer.byteLength(webhook.body)) },
          agent: false,
          signal: AbortSignal.timeout(webhook.timeoutMs),
          ...(policy === 'deny' ? { lookup } : {}),
        },
        (response) => {
          // The answer's body is not read: only the status counts.
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(webhook.body);
    });
}
