import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';

/** Text with `{placeholder}`s filled: each value is its own part, shown emphasised. */
export interface TextPart {
  text: string;
  emphasis: boolean;
}

/** Splits `message` at `{name}` placeholders and fills them from `values` (left as is when missing). */
export function fillMessage(message: string, values: Readonly<Record<string, string>>): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of message.matchAll(/\{(\w+)\}/g)) {
    const value = values[match[1] ?? ''];
    if (value === undefined) continue;
    if (match.index > last) parts.push({ text: message.slice(last, match.index), emphasis: false });
    parts.push({ text: value, emphasis: true });
    last = match.index + match[0].length;
  }
  if (last < message.length) parts.push({ text: message.slice(last), emphasis: false });
  return parts;
}

/**
 * Signet's mark, shown before the name in every page's header by accounts and the Signer alike: a
 * seal with a check in the brand colour (`--brand` in signet.css). Inline SVG, so it needs no
 * image source under the pages' CSP; decorative, the name beside it is the text.
 */
export const BRAND_MARK =
  '<svg class="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">' +
  '<path fill="currentColor" d="M16 1.5l3.6 2.6 4.4-.2 1.4 4.2 3.6 2.6-1.4 4.2 1.4 4.2-3.6 2.6-1.4 4.2-4.4-.2L16 28.5l-3.6-2.6-4.4.2-1.4-4.2-3.6-2.6 1.4-4.2-1.4-4.2 3.6-2.6 1.4-4.2 4.4.2z"/>' +
  '<path fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" d="M10.5 15.5l4 4 7-8"/>' +
  '</svg>';

/** What {@link createRenderer}'s function needs besides the template's own model. */
export interface PageFrame {
  /** The page's messages, as `t` in templates. */
  t: object;
  locale: string;
  /** The page's heading; the document title is `title · brand`. */
  title: string;
  brand: string;
  /** The template's own data. */
  model: object;
}

/**
 * An Eta renderer over the templates in `views`, each given its model plus `t`, `locale`,
 * `documentTitle`, `title`, the `stylesheet` link and `brandMark` ({@link BRAND_MARK}).
 *
 * @example
 * const render = createRenderer(new URL('./views/', import.meta.url), stylesheet.href);
 * render('login', { t, locale: 'en', title: t.login.title, brand: t.brand, model });
 */
export function createRenderer(views: URL, stylesheet: string): (template: string, page: PageFrame) => string {
  // autoEscape: `<%= %>` escapes & < > " '. Templates use `<%~ %>` only for their own output
  // (the layout body and included partials), never for data.
  const eta = new Eta({ views: fileURLToPath(views), cache: true, autoEscape: true });
  return (template, { t, locale, title, brand, model }) =>
    eta.render(`./${template}`, {
      ...model,
      t,
      locale,
      documentTitle: `${title} · ${brand}`,
      title,
      stylesheet,
      brandMark: BRAND_MARK,
    });
}

/**
 * A page's `Content-Security-Policy`: only this origin's stylesheet and images, forms to this
 * origin and `formAction`'s sources, no framing, no `<base>`; `directives` (e.g. `script-src
 * 'self'`) go after `default-src 'none'`.
 */
export function pageContentSecurityPolicy(
  options: { directives?: readonly string[]; formAction?: readonly string[] } = {},
): string {
  return [
    "default-src 'none'",
    ...(options.directives ?? []),
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action ${["'self'", ...(options.formAction ?? [])].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** What {@link sendHtml} sends. */
export interface HtmlPage {
  status: number;
  html: string;
  /** Its `Content-Language`. */
  locale: string;
  contentSecurityPolicy: string;
  permissionsPolicy: string;
  /** More headers, e.g. `pragma`. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Sends a page with the headers every page carries: `Content-Type: text/html; charset=utf-8`, its
 * CSP and Permissions-Policy, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * `Cache-Control: no-store`, `Content-Language` and `X-Content-Type-Options: nosniff`.
 */
export function sendHtml(reply: FastifyReply, page: HtmlPage): FastifyReply {
  return reply
    .code(page.status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': page.contentSecurityPolicy,
      'permissions-policy': page.permissionsPolicy,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...page.headers,
      'content-language': page.locale,
      'x-content-type-options': 'nosniff',
    })
    .send(page.html);
}
