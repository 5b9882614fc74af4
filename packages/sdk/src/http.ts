import { SdkError } from './errors.js';

/**
 * The `fetch` the SDK calls: the platform's global `fetch` or anything with its shape (a
 * wrapper that logs, counts, adds a proxy, or routes to an in-process app in tests).
 *
 * @example
 * const loggingFetch: FetchLike = (input, init) => {
 *   console.log(init?.method ?? 'GET', String(input));
 *   return fetch(input, init);
 * };
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Epoch seconds; fractions allowed. The SDK's default clock. */
export const systemNow = (): number => Date.now() / 1000;

/** The global `fetch`, looked up at call time so a test or polyfill installed later is seen. */
export const defaultFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/** Calls `fetch`, turning a network failure into `request_failed`. */
export async function send(fetch: FetchLike, url: string | URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (cause) {
    throw new SdkError('request_failed', `${init.method ?? 'GET'} ${url} failed: ${String(cause)}`, { cause });
  }
}

/**
 * The error an unsuccessful answer stands for: the server's `{ error, error_description }`
 * when it sent one (RFC 6749 §5.2), otherwise the bare status.
 */
export async function responseError(res: Response, what: string): Promise<SdkError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isRecord(body) && typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    return new SdkError('response_error', `${what}: ${body.error}${description ? ` (${description})` : ''}`, {
      error: body.error,
      ...(description !== undefined ? { error_description: description } : {}),
      status: res.status,
    });
  }
  return new SdkError('response_error', `${what}: HTTP ${res.status}`, { status: res.status });
}

/** The JSON object of a successful answer, or `invalid_response`. */
export async function readJsonObject(res: Response, what: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch (cause) {
    throw new SdkError('invalid_response', `${what}: the answer is not JSON`, { status: res.status, cause });
  }
  if (!isRecord(body)) throw new SdkError('invalid_response', `${what}: the answer is not a JSON object`);
  return body;
}

/** A plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
