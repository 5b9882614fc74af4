/**
 * Test helpers: a `fetch` that routes requests into an in-process Fastify app (`inject()`),
 * and records every request so tests can count and inspect them. Not exported by the SDK.
 */
import type { FetchLike } from './http.js';

/** The part of a Fastify instance the helper needs. */
export interface Injectable {
  inject(options: {
    method: string;
    url: string;
    headers: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer }>;
}

/** A request as the app received it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** A recording `fetch` and what it saw. */
export interface AppFetch {
  fetch: FetchLike;
  requests: RecordedRequest[];
  /** How many requests went to `pathname`. */
  count(pathname: string): number;
}

/**
 * A `fetch` that answers every URL (whatever its origin, e.g. the issuer `http://localhost:4444`)
 * from `app.inject()`, awaiting `delay()` first when given (to hold requests in flight).
 */
export function appFetch(app: Injectable, options: { delay?: () => Promise<void> } = {}): AppFetch {
  const requests: RecordedRequest[] = [];
  const fetch: FetchLike = async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body === undefined || init.body === null ? '' : String(init.body);
    const method = init.method ?? 'GET';
    requests.push({ method, url, headers, body });
    await options.delay?.();
    const res = await app.inject({
      method,
      url: `${url.pathname}${url.search}`,
      headers,
      ...(body ? { payload: body } : {}),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of [value].flat()) if (v !== undefined) responseHeaders.append(name, String(v));
    }
    const nullBody = res.statusCode === 204 || res.statusCode === 304;
    return new Response(nullBody ? null : new Uint8Array(res.rawPayload), {
      status: res.statusCode,
      headers: responseHeaders,
    });
  };
  return { fetch, requests, count: (pathname) => requests.filter((r) => r.url.pathname === pathname).length };
}
