import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { SCOPE_CLAIMS } from '@signet/protocol';
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
import { CAPTURE_SCHEDULE, type FaceChallenge } from '../face/challenge.js';
import { MESSAGES, type Messages } from '../i18n/index.js';
import type { ErrorReason } from './error-reasons.js';
import { type Locale, languageLinks } from './locale.js';

/** The operator's support contact on `/help` (`SIGNET_SUPPORT_EMAIL`, `SIGNET_SUPPORT_URL`); either may be absent. */
export interface SupportContact {
  email?: string | undefined;
  url?: string | undefined;
}

/** Where accounts serves its help page for signing in. */
export const HELP_PATH = '/help';

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
  /** The interaction's passkey page, linked under the form (issue 10). */
  passkeyHref?: string;
  /** The page's own path: the language switch links to it with `?lang=`, keeping the request. */
  languagePath?: string;
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
  /**
   * The client may get a refresh token (it has the `refresh_token` grant): only then do `offline`
   * and `offline_access` grant anything, and only then are they shown.
   */
  refreshTokens: boolean;
}

/** The error page shown when the browser cannot be sent back to the client. */
export interface ErrorView {
  /** The OAuth error code, e.g. `invalid_request`. */
  error: string;
  /** What happened, as a sentence of `error.reasons` in the page's language. */
  reason?: ErrorReason;
  /** Text already in the page's language, instead of `reason`'s. */
  description?: string;
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

/** The face step (issues 4 and 10): camera preview, the challenge's prompts, a timed capture posted to `action`. */
export interface FaceView {
  action: string;
  csrf: string;
  clientName: string;
  /** The challenge drawn for this attempt: its id (posted back) and the actions asked for, in order. */
  challenge: Pick<FaceChallenge, 'id' | 'actions'>;
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

/** Why the last passkey answer was refused (a `PasskeyProblem`), or `cancelled`. */
export type PasskeyError = keyof Messages['passkey']['errors'];

/** One WebAuthn ceremony on a page: the form the script posts the browser's answer with. */
export interface PasskeyCeremonyView {
  ceremony: 'register' | 'authenticate';
  action: string;
  csrf: string;
  /** The options for the browser (`PublicKeyCredential*OptionsJSON`). */
  options: object;
}

/**
 * Signing in with a passkey (`sign-in`, in an interaction) or creating one after the face on an
 * enrolment link (`enrol`), issue 10.
 */
export interface PasskeyView {
  purpose: 'sign-in' | 'enrol';
  ceremony: PasskeyCeremonyView;
  /** The client asking (sign-in). */
  clientName?: string;
  error?: PasskeyError;
  /** Back to the password form (sign-in). */
  passwordHref?: string;
  /** Where "Not now" posts (enrol). */
  skipAction?: string;
}

/** The signed-in person's passkeys, with remove buttons and, when allowed, a ceremony to add or confirm. */
export interface PasskeysView {
  userName: string;
  csrf: string;
  removeAction: string;
  passkeys: { id: string; name: string; kind: 'hwk' | 'swk'; createdAt: number; lastUsedAt: number | null }[];
  /** `register` when the session may add a passkey now; `authenticate` to confirm first; none without a passkey. */
  ceremony?: PasskeyCeremonyView;
  error?: PasskeyError;
}

/** A page and the data it shows. */
export type Page =
  | { view: 'login'; data: LoginView }
  | { view: 'consent'; data: ConsentView }
  | { view: 'error'; data: ErrorView }
  | { view: 'logout'; data: LogoutConfirmView }
  | { view: 'logged-out'; data: LoggedOutView }
  | { view: 'face'; data: FaceView }
  | { view: 'face-enrol'; data: FaceEnrolView }
  | { view: 'face-enrolled'; data: Record<string, never> }
  | { view: 'passkey'; data: PasskeyView }
  | { view: 'passkey-enrolled'; data: Record<string, never> }
  | { view: 'passkeys'; data: PasskeysView }
  | { view: 'help'; data: { support: SupportContact } }
  | { view: 'landing'; data: LandingView };

/** Accounts' home page: what it is, and where developers go. */
export interface LandingView {
  issuer: string;
}

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
  /** The page runs scripts from this origin but uses no camera (the passkey pages): `script-src 'self'`. */
  script?: boolean;
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
/** Where {@link registerAssets} serves @simplewebauthn/browser's bundle, read from the package's own file. */
export const WEBAUTHN_SCRIPT_PATH = '/assets/webauthn.js';
/** Where {@link registerAssets} serves the passkey pages' script. */
export const PASSKEY_SCRIPT_PATH = '/assets/passkey.js';

// The package's own UMD bundle (it sets `window.SimpleWebAuthnBrowser`), beside its CommonJS entry.
const webauthnBundle = new URL(
  '../dist/bundle/index.umd.min.js',
  pathToFileURL(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
);
const webauthnScript = readAsset(WEBAUTHN_SCRIPT_PATH, webauthnBundle, 'text/javascript; charset=utf-8');
const passkeyScript = readAsset(
  PASSKEY_SCRIPT_PATH,
  new URL('../../assets/passkey.js', import.meta.url),
  'text/javascript; charset=utf-8',
);
const render = createRenderer(new URL('../../views/', import.meta.url), stylesheet.href);

/** One line of the consent list: a description, or the scope's own name when Signet has none. */
export type ScopeItem = { description: string } | { scope: string };

/** Scopes that grant access while the person is away, and only to a client that may refresh. */
const OFFLINE_SCOPES = new Set(['offline', 'offline_access']);

/** `scope`'s claims are all among another requested scope's, which has more (`birthdate` under `profile`). */
function coveredByAnother(scope: string, scopes: readonly string[]): boolean {
  const own = SCOPE_CLAIMS[scope];
  if (!Object.hasOwn(SCOPE_CLAIMS, scope) || !own) return false;
  return scopes.some((other) => {
    const theirs = Object.hasOwn(SCOPE_CLAIMS, other) ? SCOPE_CLAIMS[other] : undefined;
    return (
      other !== scope && theirs !== undefined && theirs.length > own.length && own.every((c) => theirs.includes(c))
    );
  });
}

/**
 * What the client will actually receive, in `messages`' language: each claim once (a scope whose
 * claims another requested scope already names is left out; scopes with the same description
 * appear once), and `offline`/`offline_access` only when the client gets refresh tokens.
 */
export function describeScopes(
  scopes: readonly string[],
  messages: Messages,
  options: { refreshTokens: boolean } = { refreshTokens: true },
): ScopeItem[] {
  const seen = new Set<string>();
  const items: ScopeItem[] = [];
  for (const scope of scopes) {
    if (OFFLINE_SCOPES.has(scope) && !options.refreshTokens) continue;
    if (coveredByAnother(scope, scopes)) continue;
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
  options: { camera?: boolean; script?: boolean } = {},
): string {
  return pageContentSecurityPolicy({
    directives: options.camera
      ? ["script-src 'self'", "media-src 'self' blob:"]
      : options.script
        ? ["script-src 'self'"]
        : [],
    formAction: [...new Set(formActionOrigins.map(cspSource))],
  });
}

interface Rendered {
  title: string;
  model: object;
  /** The template, when it is not the view's own name. */
  template?: string;
}

function loginModel(data: LoginView, t: Messages, locale: Locale): Rendered {
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
      passkeyHref: data.passkeyHref,
      helpHref: `${HELP_PATH}?lang=${locale}`,
      languages: data.languagePath === undefined ? undefined : languageLinks(data.languagePath, locale),
    },
  };
}

function ceremonyModel(c: PasskeyCeremonyView, button: string): object {
  return { ceremony: c.ceremony, action: c.action, csrf: c.csrf, options: JSON.stringify(c.options), button };
}

function passkeyModel(data: PasskeyView, t: Messages): Rendered {
  const p = t.passkey;
  const signIn = data.purpose === 'sign-in';
  return {
    title: signIn ? p.signInTitle : p.enrolTitle,
    model: {
      lead: signIn ? fillMessage(p.signInLead, { client: data.clientName ?? '' }) : fillMessage(p.enrolLead, {}),
      howTo: signIn ? p.signInHowTo : p.enrolHowTo,
      error: data.error ? p.errors[data.error] : undefined,
      ceremony: ceremonyModel(data.ceremony, signIn ? p.signInButton : p.enrolButton),
      passwordHref: data.passwordHref,
      skipAction: data.skipAction,
      library: webauthnScript.href,
      script: passkeyScript.href,
    },
  };
}

function passkeysModel(data: PasskeysView, t: Messages, locale: Locale): Rendered {
  const a = t.passkey.account;
  const date = (epoch: number) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(epoch * 1000));
  const register = data.ceremony?.ceremony === 'register';
  return {
    title: a.title,
    model: {
      lead: fillMessage(a.signedInAs, { user: data.userName }),
      error: data.error ? t.passkey.errors[data.error] : undefined,
      csrf: data.csrf,
      removeAction: data.removeAction,
      passkeys: data.passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        kind: a.kinds[p.kind],
        added: fillMessage(a.added, { date: date(p.createdAt) })
          .map((part) => part.text)
          .join(''),
        used:
          p.lastUsedAt === null
            ? a.neverUsed
            : fillMessage(a.lastUsed, { date: date(p.lastUsedAt) })
                .map((part) => part.text)
                .join(''),
        removeLabel: fillMessage(a.removeLabel, { name: p.name })
          .map((part) => part.text)
          .join(''),
      })),
      ceremony: data.ceremony && ceremonyModel(data.ceremony, register ? a.addButton : a.confirmButton),
      ceremonyLead: register ? a.addLead : a.confirmLead,
      library: webauthnScript.href,
      script: passkeyScript.href,
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
      scopes: describeScopes(data.scopes, t, { refreshTokens: data.refreshTokens }),
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
    challenge: t.face.challenge,
    challengeId: data.challenge.id,
    // the list shown to the person, and each prompt with its action for the script
    steps: data.challenge.actions.map((action) => ({
      action,
      text: t.face.actions[action],
      prompt: t.face.prompts[action],
    })),
    schedule: CAPTURE_SCHEDULE,
    attemptsLeft: fillMessage(t.face.attemptsLeft, { count: String(data.attemptsLeft) }),
    error: data.error ? t.face.errors[data.error] : undefined,
    script: faceScript.href,
  };
}

