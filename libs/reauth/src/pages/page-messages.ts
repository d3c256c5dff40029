import { ENGLISH_PAGE_MESSAGES } from './page-messages.en';

/**
 * The key of one text on the library's pages: `link.*` (the pages' buttons), `action.*` (the
 * action being confirmed), `popup.*` (the popup's last page), `unavailable.*`, `cancelled.*`,
 * `formTooLarge.*`, `signOutRefused.*`, `forbidden.<reason>.*` and `callback.<code>.*` (each a
 * `title` and a `message`). The codes are those of docs/errors.md.
 */
export type ReauthPageMessageKey = keyof typeof ENGLISH_PAGE_MESSAGES;

/** Every text of the library's pages in one language: a complete catalogue. */
export type ReauthPageMessages = Readonly<Record<ReauthPageMessageKey, string>>;
