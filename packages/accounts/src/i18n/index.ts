import type { Locale } from '../pages/locale.js';
import { en } from './en.js';
import { es } from './es.js';

/**
 * Every piece of text the pages show, in one language.
 *
 * Placeholders in braces (`{client}`, `{user}`) are filled by the page renderer, which escapes the
 * value and shows it emphasised; everything else is plain text (templates escape it too).
 */
export interface Messages {
  /** The product name, shown in the page header and the document title. */
  brand: string;
  login: {
    title: string;
    /** Names the client: `{client}`. */
    lead: string;
    username: string;
    password: string;
    submit: string;
    errors: {
      /** The same words whether the account exists or not. */
      invalid_credentials: string;
      throttled: string;
      missing_fields: string;
    };
  };
  consent: {
    title: string;
    /** Names the client: `{client}`. */
    lead: string;
    /** Names the signed-in person: `{user}`. */
    signedInAs: string;
    /** Introduces the list of scopes; names the client: `{client}`. */
    scopesIntro: string;
    allow: string;
    deny: string;
    /** What each known scope reveals, in plain words. */
    scopes: Record<string, string>;
  };
  error: {
    title: string;
    /** Labels the OAuth error code. */
    code: string;
    help: string;
  };
  logout: {
    title: string;
    lead: string;
    /** Used instead of `lead` when the client is known: `{client}`. */
    leadWithClient: string;
    submit: string;
  };
  loggedOut: {
    title: string;
    lead: string;
    /** Used instead of `lead` when the client is known: `{client}`. */
    leadWithClient: string;
  };
  /** The face step (issue 4). */
  face: {
    title: string;
    /** Names the client: `{client}`. */
    lead: string;
    /** What will happen, and that the pictures are not kept. */
    howTo: string;
    /** Names the side the person will be asked to turn to: `{side}`. */
    challenge: string;
    left: string;
    right: string;
    start: string;
    lookStraight: string;
    turnLeft: string;
    turnRight: string;
    sending: string;
    cameraBlocked: string;
    /** Shown without JavaScript. */
    needsScript: string;
    /** `{count}`: attempts left. */
    attemptsLeft: string;
    noCamera: string;
    /** Why a check failed, by `FaceProblem`, plus `busy` when the checks are overloaded. */
    errors: Record<
      | 'unreadable_image'
      | 'image_too_large'
      | 'no_face'
      | 'multiple_faces'
      | 'incompatible_template'
      | 'too_few_frames'
      | 'too_many_frames'
      | 'no_match'
      | 'no_liveness'
      | 'busy',
      string
    >;
  };
  /** Enrolling one's own face through a one-time link from an operator; reuses `face` for the camera. */
  faceEnrol: {
    title: string;
    lead: string;
    /** What will happen, and that only a description of the face is kept. */
    howTo: string;
    doneTitle: string;
    doneLead: string;
    /** Title of the page shown when the link cannot be used. */
    linkErrorTitle: string;
    /** What to do about a link that cannot be used. */
    linkHelp: string;
    /** Why the link cannot be used. */
    linkErrors: Record<'unknown' | 'expired' | 'used' | 'revoked' | 'other_browser' | 'form', string>;
  };
}

/** The messages of each supported locale. */
export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, es };
