/** The loopback IP literals of RFC 8252 §7.3, as WHATWG URL parsing writes their hostnames. */
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

/**
 * Whether `requested` is one of the client's registered redirect URIs: character for character,
 * except that a registered `http://127.0.0.1…` or `http://[::1]…` URI matches on any port
 * (RFC 8252 §7.3: a native app listens on whatever port the OS gives it). Everything else about
 * such a URI — scheme, host, path, query — must still be exactly as registered, and `localhost`
 * gets no such leeway (RFC 8252 §8.3: it may resolve elsewhere).
 */
export function isRegisteredRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const asked = parsed(requested);
  if (!asked || !isLoopbackIp(asked) || asked.username !== '' || asked.password !== '') return false;
  return registered.some((uri) => {
    const candidate = parsed(uri);
    if (!candidate || !isLoopbackIp(candidate) || candidate.hostname !== asked.hostname) return false;
    // The registered URI with the requested port must then be the requested string exactly.
    candidate.port = asked.port;
    return candidate.href === requested;
  });
}

function isLoopbackIp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_IPS.has(url.hostname);
}

function parsed(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}
