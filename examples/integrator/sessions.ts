import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the app keeps about one browser, on the server (the cookie holds only a random id). */
export interface Session {
  /** The authorization request in flight: its PKCE verifier, state and nonce. */
  pending?: { codeVerifier: string; state: string; nonce: string } | undefined;
  /** The signed-in person: her id_token (sent once, to the Signer) and its verified claims. */
  person?: { idToken: string; name: string; acr: string; authTime: number } | undefined;
  /** The envelopes this browser created: the only ones it may watch and download. */
  envelopes: Set<string>;
}

const COOKIE = 'integrator_session';
/** Sessions end after an hour without use. */
const IDLE_MS = 60 * 60 * 1000;

/**
 * In-memory sessions keyed by a 256-bit random cookie (HttpOnly, SameSite=Lax so it comes back
 * on the redirect from Signet, Secure on https). A sample app's store: a real one keeps them in
 * its database.
 *
 * @example
 * const sessions = new Sessions(false);
 * const session = sessions.of(request, response);
 */
export class Sessions {
  private readonly all = new Map<string, { session: Session; seen: number }>();

  constructor(private readonly secure: boolean) {}

  /** The request's session, made (and its cookie set on `response`) when it has none. */
  of(request: IncomingMessage, response: ServerResponse): Session {
    this.sweep();
    const id = cookie(request, COOKIE);
    const found = id ? this.all.get(id) : undefined;
    if (found) {
      found.seen = Date.now();
      return found.session;
    }
    const fresh = randomBytes(32).toString('base64url');
    const session: Session = { envelopes: new Set() };
    this.all.set(fresh, { session, seen: Date.now() });
    response.setHeader(
      'set-cookie',
      `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax${this.secure ? '; Secure' : ''}`,
    );
    return session;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, { seen }] of this.all) if (now - seen > IDLE_MS) this.all.delete(id);
  }
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
