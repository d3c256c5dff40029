import type { ReauthPageMessages } from '../pages/page-messages';
import type { ReauthRequest } from './reauth-request.interface';

/**
 * The language and the look of the pages the library serves itself: the popup's last page, the
 * callback's failure pages, the page after a cancelled confirmation, the 503 and 403 pages.
 *
 * @example
 * ```ts
 * ReauthModule.forRoot({
 *   // ...
 *   pages: {
 *     language: (request) => /(?:^|;\s*)lang=([\w-]+)/.exec(String(request.headers.cookie ?? ''))?.[1],
 *     messages: { de: { 'link.leave': 'Zurück zur Übersicht' } },
 *     theme: { productName: 'Acme', logoUrl: '/logo.svg', accentColor: '#0b7a4b' },
 *   },
 * });
 * ```
 */
export interface ReauthPagesOptions {
  /**
   * The app's choice of language for a request (a cookie, the user's profile), as a language
   * tag; `undefined`, or a language the pages do not speak, leaves the choice to the request's
   * `Accept-Language`. A resolver that throws counts as `undefined`.
   */
  language?: (request: ReauthRequest) => string | undefined;
  /**
   * The languages the pages offer, in order of preference on a tie. Default: every shipped
   * language (`en`, `de`, `fr`, `es`) and every language added through `messages`.
   */
  languages?: string[];
  /** The language of a request that prefers none of them. Default `en`. */
  defaultLanguage?: string;
  /**
   * Texts by language tag. For a shipped language, any of its texts (they replace the shipped
   * ones); for another language, every text (see `REAUTH_PAGE_MESSAGES.en` for the keys): it is
   * then offered like a shipped one.
   */
  messages?: Record<string, Partial<ReauthPageMessages>>;
  /** The app's look on the pages. */
  theme?: ReauthPageTheme;
}

/**
 * The look of the library's pages. Every value is checked at start-up, so none can carry markup,
 * CSS or script into a page, and the pages keep their `Content-Security-Policy` (which gains
 * only the logo's and the stylesheet's origin) and refuse to be framed.
 */
export interface ReauthPageTheme {
  /** Shown above each page's heading and after its title, as text. At most 80 characters. */
  productName?: string;
  /**
   * An image shown above each page's heading: a same-origin path (`/logo.svg`) or an `https:`
   * URL. Its origin is added to the pages' `img-src`.
   */
  logoUrl?: string;
  /** The buttons' colour: `#rgb`, `#rrggbb` (or with alpha, `#rgba`, `#rrggbbaa`). */
  accentColor?: string;
  /** The buttons' text colour, in the same form. */
  accentTextColor?: string;
  /**
   * A stylesheet loaded after the pages' own styles: a same-origin path or an `https:` URL. Its
   * origin is added to the pages' `style-src`. Style the pages' ids and elements (`main`, `h1`,
   * `#brand`, `a`); the stylesheet cannot run script.
   */
  stylesheetUrl?: string;
}
