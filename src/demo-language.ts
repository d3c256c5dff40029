import type { ReauthPagesOptions, ReauthRequest } from 'nest-workos-reauth';
import escapeHtml from 'escape-html';

/**
 * The demo's language switch. The choice is a cookie, which the library's `pages.language`
 * reads, so its pages (a failed sign-in, the popup's last page...) follow it; the pages that pass
 * it to the layout carry it as their `lang`, which the confirmation dialog follows. Without a
 * choice, both follow the browser's `Accept-Language` and languages.
 */
export const DEMO_LANGUAGES = Object.freeze([
  { tag: 'en', name: 'English' },
  { tag: 'de', name: 'Deutsch' },
  { tag: 'fr', name: 'Français' },
  { tag: 'es', name: 'Español' },
]);

export const DEMO_LANGUAGE_COOKIE = 'demo-lang';

/** The language chosen with the switch, if any. */
export function demoLanguage(request: Pick<ReauthRequest, 'headers'>): string | undefined {
  const cookie = request.headers.cookie;
  const match = new RegExp(`(?:^|;\\s*)${DEMO_LANGUAGE_COOKIE}=([a-z]{2})(?:;|$)`).exec(
    typeof cookie === 'string' ? cookie : '',
  );
  return DEMO_LANGUAGES.find((language) => language.tag === match?.[1])?.tag;
}

/** The library's pages in the demo: the chosen language, and the demo's look. */
export const DEMO_PAGES: ReauthPagesOptions = {
  language: demoLanguage,
  theme: { productName: 'Sudo mode demo', accentColor: '#4f46e5' },
};

/** The `Set-Cookie` of a choice: a year, for the whole site, readable by the server only. */
export function languageCookie(tag: string): string {
  return `${DEMO_LANGUAGE_COOKIE}=${tag}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`;
}

/** Where the switch goes back to: the same-origin page it was used on, else the home page. */
export function pageBefore(request: Pick<ReauthRequest, 'headers'>): string {
  const { referer, host } = request.headers;
  if (typeof referer !== 'string' || !URL.canParse(referer)) return '/';
  const url = new URL(referer);
  const path = url.pathname + url.search;
  return url.host === host && path.startsWith('/') && !/^\/[/\\]/.test(path) ? path : '/';
}

/** The switch: a link per language, each named in its own language. */
export function languageSwitch(current: string | undefined): string {
  const links = DEMO_LANGUAGES.map(
    ({ tag, name }) =>
      `<a href="/language?lang=${tag}" lang="${tag}" hreflang="${tag}" id="language-${tag}"${tag === current ? ' aria-current="true"' : ''}>${escapeHtml(name)}</a>`,
  );
  return `<nav class="languages" aria-label="Language">${links.join('')}</nav>`;
}
