import { createRequire } from 'node:module';
import {
  type Asset,
  createRenderer,
  fillMessage,
  pageContentSecurityPolicy,
  readAsset,
  STYLESHEET_FILE,
  sendHtml,
  serveAsset,
  type TextPart,
} from '@signet/web';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InvitedDocument } from './desk.js';
import { MESSAGES, type Messages } from './i18n/index.js';
import { type Locale, languageChoice } from './locale.js';

/** Why a signing link or step cannot go on; each has its own page and HTTP status. */
export type Problem = keyof Omit<Messages['problems'], 'help'>;

/** The HTTP status of each {@link Problem}'s page. */
export const PROBLEM_STATUS: Readonly<Record<Problem, number>> = {
  unknown: 404,
  expired: 410,
  used: 410,
  canceled: 410,
  rejected: 410,
  completed: 410,
  replaced: 410,
  closed: 409,
  waiting: 409,
  signInFailed: 400,
  wrongPerson: 403,
  sessionOver: 401,
  forbidden: 403,
  reasonRequired: 400,
  unexpected: 500,
};

/** A document on the signing page: its name, where the page fetches its PDF, where the person's signatures go. */
export interface DocumentView extends InvitedDocument {
  url: string;
}

/** A signed document the person may download. */
export interface DownloadView {
  name: string;
  url: string;
}

/** A page and the data it shows. */
export type Page =
  | { view: 'problem'; data: { problem: Problem } }
  | {
      view: 'sign';
      data: { personName: string; documents: DocumentView[]; csrf: string; signAction: string; rejectAction: string };
    }
  | { view: 'signed'; data: { downloads: DownloadView[] } }
  | { view: 'rejected'; data: { reason: string } }
  | { view: 'landing'; data: { issuer: string } };

/** Where accounts sends the person back after signing in (the signing routes' `callback`). */
export const SIGNING_CALLBACK_PATH = '/sign/callback';

/** Where the signing pages' static files are served. */
export const ASSETS_PATH = '/sign/assets';

const require = createRequire(import.meta.url);

function asset(name: string, file: string | URL, type: string): Asset {
  return readAsset(`${ASSETS_PATH}/${name}`, file, type);
}

// pdf.js is served from this origin (CSP script-src/worker-src 'self'), never from a CDN. The
// legacy build runs on older phone browsers too. The page script imports it by its plain path.
const ASSETS = {
  stylesheet: asset('signing.css', STYLESHEET_FILE, 'text/css; charset=utf-8'),
  script: asset(
    'signing-page.js',
    new URL('./assets/signing-page.js', import.meta.url),
    'text/javascript; charset=utf-8',
  ),
  pdfjs: asset('pdf.min.mjs', require.resolve('pdfjs-dist/legacy/build/pdf.min.mjs'), 'text/javascript; charset=utf-8'),
  pdfjsWorker: asset(
    'pdf.worker.min.mjs',
    require.resolve('pdfjs-dist/legacy/build/pdf.worker.min.mjs'),
    'text/javascript; charset=utf-8',
  ),
} as const;

/** Public paths of the assets, for pages and tests. */
export const ASSET_PATHS = {
  stylesheet: ASSETS.stylesheet.path,
  script: ASSETS.script.path,
  pdfjs: ASSETS.pdfjs.path,
  pdfjsWorker: ASSETS.pdfjsWorker.path,
} as const;

const render = createRenderer(new URL('./views/', import.meta.url), ASSETS.stylesheet.href);

/**
 * The page's `Content-Security-Policy`. Every page: only this origin's stylesheet, forms to this
 * origin, no framing, no `<base>`. The signing page (`pdf`) also runs this origin's scripts,
 * pdf.js's worker, and fetches the documents from this origin.
 */
export function contentSecurityPolicy(options: { pdf?: boolean } = {}): string {
  return pageContentSecurityPolicy({
    directives: options.pdf ? ["script-src 'self'", "worker-src 'self'", "connect-src 'self'"] : [],
  });
}

interface Rendered {
  title: string;
  model: object;
  wide?: boolean;
}

/** What the page says about where the person's signatures go in one document: the marked pages, and any drawn on none. */
function placesOf(document: InvitedDocument, t: Messages): TextPart[][] {
  const placed = document.places.filter((p) => p !== null);
  const pages = [...new Set(placed.map((p) => p.page))].sort((a, b) => a - b).join(', ');
  const lines: TextPart[][] = [];
  if (placed.length === 1) lines.push(fillMessage(t.sign.placedOne, { pages }));
  if (placed.length > 1) lines.push(fillMessage(t.sign.placedMany, { pages }));
  if (placed.length < document.places.length) lines.push(fillMessage(t.sign.notPlaced, {}));
  return lines;
}

