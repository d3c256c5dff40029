import type { CallbackFailureCode } from '../flow/callback-failures';
import type { ReauthForbiddenReason } from '../exceptions/reauth-forbidden.exception';
import { GERMAN_PAGE_MESSAGES } from './page-messages.de';
import { ENGLISH_PAGE_MESSAGES } from './page-messages.en';
import { SPANISH_PAGE_MESSAGES } from './page-messages.es';
import { FRENCH_PAGE_MESSAGES } from './page-messages.fr';
import type { ReauthPageMessageKey, ReauthPageMessages } from './page-messages';

/** A language the library's pages ship in. */
export type ReauthPageLanguage = 'en' | 'de' | 'fr' | 'es';

/**
 * The shipped catalogues of the library's pages, by language. Read one to start a new language
 * (every key of `en` is required) or to see what a text replaces.
 *
 * @example
 * ```ts
 * const keys = Object.keys(REAUTH_PAGE_MESSAGES.en); // 'link.continue', 'callback.state_expired.title', ...
 * ```
 */
export const REAUTH_PAGE_MESSAGES: Readonly<Record<ReauthPageLanguage, ReauthPageMessages>> =
  Object.freeze({
    en: ENGLISH_PAGE_MESSAGES,
    de: GERMAN_PAGE_MESSAGES,
    fr: FRENCH_PAGE_MESSAGES,
    es: SPANISH_PAGE_MESSAGES,
  });

/** Every key of a catalogue, in the English catalogue's order. */
export const PAGE_MESSAGE_KEYS: readonly ReauthPageMessageKey[] = Object.freeze(
  Object.keys(ENGLISH_PAGE_MESSAGES) as ReauthPageMessageKey[],
);

// The template types make the compiler check that every failure code and every refusal reason
// has its texts in the catalogue.

/** The keys of the heading and the text of a failed callback's page. */
export function callbackKeys(code: CallbackFailureCode): {
  title: ReauthPageMessageKey;
  message: ReauthPageMessageKey;
} {
  return { title: `callback.${code}.title`, message: `callback.${code}.message` };
}

/** The keys of the heading and the text of a refusal's 403 page. */
export function forbiddenKeys(reason: ReauthForbiddenReason): {
  title: ReauthPageMessageKey;
  message: ReauthPageMessageKey;
} {
  return { title: `forbidden.${reason}.title`, message: `forbidden.${reason}.message` };
}
