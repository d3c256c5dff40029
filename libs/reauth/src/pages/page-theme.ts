import { fail } from '../core/option-checks';

/** The `pages.theme` option (`ReauthPageTheme`), checked: every value safe to put in a page as it is escaped. */
export interface PageTheme {
  readonly productName?: string;
  readonly logoUrl?: string;
  readonly stylesheetUrl?: string;
  readonly accentColor: string;
  readonly accentTextColor: string;
  /** CSP sources the logo needs (`'self'` or an https origin), none without a logo. */
  readonly imageSources: readonly string[];
  /** CSP sources the stylesheet needs, none without one. */
  readonly styleSources: readonly string[];
}

export const DEFAULT_PAGE_THEME: PageTheme = Object.freeze({
  accentColor: '#6363f1',
  accentTextColor: '#ffffff',
  imageSources: Object.freeze([]),
  styleSources: Object.freeze([]),
});

// Hex colours only: nothing that can end a declaration, a rule or the style element.
const HEX_COLOUR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
// A same-origin path in the characters a URL keeps as they are: no quote, angle bracket,
// backslash, space or control character, and not "//" (another host).
const SAME_ORIGIN_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&()*+,;=:@%/?#]*$/;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** Checks the `pages.theme` option. */
export function resolvePageTheme(value: unknown): PageTheme {
  if (value === undefined) return DEFAULT_PAGE_THEME;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('pages.theme', 'must be an object');
  }
  const theme = value as Record<string, unknown>;
  const known = ['productName', 'logoUrl', 'accentColor', 'accentTextColor', 'stylesheetUrl'];
  for (const key of Object.keys(theme)) {
    if (!known.includes(key)) fail(`pages.theme.${key}`, `is not an option (${known.join(', ')})`);
  }
  const logo = pageUrl(theme.logoUrl, 'pages.theme.logoUrl');
  const stylesheet = pageUrl(theme.stylesheetUrl, 'pages.theme.stylesheetUrl');
  return Object.freeze({
    productName: productName(theme.productName),
    logoUrl: logo?.href,
    stylesheetUrl: stylesheet?.href,
    accentColor: colour(theme.accentColor, 'pages.theme.accentColor', '#6363f1'),
    accentTextColor: colour(theme.accentTextColor, 'pages.theme.accentTextColor', '#ffffff'),
    imageSources: Object.freeze(logo ? [logo.source] : []),
    styleSources: Object.freeze(stylesheet ? [stylesheet.source] : []),
  });
}

function productName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.length > 80 ||
    CONTROL.test(value)
  ) {
    fail('pages.theme.productName', 'must be a non-empty string of at most 80 characters');
  }
  return value;
}

function colour(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !HEX_COLOUR.test(value)) {
    fail(option, `must be a hex colour such as "#0b7a4b", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A same-origin path (source `'self'`) or an https URL (source: its origin). */
function pageUrl(value: unknown, option: string): { href: string; source: string } | undefined {
  if (value === undefined) return undefined;
  const requirement = `must be a same-origin path such as "/brand/logo.svg" or an https: URL, got ${JSON.stringify(value)}`;
  if (typeof value !== 'string' || value.length > 2048) fail(option, requirement);
  if (value.startsWith('/')) {
    if (!SAME_ORIGIN_PATH.test(value)) fail(option, requirement);
    return { href: value, source: "'self'" };
  }
  if (!URL.canParse(value)) fail(option, requirement);
  const url = new URL(value);
  if (
    url.protocol !== 'https:' ||
    url.username !== '' ||
    url.password !== '' ||
    CONTROL.test(value) ||
    /[\s"'<>\\]/.test(value)
  ) {
    fail(option, requirement);
  }
  return { href: url.href, source: url.origin };
}
