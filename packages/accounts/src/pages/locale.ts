import { type LanguageSwitch, languageSwitch, localeNegotiator } from '@signet/web';

/** The languages the pages are written in. */
export type Locale = 'en' | 'es';

/** Every supported locale, the default first. */
export const LOCALES: readonly [Locale, ...Locale[]] = ['en', 'es'];

/** The locale used when neither `ui_locales` nor `Accept-Language` names a supported one. */
export const DEFAULT_LOCALE: Locale = LOCALES[0];

/**
 * Chooses the language of a page (`@signet/web`'s one negotiation over {@link LOCALES}).
 *
 * `ui_locales` (OpenID Connect Core §3.1.2.1, most preferred first) wins; then the browser's
 * `Accept-Language` (RFC 9110 §12.5.4, weighed by `q`, through `negotiator`); otherwise `'en'`.
 * Region and script subtags are ignored, so `es-ES`, `es-419` and `en-GB` all match.
 *
 * @param uiLocales - the request's `ui_locales`, already split on spaces (elements that still
 *   contain spaces are split again).
 * @param acceptLanguage - the raw `Accept-Language` header, if any.
 * @example pickLocale(['fr', 'es-419'], 'en-US,en;q=0.9') // → 'es'
 */
export const pickLocale: (uiLocales: readonly string[], acceptLanguage: string | undefined) => Locale =
  localeNegotiator(LOCALES);

/** Each language's name in itself, for the language switch. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', es: 'Español' };

const languages = languageSwitch(LANGUAGE_NAMES);

/** The language a person chose: `?lang=` on this request, else the `signet_lang` cookie (`@signet/web`'s switch). */
export const chosenLocale: LanguageSwitch<Locale>['chosen'] = languages.chosen;

/** The `Set-Cookie` that remembers `?lang=` when the request carries one, else undefined. */
export const languageCookie: LanguageSwitch<Locale>['cookie'] = languages.cookie;

/** The language switch of a page at `path` shown in `current`. */
export const languageLinks: LanguageSwitch<Locale>['links'] = languages.links;
