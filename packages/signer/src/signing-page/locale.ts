import { type LanguageSwitch, languageSwitch, localeNegotiator } from '@signet/web';

/** The languages the signing pages are written in. */
export type Locale = 'en' | 'es';

/** Every supported locale, the default first. */
export const LOCALES: readonly [Locale, ...Locale[]] = ['en', 'es'];

/**
 * Chooses the language of a signing page or certificate of completion (`@signet/web`'s one
 * negotiation over {@link LOCALES}): `ui_locales` (space-separated, most preferred first) wins,
 * then the browser's `Accept-Language` (through `negotiator`), otherwise `'en'`. Region subtags
 * are ignored, so `es-ES`, `es-419` and `en-GB` all match.
 *
 * @example pickLocale('fr es-419', 'en-US,en;q=0.9') // → 'es'
 */
export const pickLocale: (uiLocales: string | undefined, acceptLanguage: string | undefined) => Locale =
  localeNegotiator(LOCALES);

const languages = languageSwitch<Locale>({ en: 'English', es: 'Español' });

/**
 * The language switch of the Signer's pages, the same as accounts' (`@signet/web`'s
 * `languageSwitch`): `?lang=` on a page, remembered in the `signet_lang` cookie; a choice made
 * there wins over `ui_locales` and `Accept-Language`.
 */
export const languageChoice: LanguageSwitch<Locale> = languages;
