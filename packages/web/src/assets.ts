import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/** The stylesheet of every Signet page (sign-in, consent, face, signing), served by each service at its own path. */
export const STYLESHEET_FILE = new URL('../assets/signet.css', import.meta.url);

/** A static file a service serves, read once at start. */
export interface Asset {
  /** Where it is served. */
  path: string;
  /** The path with a content hash (`?v=`), so a new version is fetched at once despite max-age. */
  href: string;
  /** Its `Content-Type`. */
  type: string;
  body: Buffer;
}

/**
 * Reads `file` once, to be served at `path` as `type`.
 *
 * @example
 * const stylesheet = readAsset('/assets/signet.css', STYLESHEET_FILE, 'text/css; charset=utf-8');
 */
export function readAsset(path: string, file: string | URL, type: string): Asset {
  const body = readFileSync(file);
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { path, href: `${path}?v=${version}`, type, body };
}

/**
 * Registers `GET asset.path`, sent with `Cache-Control: public, max-age=3600` (pages link the
 * hashed `href`, so a change is picked up at once), `nosniff`, and any `headers` the service adds.
 */
export function serveAsset(app: FastifyInstance, asset: Asset, headers: Readonly<Record<string, string>> = {}): void {
  app.get(asset.path, (_request, reply) =>
    reply
      .headers({
        'content-type': asset.type,
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
        ...headers,
      })
      .send(asset.body),
  );
}
