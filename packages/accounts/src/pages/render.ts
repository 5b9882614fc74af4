import {
  createRenderer,
  fillMessage,
  pageContentSecurityPolicy,
  readAsset,
  STYLESHEET_FILE,
  sendHtml,
  serveAsset,
} from '@signet/web';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { MESSAGES, type Messages } from '../i18n/index.js';
import type { Locale } from './locale.js';

/** The login page: username and password, posted to `action`. */
export interface LoginView {
  /** Where the form posts (same origin). */
  action: string;
  /** The interaction's CSRF token, sent back as the hidden field `csrf`. */
  csrf: string;
  /** The client's display name, shown as the one asking. */
  clientName: string;
  /** Fills the username field again after a failed attempt. */
  username?: string;
  /** Why the last attempt failed. `invalid_credentials` never says whether the account exists. */
  error?: 'invalid_credentials' | 'throttled' | 'missing_fields';
}

/** The consent page: what the client will receive, with Allow and Deny (`decision=allow|deny`). */
export interface ConsentView {
  action: string;
  csrf: string;
  clientName: string;
  /** The signed-in person's name (or username), so they can tell it is their account. */
  userName: string;
  /** The requested scopes; each is described in plain words, unknown ones by name. */
  scopes: string[];
}

/** The error page shown when the browser cannot be sent back to the client. */
export interface ErrorView {
  /** The OAuth error code, e.g. `invalid_request`. */
  error: string;
  /** Its `error_description`. */
  description: string;
  /** What the person can do; default "Return to the application and try again." */
  help?: string;
  /** The page title; default "Something went wrong". */
  title?: string;
}

/** Asks the person to confirm signing out (RP-Initiated Logout 1.0 §2). */
export interface LogoutConfirmView {
  action: string;
  csrf: string;
  /** The client that asked for the logout, when `id_token_hint` named one. */
  clientName?: string;
  /** Hidden fields to carry through the confirm POST (e.g. `state`, `post_logout_redirect_uri`). */
  hidden: Record<string, string>;
}

/** Confirms the session has ended. */
export interface LoggedOutView {
  clientName?: string;
}

/** Why the last face check failed: a `FaceProblem`, or `busy` when every face worker was. */
export type FaceError = keyof Messages['face']['errors'];

/** The face step (issue 4): camera preview, guidance for the head turn, frames posted to `action`. */
export interface FaceView {
  action: string;
  csrf: string;
  clientName: string;
  /** The side the person is asked to turn their head to (their own left or right). */
  challenge: 'left' | 'right';
  /** How many frames the page captures and posts. */
  frames: number;
  /** Face checks the person may still make in this sign-in. */
  attemptsLeft: number;
  /** Why the last attempt failed. */
  error?: FaceError;
}

/**
 * Enrolling one's own face through an operator's one-time link: the face page's camera,
 * script and head-turn challenge, with the enrolment's own words and no client.
 */
export type FaceEnrolView = Omit<FaceView, 'clientName'>;

/** A page and the data it shows. */
export type Page =
  | { view: 'login'; data: LoginView }
  | { view: 'consent'; data: ConsentView }
  | { view: 'error'; data: ErrorView }
  | { view: 'logout'; data: LogoutConfirmView }
  | { view: 'logged-out'; data: LoggedOutView }
  | { view: 'face'; data: FaceView }
  | { view: 'face-enrol'; data: FaceEnrolView }
  | { view: 'face-enrolled'; data: Record<string, never> };

/** Options of {@link sendPage}. */
export interface SendPageOptions {
  /** HTTP status. Default 200. */
  status?: number;
  /**
   * Extra sources for CSP `form-action`, e.g. the origin of the client's `redirect_uri`: Chrome
   * applies `form-action` to the redirect that follows a form POST. Each must be an absolute URL;
   * only its origin is used (a custom scheme such as `com.example.app:/cb` becomes `com.example.app:`).
   */
  formActionOrigins?: string[];
  /**
   * The page uses the camera through its script (the face pages only): adds `script-src 'self'`
   * and `media-src 'self' blob:` to the policy. Every other page runs no script at all.
   */
  camera?: boolean;
}

