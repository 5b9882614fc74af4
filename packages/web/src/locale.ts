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