function model(page: Page, t: Messages): Rendered {
  switch (page.view) {
    case 'problem': {
      const { title, lead } = t.problems[page.data.problem];
      return { title, model: { lead } };
    }
    case 'sign': {
      const { personName, documents, csrf, signAction, rejectAction } = page.data;
      return {
        title: t.sign.title,
        wide: true,
        model: {
          lead: fillMessage(t.sign.lead, { name: personName }),
          count: fillMessage(t.sign.documents, { count: String(documents.length) }),
          documents: documents.map((d) => ({
            ...d,
            label: fillMessage(t.sign.document, { name: d.name }),
            places: placesOf(d, t),
            placesJson: JSON.stringify(d.places.filter((p) => p !== null)),
          })),
          markerLabel: t.sign.marker,
          csrf,
          signAction,
          rejectAction,
          script: ASSETS.script.href,
        },
      };
    }
    case 'signed':
      return {
        title: t.signed.title,
        model: {
          downloads: page.data.downloads.map((d) => ({
            url: d.url,
            fileName: d.name,
            label: fillMessage(t.signed.download, { name: d.name }),
          })),
        },
      };
    case 'landing':
      return {
        title: t.landing.title,
        model: { indexable: true, issuer: page.data.issuer },
      };
    case 'rejected':
      return {
        title: t.rejected.title,
        model: { reason: fillMessage(t.rejected.reason, { reason: page.data.reason }) },
      };
  }
}

/**
 * Renders a page to HTML in `locale`, without sending it; with `languagePath` (the page's own
 * path, which a GET shows again), its header has the language switch.
 */
export function renderPage(locale: Locale, page: Page, languagePath?: string): string {
  const t = MESSAGES[locale];
  const { title, model: data, wide } = model(page, t);
  const languages = languagePath === undefined ? undefined : languageChoice.links(languagePath, locale);
  return render(page.view, { t, locale, title, brand: t.brand, model: { ...data, wide: wide === true, languages } });
}

/**
 * The path a language switch on this request's page links to: the page itself when a GET shows
 * it again; none after a form (POST), on the sign-in callback (whose code works once), or for a
 * path a link would read as another host (`//host`).
 */
function languagePathOf(request: FastifyRequest): string | undefined {
  const path = request.url.split('?')[0] ?? '/';
  const reloadable = request.method === 'GET' && path !== SIGNING_CALLBACK_PATH;
  return reloadable && path.startsWith('/') && !path.startsWith('//') ? path : undefined;
}

/**
 * Renders a page and sends it with the headers every signing page carries: the CSP of
 * {@link contentSecurityPolicy}, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` (the
 * signing link's token never leaks through `Referer`), `Cache-Control: no-store` (the pages carry
 * personal data), `Content-Language`, `nosniff`, and a Permissions-Policy that denies the camera,
 * microphone and location. The status is the page's own for problems, else 200. A `?lang=` the
 * request carries is remembered in the language cookie; the header has the language switch.
 */
export function sendPage(reply: FastifyReply, locale: Locale, page: Page, status?: number): FastifyReply {
  const chosen = languageChoice.cookie(reply.request);
  if (chosen) reply.header('set-cookie', chosen);
  return sendHtml(reply, {
    status: status ?? (page.view === 'problem' ? PROBLEM_STATUS[page.data.problem] : 200),
    html: renderPage(locale, page, languagePathOf(reply.request)),
    locale,
    contentSecurityPolicy: contentSecurityPolicy({ pdf: page.view === 'sign' }),
    permissionsPolicy: 'camera=(), microphone=(), geolocation=()',
    headers: { pragma: 'no-cache' },
  });
}

/**
 * Registers `GET /sign/assets/*`: the stylesheet, the signing page's script and pdf.js (module
 * and worker, from `pdfjs-dist`'s legacy build), each read once at start and sent with
 * `Cache-Control: public, max-age=3600`; pages link them with a content hash.
 */
export function registerAssets(app: FastifyInstance): void {
  for (const asset of Object.values(ASSETS)) serveAsset(app, asset, { 'cross-origin-resource-policy': 'same-origin' });
}
