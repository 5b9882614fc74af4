/**
 * A tiny cookie-keeping HTTP client for tests that walk the login and consent pages over
 * real HTTP, the way a browser without JavaScript would. Redirects are returned, not followed,
 * so tests can assert each hop.
 */
export class TestBrowser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  constructor(
    /** Origin of the server, e.g. `http://localhost:4444`. */
    private readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** GET a URL (absolute or path) with this browser's cookies. */
  get(url: string): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  /** POST a form to a URL (absolute or path) with this browser's cookies. */
  post(url: string, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** POST an already encoded form body (for repeated fields) with this browser's cookies. */
  postRaw(url: string, body: string): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  /** The value of a cookie this browser holds, by name (any path). */
  cookie(name: string): string | undefined {
    for (const [key, c] of this.jar) if (key.startsWith(`${name}|`)) return c.value;
    return undefined;
  }

  /** Forgets every cookie. */
  clearCookies(): void {
    this.jar.clear();
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url, this.origin);
    const cookie = [...this.jar.entries()]
      .filter(
        ([, c]) =>
          target.pathname === c.path ||
          target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map(([key, c]) => `${key.split('|')[0]}=${c.value}`)
      .join('; ');
    const res = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...this.headers, ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const header of res.headers.getSetCookie()) this.store(header);
    return res;
  }

  private store(header: string): void {
    const [pair, ...attributes] = header.split(';').map((s) => s.trim());
    if (!pair) return;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const expired = attributes.some(
      (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
    );
    const key = `${name}|${path}`;
    if (expired || value === '') this.jar.delete(key);
    else this.jar.set(key, { value, path });
  }
}

/** The value of a hidden form field in an HTML page. */
export function hiddenField(html: string, name: string): string | undefined {
  const input = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  return input?.match(/value="([^"]*)"/)?.[1];
}

/** The `action` of the first form in an HTML page. */
export function formAction(html: string): string | undefined {
  return html.match(/<form[^>]*action="([^"]*)"/)?.[1]?.replaceAll('&amp;', '&');
}