function model(page: Page, t: Messages, locale: Locale): Rendered {
  switch (page.view) {
    case 'login':
      return loginModel(page.data, t, locale);
    case 'consent':
      return consentModel(page.data, t);
    case 'error': {
      const { error, reason = 'bad_request' } = page.data;
      const description = page.data.description ?? t.error.reasons[reason];
      const help =
        page.data.help ??
        (Object.hasOwn(t.error.helps, reason) ? t.error.helps[reason as keyof typeof t.error.helps] : undefined) ??
        t.error.help;
      return { title: page.data.title ?? t.error.title, model: { error, description, help } };
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
    case 'passkey':
      return passkeyModel(page.data, t);
    case 'passkey-enrolled':
      return { title: t.passkey.doneTitle, model: { lead: t.passkey.doneLead } };
    case 'passkeys':
      return passkeysModel(page.data, t, locale);
    case 'help': {
      const { email, url } = page.data.support;
      return {
        title: t.help.title,
        model: {
          languages: languageLinks(HELP_PATH, locale),
          supportEmail: email,
          supportMailto: email === undefined ? undefined : `mailto:${email}`,
          supportUrl: url,
        },
      };
    }
    case 'landing':
      return {
        title: t.landing.title,
        model: {
          indexable: true,
          languages: languageLinks('/', locale),
          discovery: `${page.data.issuer}/.well-known/openid-configuration`,
          jwks: `${page.data.issuer}/.well-known/jwks.json`,
          helpHref: `${HELP_PATH}?lang=${locale}`,
        },
      };
  }
}

/** Renders a page to HTML in `locale`, without sending it. */
export function renderPage(locale: Locale, page: Page): string {
  const t = MESSAGES[locale];
  const { title, model: data, template = page.view } = model(page, t, locale);
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
    contentSecurityPolicy: contentSecurityPolicy(options.formActionOrigins, {
      camera: options.camera === true,
      script: options.script === true,
    }),
    // Only the face page may use the camera, and only in this origin's own top-level page.
    permissionsPolicy: options.camera ? 'camera=(self)' : 'camera=()',
  });
}

/**
 * Registers `GET /assets/signet.css` (the pages' only stylesheet), `GET /assets/face.js` (the
 * face page's camera script), `GET /assets/webauthn.js` (@simplewebauthn/browser's own bundle) and
 * `GET /assets/passkey.js` (the passkey pages' script), read once at startup and sent with `Cache-Control: public,
 * max-age=3600` (pages link them with a content hash, so a change is picked up at once).
 */
export function registerAssets(app: FastifyInstance): void {
  serveAsset(app, faceScript);
  serveAsset(app, webauthnScript);
  serveAsset(app, passkeyScript);
  serveAsset(app, stylesheet);
}
