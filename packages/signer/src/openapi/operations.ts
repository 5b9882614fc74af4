import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI `operationId`: a stable name for the operation (camelCase verb first, e.g. `createEnvelope`). */
    operationId?: string;
    /** OpenAPI `summary`: one line. */
    summary?: string;
    /** OpenAPI `description`: Markdown allowed, shown under the summary in `/docs`. */
    description?: string;
    /** OpenAPI `tags`: the group the operation is listed under. */
    tags?: string[];
    /** Leave the route out of `/openapi.json` and `/docs` (405 handlers, assets). */
    hide?: boolean;
    /**
     * Media types of the request body when it is not JSON (e.g. `['application/pdf']`); the
     * `body` schema describes each. Default `['application/json']`.
     */
    consumes?: string[];
  }
}

/** One documented route, as registered with Fastify. */
export interface Operation {
  method: string;
  /** Fastify's path (`/v1/envelopes/:id`). */
  url: string;
  schema: NonNullable<RouteOptions['schema']>;
  /** True when the route sits behind the bearer-token check. */
  secured: boolean;
}

/**
 * Records every route of an app, so the OpenAPI document is built from the routes that really
 * exist, with the schemas Fastify validates and serializes with. Call {@link collectOperations}
 * on the root instance before any route is added, and {@link markSecured} inside the
 * authenticated scope.
 */
export class OperationRegistry {
  private readonly byKey = new Map<string, Operation>();
  private readonly secured = new Set<string>();
  private readonly hidden = new Set<string>();

  /** Every documented operation in registration order; HEAD twins of GET routes are left out. */
  list(): Operation[] {
    return [...this.byKey.values()]
      .filter((op) => !this.hidden.has(key(op.method, op.url)))
      .map((op) => ({ ...op, secured: this.secured.has(key(op.method, op.url)) }));
  }

  add(route: RouteOptions): void {
    if (route.schema?.hide) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      // Fastify adds a HEAD twin to every GET; the GET documents both.
      if (method === 'HEAD') continue;
      this.byKey.set(key(method, route.url), { method, url: route.url, schema: route.schema ?? {}, secured: false });
    }
  }

  markSecured(route: RouteOptions): void {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      this.secured.add(key(method, route.url));
    }
  }

  markHidden(route: RouteOptions): void {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      this.hidden.add(key(method, route.url));
    }
  }
}

const key = (method: string, url: string) => `${method} ${url}`;

/** Starts recording the routes of `app` (its root, so every child scope's routes are seen). */
export function collectOperations(app: FastifyInstance): OperationRegistry {
  const registry = new OperationRegistry();
  app.addHook('onRoute', (route) => registry.add(route));
  return registry;
}

/** Marks the routes of an encapsulated scope as requiring a bearer access token. */
export function markSecured(scope: FastifyInstance, registry: OperationRegistry): void {
  scope.addHook('onRoute', (route) => registry.markSecured(route));
}

/** Leaves the routes of an encapsulated scope out of the document (browser pages, not API operations). */
export function markHidden(scope: FastifyInstance, registry: OperationRegistry): void {
  scope.addHook('onRoute', (route) => registry.markHidden(route));
}
