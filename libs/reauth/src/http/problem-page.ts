import escapeHtml from 'escape-html';
import { PROTOCOL } from '../core/protocol';
import type { PageTheme } from '../pages/page-theme';

/** A link (styled as a button) on a page. */
export interface PageLink {
  href: string;
  label: string;
  id: string;
}

/** The action a page is about, on a route bound to one: "You are confirming: <summary>". */
export interface PageAction {
  label: string;
  /** The route's summary of the action: made from request values, so shown escaped. */
  summary: string;
}

/** What a failure page says, in its language. */
export interface ProblemPage {
  title: string;
  message: string;
  code: string;
  links: PageLink[];
  action?: PageAction;
}

/** What every page is written with: its language, the app's theme, the response's nonce. */
export interface PageFrame {
  language: string;
  theme: PageTheme;
  /** The per-response nonce that {@link pagePolicy} allows the page's own style (and script). */
  nonce: string;
}

/**
 * The `Content-Security-Policy` of a library page: its own style element (and, with `script`,
 * its one script) by their nonce, the theme's stylesheet and logo by their origin, nothing else,
 * and no framing. An inline `style` attribute would not run, nor would any other script.
 */
export function pagePolicy(nonce: string, theme: PageTheme, script = false): string {
  return [
    "default-src 'none'",
    ...(script ? [`script-src 'nonce-${nonce}'`] : []),
    [`style-src 'nonce-${nonce}'`, ...theme.styleSources].join(' '),
    ...(theme.imageSources.length > 0 ? [['img-src', ...theme.imageSources].join(' ')] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// Values come checked from resolvePageTheme (hex colours only), so they cannot end a rule.
function styles(theme: PageTheme): string {
  return `body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1b1f24}
main{max-width:420px;background:#fff;border-radius:12px;padding:32px;box-shadow:0 8px 24px rgba(0,0,0,.06)}
#brand{display:flex;align-items:center;gap:10px;margin:0 0 16px;font-weight:600;color:#1b1f24}
#brand img{max-height:32px;max-width:160px}
h1{font-size:22px;margin:0 0 8px}p{color:#4b5563}code{font-size:13px;color:#6b7280}
a{display:inline-block;margin:8px 8px 0 0;padding:10px 16px;border-radius:8px;background:${theme.accentColor};color:${theme.accentTextColor};text-decoration:none}
#action,#popup-action{color:#1b1f24;border:1px solid #d1d5db;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere}`;
}

function head(title: string, frame: PageFrame): string {
  const { theme, nonce } = frame;
  const fullTitle = theme.productName ? `${title} · ${theme.productName}` : title;
  const stylesheet = theme.stylesheetUrl
    ? `\n<link rel="stylesheet" href="${escapeHtml(theme.stylesheetUrl)}">`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(frame.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(fullTitle)}</title>
<style nonce="${escapeHtml(nonce)}">
${styles(theme)}
</style>${stylesheet}
</head>`;
}

function brand(theme: PageTheme): string {
  if (theme.logoUrl === undefined && theme.productName === undefined) return '';
  const logo =
    theme.logoUrl === undefined
      ? ''
      : `<img src="${escapeHtml(theme.logoUrl)}" alt="${theme.productName === undefined ? '' : escapeHtml(theme.productName)}">`;
  // With a logo the name is its alt text: shown once, read once.
  const name =
    theme.productName === undefined || theme.logoUrl !== undefined
      ? ''
      : `<span>${escapeHtml(theme.productName)}</span>`;
  return `<div id="brand">${logo}${name}</div>\n`;
}

/** A small, self-contained HTML page for failures a person meets in the browser. */
export function problemPage(page: ProblemPage, frame: PageFrame): string {
  const { action } = page;
  return `${head(page.title, frame)}
<body>
<main>
${brand(frame.theme)}<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
${action ? `<p id="action">${escapeHtml(action.label)} <strong>${escapeHtml(action.summary)}</strong></p>\n` : ''}<p><code>${escapeHtml(page.code)}</code></p>
${page.links.map((link) => `<a id="${escapeHtml(link.id)}" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>`).join(' ')}
</main>
</body>
</html>`;
}

/**
 * Headers of every library response: never stored by a cache (they concern one user's session)
 * and never framed by another page (a framed page can be clicked through: clickjacking).
 */
export const JSON_HEADERS = Object.freeze({
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
});

/**
 * Headers of every library response that may be a page: {@link JSON_HEADERS} and no referrer.
 * A page replaces the policy with its own {@link pagePolicy}.
 */
export const NO_STORE_HEADERS = Object.freeze({
  ...JSON_HEADERS,
  'Referrer-Policy': 'no-referrer',
});

/** The message a popup re-authentication posts to its opener. */
export interface PopupResult {
  type: typeof PROTOCOL.popupMessageType;
  status: 'ok' | 'cancelled' | 'failed';
  code?: string;
}

/** What the popup's page says, in its language. */
export interface PopupTexts {
  /** The sentence about the result. */
  text: string;
  /** Before the bound action's summary: "Confirmed:" or "Not confirmed:". */
  actionLabel: string;
}

/**
 * The page a popup re-authentication ends on: it posts the result to the opener, to exactly the
 * app's origin, and closes. Its only script and style carry the frame's nonce, which
 * {@link pagePolicy} (with `script`) allows. On a route bound to one action, `summary` names it:
 * "Confirmed: Transfer 50 EUR to Bob" (or "Not confirmed: ...").
 */
export function popupResultPage(
  result: PopupResult,
  targetOrigin: string,
  texts: PopupTexts,
  frame: PageFrame,
  summary?: string,
): string {
  // JSON in a script: escape "<" so no value can close the element.
  const data = JSON.stringify({ result, targetOrigin }).replace(/</g, '\\u003c');
  const action =
    summary === undefined
      ? ''
      : `<p id="popup-action">${escapeHtml(texts.actionLabel)} <strong>${escapeHtml(summary)}</strong></p>\n`;
  return `${head(texts.text, frame)}
<body>
<main>
${brand(frame.theme)}${action}<p id="popup-result" data-status="${escapeHtml(result.status)}">${escapeHtml(texts.text)}</p>
</main>
<script nonce="${escapeHtml(frame.nonce)}">
(function () {
  var data = ${data};
  if (window.opener) window.opener.postMessage(data.result, data.targetOrigin);
  window.close();
})();
</script>
</body>
</html>`;
}
