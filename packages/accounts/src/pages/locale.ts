import { localeNegotiator } from '@signet/web';

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

/** The cookie that keeps the language a person chose with the switch (not a secret; a year). */
export const LANGUAGE_COOKIE = 'signet_lang';

const isLocale = (value: unknown): value is Locale => typeof value === 'string' && LOCALES.includes(value as Locale);

/** The language a person chose: `?lang=` on this request, else the {@link LANGUAGE_COOKIE}. */
export function chosenLocale(request: {
  query: unknown;
  headers: { cookie?: string | undefined };
}): Locale | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (isLocale(query?.lang)) return query.lang;
  const cookie = request.headers.cookie?.match(new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([a-z]+)`))?.[1];
  return isLocale(cookie) ? cookie : undefined;
}

/** The `Set-Cookie` that remembers `?lang=` when the request carries one, else undefined. */
export function languageCookie(request: { query: unknown }): string | undefined {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLocale(lang) ? `${LANGUAGE_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax` : undefined;
}

/** One entry of the language switch: a link to `path?lang=`, or the current language. */
export interface LanguageLink {
  locale: Locale;
  name: string;
  href: string;
  current: boolean;
}

/** The language switch of a page at `path` shown in `current`. */
export function languageLinks(path: string, current: Locale): LanguageLink[] {
  return LOCALES.map((locale) => ({
    locale,
    name: LANGUAGE_NAMES[locale],
    href: `${path}?lang=${locale}`,
    current: locale === current,
  }));
}