/** Where {@link registerAssets} serves the stylesheet. */
export const STYLESHEET_PATH = '/assets/signet.css';

/** Where {@link registerAssets} serves the face page's script. */
export const FACE_SCRIPT_PATH = '/assets/face.js';

const stylesheet = readAsset(STYLESHEET_PATH, STYLESHEET_FILE, 'text/css; charset=utf-8');
const faceScript = readAsset(
  FACE_SCRIPT_PATH,
  new URL('../../assets/face.js', import.meta.url),
  'text/javascript; charset=utf-8',
);
const render = createRenderer(new URL('../../views/', import.meta.url), stylesheet.href);

/** One line of the consent list: a description, or the scope's own name when Signet has none. */
export type ScopeItem = { description: string } | { scope: string };

/** What each scope reveals, in `messages`' language; scopes with the same description appear once. */
export function describeScopes(scopes: readonly string[], messages: Messages): ScopeItem[] {
  const seen = new Set<string>();
  const items: ScopeItem[] = [];
  for (const scope of scopes) {
    const description = Object.hasOwn(messages.consent.scopes, scope) ? messages.consent.scopes[scope] : undefined;
    const key = description === undefined ? `scope:${scope}` : `text:${description}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(description === undefined ? { scope } : { description });
  }
  return items;
}

/** A CSP source expression for an absolute URL: its origin, or its scheme for opaque origins. */
function cspSource(url: string): string {
  const parsed = new URL(url);
  if (parsed.origin !== 'null') return parsed.origin;
  // Custom schemes (native apps, RFC 8252 §7.1) have no origin; allow the scheme itself.
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(parsed.protocol)) throw new TypeError(`not a CSP source: ${url}`);
  return parsed.protocol.toLowerCase();
}

/**
 * The page's `Content-Security-Policy`: nothing but the stylesheet and images from this origin,
 * forms only to this origin and `formActionOrigins`, no framing, no `<base>`. With `camera`
 * (the face page), scripts from this origin and media from camera streams too.
 */
export function contentSecurityPolicy(
  formActionOrigins: readonly string[] = [],
  options: { camera?: boolean } = {},
): string {
  return pageContentSecurityPolicy({
    directives: options.camera ? ["script-src 'self'", "media-src 'self' blob:"] : [],
    formAction: [...new Set(formActionOrigins.map(cspSource))],
  });
}

interface Rendered {
  title: string;
  model: object;
  /** The template, when it is not the view's own name. */
  template?: string;
}

function loginModel(data: LoginView, t: Messages): Rendered {
  const username = data.username ?? '';
  const invalid = data.error === 'invalid_credentials' || data.error === 'missing_fields';
  return {
    title: t.login.title,
    model: {
      action: data.action,
      csrf: data.csrf,
      lead: fillMessage(t.login.lead, { client: data.clientName }),
      username,
      error: data.error ? t.login.errors[data.error] : undefined,
      focus: username === '' ? 'username' : 'password',
      usernameInvalid: invalid && (data.error === 'invalid_credentials' || username === ''),
      passwordInvalid: invalid,
    },
  };
}

function consentModel(data: ConsentView, t: Messages): Rendered {
  return {
    title: t.consent.title,
    model: {
      action: data.action,
      csrf: data.csrf,
      lead: fillMessage(t.consent.lead, { client: data.clientName }),
      signedInAs: fillMessage(t.consent.signedInAs, { user: data.userName }),
      scopesIntro: fillMessage(t.consent.scopesIntro, { client: data.clientName }),
      scopes: describeScopes(data.scopes, t),
    },
  };
}

function logoutModel(data: LogoutConfirmView, t: Messages): Rendered {
  const lead =
    data.clientName === undefined
      ? fillMessage(t.logout.lead, {})
      : fillMessage(t.logout.leadWithClient, { client: data.clientName });
  // The page's own CSRF field wins over a stray one in `hidden`.
  const hidden = Object.entries(data.hidden).filter(([name]) => name !== 'csrf');
  return { title: t.logout.title, model: { action: data.action, csrf: data.csrf, lead, hidden } };
}

function loggedOutModel(data: LoggedOutView, t: Messages): Rendered {
  const lead =
    data.clientName === undefined
      ? fillMessage(t.loggedOut.lead, {})
      : fillMessage(t.loggedOut.leadWithClient, { client: data.clientName });
  return { title: t.loggedOut.title, model: { lead } };
}

function faceModel(data: FaceView, t: Messages): Rendered {
  return {
    title: t.face.title,
    model: {
      ...faceCameraModel(data, t),
      lead: fillMessage(t.face.lead, { client: data.clientName }),
      howTo: t.face.howTo,
      cancel: true,
    },
  };
}

function faceEnrolModel(data: FaceEnrolView, t: Messages): Rendered {
  return {
    title: t.faceEnrol.title,
    template: 'face',
    model: {
      ...faceCameraModel(data, t),
      lead: fillMessage(t.faceEnrol.lead, {}),
      howTo: t.faceEnrol.howTo,
      // No "I can't use a camera": there is no application to return to, and nothing to refuse.
      cancel: false,
    },
  };
}

/** What the sign-in face step and face enrolment share: the camera, the challenge, the attempts. */
function faceCameraModel(data: FaceEnrolView, t: Messages): object {
  return {
    action: data.action,
    csrf: data.csrf,
    challenge: fillMessage(t.face.challenge, { side: t.face[data.challenge] }),
    side: data.challenge,
    turn: data.challenge === 'left' ? t.face.turnLeft : t.face.turnRight,
    frames: data.frames,
    attemptsLeft: fillMessage(t.face.attemptsLeft, { count: String(data.attemptsLeft) }),
    error: data.error ? t.face.errors[data.error] : undefined,
    script: faceScript.href,
  };
}

function model(page: Page, t: Messages): Rendered {
  switch (page.view) {
    case 'login':
      return loginModel(page.data, t);
    case 'consent':
      return consentModel(page.data, t);
    case 'error': {
      const { error, description, help = t.error.help, title = t.error.title } = page.data;
      return { title, model: { error, description, help } };
    }
    case 'logout':
      return logoutModel(page.data, t);
    case 'logged-out':
      return loggedOutModel(page.data, t);
    case 'face':
      return faceModel(page.data, t);
    case 'face-enrol':
      return faceEnrolModel(page.data, t);
    case 'face-enrolled':
      return { title: t.faceEnrol.doneTitle, model: { lead: t.faceEnrol.doneLead } };
  }
}

/** Renders a page to HTML in `locale`, without sending it. */
export function renderPage(locale: Locale, page: Page): string {
  const t = MESSAGES[locale];
  const { title, model: data, template = page.view } = model(page, t);
  return render(template, { t, locale, title, brand: t.brand, model: data });
}

/**
 * Renders a page and sends it, with the headers every page carries: `Content-Type: text/html;
 * charset=utf-8`, `Content-Security-Policy` (see {@link contentSecurityPolicy}), `X-Frame-Options:
 * DENY`, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`, `Content-Language`, and
 * `X-Content-Type-Options: nosniff`.
 *
 * @example
 * return sendPage(reply, pickLocale(req.uiLocales, request.headers['accept-language']),
 *   { view: 'login', data: { action, csrf, clientName } }, { formActionOrigins: [redirectUri] });
 */
export function sendPage(reply: FastifyReply, locale: Locale, page: Page, options: SendPageOptions = {}): FastifyReply {
  return sendHtml(reply, {
    status: options.status ?? 200,
    html: renderPage(locale, page),
    locale,
    contentSecurityPolicy: contentSecurityPolicy(options.formActionOrigins, { camera: options.camera === true }),
    // Only the face page may use the camera, and only in this origin's own top-level page.
    permissionsPolicy: options.camera ? 'camera=(self)' : 'camera=()',
  });
}

/**
 * Registers `GET /assets/signet.css` (the pages' only stylesheet) and `GET /assets/face.js` (the
 * face page's camera script), read once at startup and sent with `Cache-Control: public,
 * max-age=3600` (pages link them with a content hash, so a change is picked up at once).
 */
export function registerAssets(app: FastifyInstance): void {
  serveAsset(app, faceScript);
  serveAsset(app, stylesheet);
}
