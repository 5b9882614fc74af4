/** The languages the signing pages are written in. */
export type Locale = 'en' | 'es';

/** Every supported locale, the default first. */
export const LOCALES: readonly Locale[] = ['en', 'es'];

const isLocale = (value: string): value is Locale => (LOCALES as readonly string[]).includes(value);

/** The supported locale a BCP 47 tag belongs to (`es-419` → `es`), if any. */
function localeOf(tag: string): Locale | undefined {
  const primary = tag.trim().split('-')[0]?.toLowerCase() ?? '';
  return isLocale(primary) ? primary : undefined;
}

/** `Accept-Language` ranges with their weights (RFC 9110 §12.5.4), best first; `q=0` and junk dropped. */
function acceptedLanguages(header: string): string[] {
  const ranges: { tag: string; q: number; order: number }[] = [];
  for (const [order, part] of header.split(',').entries()) {
    const [tag = '', ...params] = part.split(';').map((s) => s.trim());
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i.test(tag) || !(q > 0 && q <= 1)) continue;
    ranges.push({ tag, q, order });
  }
  // Stable: equal weights keep the header's order.
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order).map((r) => r.tag);
}

/**
 * Chooses the language of a signing page: `ui_locales` (space-separated, most preferred first)
 * wins, then the browser's `Accept-Language`, otherwise `'en'`. Region subtags are ignored, so
 * `es-ES`, `es-419` and `en-GB` all match.
 *
 * @example pickLocale('fr es-419', 'en-US,en;q=0.9') // → 'es'
 */
export function pickLocale(uiLocales: string | undefined, acceptLanguage: string | undefined): Locale {
  for (const tag of (uiLocales ?? '').split(/\s+/).filter(Boolean)) {
    const locale = localeOf(tag);
    if (locale) return locale;
  }
  for (const tag of acceptLanguages(acceptLanguage)) {
    const locale = localeOf(tag);
    if (locale) return locale;
  }
  return 'en';
}

const acceptLanguages = (header: string | undefined): string[] => (header ? acceptedLanguages(header) : []);
