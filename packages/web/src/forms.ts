import { invalidRequest } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { shown } from './errors.js';

/**
 * A parsed `application/x-www-form-urlencoded` body that keeps repeated parameters, so
 * endpoints can refuse duplicates (RFC 6749 §3.1) or accept them where a spec allows.
 */
export type FormParams = Map<string, string[]>;

/** Options of {@link registerFormParser}. */
export interface FormParserOptions {
  /** The largest form body, in bytes. Default: the app's (or route's) `bodyLimit`. */
  bodyLimit?: number;
}

/**
 * Registers the one form parser on an app or scope (once: a scope that already has one keeps
 * it); bodies in any other media type are refused per endpoint. The body becomes {@link FormParams}.
 */
export function registerFormParser(app: FastifyInstance, options: FormParserOptions = {}): void {
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }) },
    (_req, body, done) => {
      done(null, parseForm(body as string));
    },
  );
}

/** Parses form-urlencoded text (a body or a query string) keeping every value of a repeated name. */
export function parseForm(text: string): FormParams {
  const params: FormParams = new Map();
  for (const [name, value] of new URLSearchParams(text)) {
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/** The query string of a request URL, parsed as {@link parseForm} does. */
export const queryParams = (url: string): FormParams =>
  parseForm(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

/** The form body of a request, or `invalid_request` if it is not a form. */
export function formBody(body: unknown): FormParams {
  if (!(body instanceof Map)) {
    throw invalidRequest('the request body must be application/x-www-form-urlencoded');
  }
  return body as FormParams;
}

/** A single-valued parameter: undefined when absent or empty, `invalid_request` when repeated. */
export function single(params: FormParams, name: string): string | undefined {
  const values = params.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw invalidRequest(`parameter ${shown(name)} must not be repeated`);
  return values[0] === '' ? undefined : values[0];
}

/**
 * A field of a page's form (a parsed body, or anything else for no form): its value when sent
 * exactly once, otherwise undefined. Pages show their own problem instead of an error body.
 */
export function formField(body: unknown, name: string): string | undefined {
  const values = body instanceof Map ? (body as FormParams).get(name) : undefined;
  return values?.length === 1 ? values[0] : undefined;
}

/** Refuses every repeated parameter except those listed (RFC 6749 §3.1, §3.2). */
export function refuseRepeated(params: FormParams, except: readonly string[] = []): void {
  for (const [name, values] of params) {
    if (values.length > 1 && !except.includes(name))
      throw invalidRequest(`parameter ${shown(name)} must not be repeated`);
  }
}
