import type { FaceAction } from '../face/challenge.js';
import type { Locale } from '../pages/locale.js';
import type { PasskeyProblem } from '../passkeys/webauthn.js';
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
    /** The link to `/help` under the form. */
    help: string;
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
  /** Names the language switch (a navigation landmark). */
  languages: string;
  /** `/help`: what to do when signing in does not work. */
  help: {
    title: string;
    lead: string;
    /** One piece of advice each. */
    items: string[];
    back: string;
    /** Heads the support contact. */
    contactTitle: string;
    /** Introduces the operator's support address or page. */
    contact: string;
    /** The link to the operator's support page. */
    supportPage: string;
    /** Instead of a contact, when the operator configured none. */
    noContact: string;
  };
  /** `/`: what this service is, for a person who lands on it, and where developers go. */
  landing: {
    title: string;
    lead: string;
    people: string;
    developers: string;
    discovery: string;
    jwks: string;
    passkeys: string;
    help: string;
  };
  error: {
    title: string;
    /** Labels the OAuth error code. */
    code: string;
    help: string;
    /** What happened, in words for the person; the developer's description goes to the logs. */
    reasons: Record<
      | 'bad_request'
      | 'unknown_client'
      | 'redirect_not_registered'
      | 'client_not_allowed'
      | 'interaction_expired'
      | 'client_withdrawn'
      | 'already_completed'
      | 'form_expired'
      | 'sign_in_first'
      | 'not_allowed'
      | 'reauthenticate'
      | 'logout_hint'
      | 'logout_redirect',
      string
    >;
    /** What the person can do, where it differs from `help`. */
    helps: Partial<Record<'interaction_expired' | 'form_expired' | 'sign_in_first' | 'reauthenticate', string>>;
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
  /** The face step (issues 4 and 10). */
  face: {
    title: string;
    /** Names the client: `{client}`. */
    lead: string;
    /** What will happen, and that the pictures are not kept. */
    howTo: string;
    /** Introduces the list of the challenge's movements. */
    challenge: string;
    /** Each movement as a list item, after `challenge`. */
    actions: Record<FaceAction, string>;
    start: string;
    lookStraight: string;
    /** Each movement as the live prompt when its turn comes. */
    prompts: Record<FaceAction, string>;
    sending: string;
    cameraBlocked: string;
    /** Shown without JavaScript. */
    needsScript: string;
    /** `{count}`: attempts left. */
    attemptsLeft: string;
    noCamera: string;
    /**
     * Why a check failed, by `FaceProblem`, plus `bad_timing` (the capture's times cannot be
     * read), `expired` (the challenge ran out or was already answered) and `busy` (the checks
     * are overloaded).
     */
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
      | 'bad_timing'
      | 'expired'
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
  /** Passkeys (issue 10): signing in with one, creating one, the person's list. */
  passkey: {
    /** The login page's link to the passkey page. */
    loginLink: string;
    signInTitle: string;
    /** Names the client: `{client}`. */
    signInLead: string;
    signInHowTo: string;
    signInButton: string;
    usePassword: string;
    enrolTitle: string;
    enrolLead: string;
    enrolHowTo: string;
    enrolButton: string;
    skip: string;
    doneTitle: string;
    doneLead: string;
    /** Shown while the browser's passkey dialog is open. */
    working: string;
    /** The person closed the dialog, or it timed out. */
    cancelled: string;
    unsupported: string;
    needsScript: string;
    /** Why a passkey response was refused, by `PasskeyProblem`. */
    errors: Record<PasskeyProblem, string>;
    account: {
      title: string;
      /** Names the signed-in person: `{user}`. */
      signedInAs: string;
      none: string;
      /** `{date}`. */
      added: string;
      /** `{date}`. */
      lastUsed: string;
      neverUsed: string;
      /** How the key is kept: hwk, swk. */
      kinds: Record<'hwk' | 'swk', string>;
      remove: string;
      /** Labels a remove button: `{name}`. */
      removeLabel: string;
      addTitle: string;
      addLead: string;
      addButton: string;
      confirmLead: string;
      confirmButton: string;
      /** The person has no passkey: only an operator's link can give them the first. */
      firstPasskeyHelp: string;
      /** The page without a session. */
      signInFirst: string;
    };
  };
}

/** The messages of each supported locale. */
export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, es };
