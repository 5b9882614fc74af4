import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A failure the CLI reports to its user: a stable `code` (the admin API's wire `error` when
 * the server answered, else the CLI's own), a message that says what to do, and the exit code.
 */
export class CliError extends Error {
  /** Stable machine-readable code, printed as `error` under `--json`. */
  readonly code: string;
  /** Process exit code: 1 for failures, 2 for usage errors. */
  readonly exitCode: 1 | 2;
  /** HTTP status of the admin API's answer, when there was one. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { exitCode?: 1 | 2; status?: number | undefined } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.status = options.status;
  }

  /** The `--json` form, the same shape as the admin API's errors. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

/** Options every admin command accepts; both fall back to the environment. */
export interface AdminOptions {
  /** `--admin-url`: base URL of the admin listener. */
  adminUrl?: string;
  /** `--admin-token`: the admin bearer token. */
  adminToken?: string;
}

/** Where the admin token came from, so a rejection can say what to fix. */
export type AdminTokenSource = { kind: 'option' } | { kind: 'env' } | { kind: 'file'; path: string };

/** The admin API to talk to and the credentials to use. */
export interface AdminTarget {
  /** Base URL of the admin listener, without a trailing slash. */
  url: string;
  token: string;
  tokenSource: AdminTokenSource;
}

type Env = Record<string, string | undefined>;

/**
 * The admin listener's base URL: `--admin-url`, else `SIGNET_ADMIN_URL`, else
 * `http://<SIGNET_ADMIN_HOST or 127.0.0.1>:<SIGNET_ADMIN_PORT or 4445>` (the server's defaults).
 *
 * @example
 * resolveAdminUrl({}, { SIGNET_ADMIN_PORT: '5445' }) // 'http://127.0.0.1:5445'
 */
export function resolveAdminUrl(options: AdminOptions, env: Env = process.env): string {
  if (options.adminUrl !== undefined) return parseBaseUrl(options.adminUrl, '--admin-url', 2);
  const fromEnv = env.SIGNET_ADMIN_URL?.trim();
  if (fromEnv) return parseBaseUrl(fromEnv, 'SIGNET_ADMIN_URL', 1);
  const host = connectableHost(env.SIGNET_ADMIN_HOST?.trim() || '127.0.0.1');
  const rawPort = env.SIGNET_ADMIN_PORT?.trim() || '4445';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port < 1 || port > 65535) {
    throw new CliError('invalid_configuration', `SIGNET_ADMIN_PORT: must be a port number, got "${rawPort}"`);
  }
  return `http://${host}:${port}`;
}

function parseBaseUrl(value: string, name: string, exitCode: 1 | 2): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError('invalid_configuration', `${name}: must be an absolute URL, got "${value}"`, { exitCode });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('invalid_configuration', `${name}: must be an http(s) URL, got "${value}"`, { exitCode });
  }
  if (url.search || url.hash) {
    throw new CliError('invalid_configuration', `${name}: must not carry a query or fragment, got "${value}"`, {
      exitCode,
    });
  }
  return url.href.replace(/\/+$/, '');
}

/** A listener bound to every interface is reached on loopback; IPv6 literals need brackets. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The admin token: `--admin-token`, else `SIGNET_ADMIN_TOKEN`, else the file the server
 * generated on first start, `<SIGNET_DATA_DIR or ./.signet>/admin-token`.
 */
export function resolveAdminToken(
  options: AdminOptions,
  env: Env = process.env,
): { token: string; source: AdminTokenSource } {
  const fromOption = options.adminToken?.trim();
  if (options.adminToken !== undefined) {
    if (!fromOption) throw new CliError('invalid_configuration', '--admin-token: must not be empty', { exitCode: 2 });
    return { token: fromOption, source: { kind: 'option' } };
  }
  const fromEnv = env.SIGNET_ADMIN_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: { kind: 'env' } };
  const path = resolve(env.SIGNET_DATA_DIR?.trim() || './.signet', 'admin-token');
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new CliError(
        'admin_token_missing',
        `no admin token: ${path} does not exist. Pass --admin-token, set SIGNET_ADMIN_TOKEN, ` +
          'or run this from the directory where `signet start` ran (or set SIGNET_DATA_DIR to its data directory)',
      );
    }
    throw new CliError('admin_token_missing', `cannot read the admin token from ${path}: ${code ?? String(error)}`);
  }
  if (!token) throw new CliError('admin_token_missing', `the admin token file ${path} is empty`);
  return { token, source: { kind: 'file', path } };
}

/** Resolves both the admin URL and the token; see {@link resolveAdminUrl} and {@link resolveAdminToken}. */
export function resolveAdminTarget(options: AdminOptions, env: Env = process.env): AdminTarget {
  const url = resolveAdminUrl(options, env);
  const { token, source } = resolveAdminToken(options, env);
  return { url, token, tokenSource: source };
}

