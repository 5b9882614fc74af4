import Negotiator from 'negotiator';

/**
 * The one locale negotiation of Signet's pages, over `locales` (the default first):
 * `ui_locales` (OpenID Connect Core §3.1.2.1, most preferred first; a string is split on spaces)
 * wins; then the browser's `Accept-Language` (RFC 9110 §12.5.4, weighed by `q`, `q=0` refused,
 * through `negotiator`); otherwise `locales[0]`. Region and script subtags are ignored, so
 * `es-ES`, `es-419` and `en-GB` all match.
 *
 * @example
 * export const pickLocale = localeNegotiator(['en', 'es'] as const);
 * pickLocale(['fr', 'es-419'], 'en-US,en;q=0.9') // → 'es'
 * pickLocale('fr es-419', undefined) // → 'es'
 */
export function localeNegotiator<Locale extends string>(
  locales: readonly [Locale, ...Locale[]],
): (uiLocales: string | readonly string[] | undefined, acceptLanguage: string | undefined) => Locale {
  const fallback = locales[0];
  const isLocale = (value: string): value is Locale => (locales as readonly string[]).includes(value);
  const localeOf = (tag: string): Locale | undefined => {
    const primary = tag.trim().split('-')[0]?.toLowerCase() ?? '';
    return isLocale(primary) ? primary : undefined;
  };
  return (uiLocales, acceptLanguage) => {
    const tags = typeof uiLocales === 'string' ? [uiLocales] : (uiLocales ?? []);
    for (const tag of tags.flatMap((value) => value.split(/\s+/)).filter(Boolean)) {
      const locale = localeOf(tag);
      if (locale) return locale;
    }
    if (acceptLanguage) {
      const negotiated = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language([...locales]);
      if (negotiated && isLocale(negotiated)) return negotiated;
    }
    return fallback;
  };
}

/** The cookie that keeps the language a person chose with a page's language switch (not a secret; a year). */
export const LANGUAGE_COOKIE = 'signet_lang';

/** One entry of a page's language switch: a link to `path?lang=`, or the language shown now. */
export interface LanguageLink<Locale extends string = string> {
  locale: Locale;
  /** The language's name in itself. */
  name: string;
  href: string;
  current: boolean;
}

/** The language switch of a service's pages, from {@link languageSwitch}. */
export interface LanguageSwitch<Locale extends string> {
  /** The language a person chose: `?lang=` on this request, else the {@link LANGUAGE_COOKIE}. */
  chosen(request: { query: unknown; headers: { cookie?: string | undefined } }): Locale | undefined;
  /** The `Set-Cookie` that remembers `?lang=` when the request carries a supported one, else undefined. */
  cookie(request: { query: unknown }): string | undefined;
  /** The switch of a page at `path` (no query) shown in `current`. */
  links(path: string, current: Locale): LanguageLink<Locale>[];
}

/**
 * The one language switch of Signet's pages (accounts' and the Signer's look and work alike): a
 * link per language to the same page with `?lang=`, which the page remembers in the
 * {@link LANGUAGE_COOKIE} so that the next pages keep it; a choice made there wins over
 * `ui_locales` and `Accept-Language`.
 *
 * @param names - each language's name in itself, in the order the switch lists them.
 * @example
 * const languages = languageSwitch({ en: 'English', es: 'Español' });
 * languages.links('/help', 'es') // → [{ locale: 'en', href: '/help?lang=en', current: false, … }, …]
 */
export function languageSwitch<Locale extends string>(names: Readonly<Record<Locale, string>>): LanguageSwitch<Locale> {
  const locales = Object.keys(names) as Locale[];
  const isLocale = (value: unknown): value is Locale => typeof value === 'string' && locales.includes(value as Locale);
  const queryLang = (request: { query: unknown }) => (request.query as Record<string, unknown> | undefined)?.lang;
  const cookiePattern = new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([a-z]+)`);
  return {
    chosen(request) {
      const lang = queryLang(request);
      if (isLocale(lang)) return lang;
      const cookie = request.headers.cookie?.match(cookiePattern)?.[1];
      return isLocale(cookie) ? cookie : undefined;
    },
    cookie(request) {
      const lang = queryLang(request);
      return isLocale(lang) ? `${LANGUAGE_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax` : undefined;
    },
    links: (path, current) =>
      locales.map((locale) => ({
        locale,
        name: names[locale],
        href: `${path}?lang=${locale}`,
        current: locale === current,
      })),
  };
}
