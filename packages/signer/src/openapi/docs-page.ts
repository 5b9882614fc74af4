import { createRequire } from 'node:module';
import { BRAND_MARK, readAsset, STYLESHEET_FILE } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import { MESSAGES } from '../signing-page/i18n/index.js';
import { type Locale, languageChoice } from '../signing-page/locale.js';
import type { OpenApiDocument } from './document.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const require = createRequire(import.meta.url);
const swaggerUi = (file: string) => require.resolve(`swagger-ui-dist/${file}`);

/**
 * The docs page's files, all from this origin: Signet's stylesheet (the header and colours of
 * every page), Swagger UI's stylesheet and bundle from `swagger-ui-dist` (no CDN), its start script
 * and Signet's overrides.
 */
export const DOCS_ASSETS = {
  signet: readAsset('/docs/assets/signet.css', STYLESHEET_FILE, 'text/css; charset=utf-8'),
  swaggerCss: readAsset('/docs/assets/swagger-ui.css', swaggerUi('swagger-ui.css'), 'text/css; charset=utf-8'),
  swaggerJs: readAsset(
    '/docs/assets/swagger-ui-bundle.js',
    swaggerUi('swagger-ui-bundle.js'),
    'text/javascript; charset=utf-8',
  ),
  docsCss: readAsset('/docs/assets/docs.css', new URL('./assets/docs.css', import.meta.url), 'text/css; charset=utf-8'),
  docsJs: readAsset(
    '/docs/assets/docs.js',
    new URL('./assets/docs.js', import.meta.url),
    'text/javascript; charset=utf-8',
  ),
} as const;

/**
 * The docs page's Content-Security-Policy: scripts, styles and the spec only from this origin (no
 * inline script, no eval, no CDN), images from this origin or `data:` (Swagger UI's icons),
 * Swagger UI's "Try it out" only to this origin.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Registers `GET /docs/assets/*`, hidden from the OpenAPI document. */
export function registerDocsAssets(app: FastifyInstance): void {
  for (const asset of Object.values(DOCS_ASSETS)) {
    app.get(asset.path, { schema: { hide: true } }, (_request, reply) =>
      reply
        .headers({
          'content-type': asset.type,
          'cache-control': 'public, max-age=3600',
          'x-content-type-options': 'nosniff',
        })
        .send(asset.body),
    );
  }
}

/** The header's language switch, as every Signet page has it (`?lang=`, remembered in a cookie). */
function languageNav(locale: Locale): string {
  const items = languageChoice
    .links('/docs', locale)
    .map((l) =>
      l.current
        ? `<li><span lang="${l.locale}" aria-current="true">${escapeHtml(l.name)}</span></li>`
        : `<li><a href="${escapeHtml(l.href)}" lang="${l.locale}" hreflang="${l.locale}">${escapeHtml(l.name)}</a></li>`,
    );
  return `<nav aria-label="${escapeHtml(MESSAGES[locale].languages)}">\n<ul class="languages">\n${items.join('\n')}\n</ul>\n</nav>`;
}

/**
 * The API reference for people: Signet's header with the language switch, then Swagger UI
 * rendering `/openapi.json` (Markdown descriptions, schemas as models, examples). The frame is in
 * `locale`; the reference is the API's own English and marked `lang="en"`. Without JavaScript, a
 * link to the document itself. Every value from the document is escaped.
 */
export function renderDocsPage(doc: OpenApiDocument, locale: Locale = 'en'): string {
  const a = DOCS_ASSETS;
  const t = MESSAGES[locale].docs;
  const title = `${doc.info.title} ${doc.info.version}`;
  const needsScript = escapeHtml(t.needsScript)
    .replace('{version}', escapeHtml(doc.info.version))
    .replace('{openapi}', escapeHtml(doc.openapi));
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${escapeHtml(title)} · Signet</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${a.signet.href}">
<link rel="stylesheet" href="${a.swaggerCss.href}">
<link rel="stylesheet" href="${a.docsCss.href}">
<script src="${a.swaggerJs.href}" defer></script>
<script src="${a.docsJs.href}" defer></script>
</head>
<body>
<header class="site-header site-header-wide docs-header">
<a class="brand" href="/">${BRAND_MARK}<span>Signet</span> <span class="brand-service">${escapeHtml(t.service)}</span></a>
${languageNav(locale)}
</header>
<main class="docs-main">
${locale === 'en' ? '' : `<p class="docs-language">${escapeHtml(t.language)}</p>\n`}<div id="api-reference" data-spec="/openapi.json" lang="en">
<h1>${escapeHtml(doc.info.title)}</h1>
<p lang="${locale}">${needsScript} <a href="/openapi.json">/openapi.json</a>.</p>
</div>
</main>
</body>
</html>
`;
}