/** A parsed admin API answer. */
export interface AdminResponse<T> {
  status: number;
  headers: Headers;
  /** The JSON body; `undefined` for an empty body (204). */
  body: T;
}

/** How long one admin request may take before the CLI gives up. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A small typed client for the admin API: adds the bearer token, sends and parses JSON, and
 * turns transport failures and error answers into {@link CliError}s that say what to do.
 * Status-specific wording (such as "client X does not exist" for a 404) is left to callers,
 * which receive the server's error as a {@link CliError} with `status` set.
 */
export class AdminClient {
  constructor(readonly target: AdminTarget) {}

  /**
   * Sends one request. `path` is absolute (`/admin/clients`) and is appended to the base URL,
   * or a full URL taken from a `Link` header.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
    const url = /^https?:\/\//.test(path) ? path : this.target.url + path;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.target.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.transportError(error);
    }
    const text = await res.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CliError(
          'unexpected_response',
          `unexpected answer from ${this.target.url} (HTTP ${res.status}, ${res.headers.get('content-type') ?? 'no content type'}, not JSON): ` +
            'is it the admin listener of Signet (SIGNET_ADMIN_PORT, default 4445)?',
          { status: res.status },
        );
      }
    }
    if (!res.ok) throw this.httpError(method, path, res.status, parsed);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** GET a JSON document. */
  get<T>(path: string): Promise<AdminResponse<T>> {
    return this.request<T>('GET', path);
  }

  /** POST a JSON body (or none). */
  post<T>(path: string, body?: unknown): Promise<AdminResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  /** DELETE a resource. */
  delete(path: string): Promise<AdminResponse<undefined>> {
    return this.request<undefined>('DELETE', path);
  }

  /**
   * GETs a collection and follows `Link: <…>; rel="next"` until the last page, returning every
   * item in order.
   */
  async getAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let next: string | undefined = path;
    while (next !== undefined) {
      seen.add(next);
      const page: AdminResponse<T[]> = await this.get<T[]>(next);
      if (!Array.isArray(page.body)) {
        throw new CliError('unexpected_response', `unexpected answer from ${this.target.url}: expected a JSON array`);
      }
      items.push(...page.body);
      const link = nextLink(page.headers.get('link'));
      // The server's links are absolute paths; resolve them against the admin URL's origin.
      next = link === undefined ? undefined : new URL(link, this.target.url).href;
      if (page.body.length === 0 || (next !== undefined && seen.has(next))) next = undefined;
    }
    return items;
  }

  private transportError(error: unknown): CliError {
    const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new CliError(
        'admin_unreachable',
        `the admin API at ${this.target.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s: is \`signet start\` running and healthy?`,
      );
    }
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new CliError(
      'admin_unreachable',
      `cannot reach the admin API at ${this.target.url} (${reason}): is \`signet start\` running? ` +
        'Point the CLI elsewhere with --admin-url or SIGNET_ADMIN_URL.',
    );
  }

  private httpError(method: string, path: string, status: number, body: unknown): CliError {
    const { error, description } = errorBody(body);
    if (status === 401) {
      return new CliError(
        'admin_token_rejected',
        `admin token rejected by ${this.target.url}: ${tokenHint(this.target)}`,
        {
          status,
        },
      );
    }
    if (status === 404 && /^no route for /.test(description ?? '')) {
      // The server has no such route: the URL points at another listener or another version.
      const route = path.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
      return new CliError(
        'unexpected_response',
        `${this.target.url} has no route ${method} ${route}: is it the admin listener (SIGNET_ADMIN_PORT, default 4445) ` +
          'of a Signet server of the same version as this CLI?',
        { status },
      );
    }
    return new CliError(error ?? `http_${status}`, description ?? `the admin API answered HTTP ${status}`, {
      status,
    });
  }
}

function tokenHint(target: AdminTarget): string {
  switch (target.tokenSource.kind) {
    case 'option':
      return 'check the value of --admin-token (the server uses SIGNET_ADMIN_TOKEN or <data dir>/admin-token)';
    case 'env':
      return 'check SIGNET_ADMIN_TOKEN: it must equal the server’s SIGNET_ADMIN_TOKEN (or its <data dir>/admin-token)';
    case 'file':
      return (
        `check ${target.tokenSource.path}: it must be the admin token of the server at that URL ` +
        '(does the server use SIGNET_ADMIN_TOKEN or another SIGNET_DATA_DIR?)'
      );
  }
}

function errorBody(body: unknown): { error?: string; description?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { error, error_description } = body as Record<string, unknown>;
  return {
    ...(typeof error === 'string' ? { error } : {}),
    ...(typeof error_description === 'string' ? { description: error_description } : {}),
  };
}

/**
 * The target of the `rel="next"` link in a `Link` header (RFC 8288), if any. Only the shape
 * the admin API sends is needed: `<uri>; rel="next"`, possibly among other links.
 */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const match of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return match[1];
  }
  return undefined;
}
