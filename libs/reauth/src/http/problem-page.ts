import { PROTOCOL } from '../core/protocol';
import escapeHtml from 'escape-html';

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

/** A small, self-contained HTML page for failures a person meets in the browser. */
export function problemPage(
  title: string,
  message: string,
  code: string,
  continueTo: string | PageLink[],
  action?: PageAction,
): string {
  const links = Array.isArray(continueTo)
    ? continueTo
    : [{ href: continueTo, label: 'Continue', id: 'continue' }];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1b1f24}
main{max-width:420px;background:#fff;border-radius:12px;padding:32px;box-shadow:0 8px 24px rgba(0,0,0,.06)}
h1{font-size:22px;margin:0 0 8px}p{color:#4b5563}code{font-size:13px;color:#6b7280}
a{display:inline-block;margin:8px 8px 0 0;padding:10px 16px;border-radius:8px;background:#6363f1;color:#fff;text-decoration:none}
#action{color:#1b1f24;border:1px solid #d1d5db;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${action ? `<p id="action">${escapeHtml(action.label)} <strong>${escapeHtml(action.summary)}</strong></p>\n` : ''}<p><code>${escapeHtml(code)}</code></p>
${links.map((link) => `<a id="${escapeHtml(link.id)}" href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a>`).join(' ')}
</main>
</body>
</html>`;
}

/**
 * The page a browser gets when a sign-in cannot start because the provider (or the store) does
 * not answer: a 503 to try again from, never JSON in a person's tab.
 */
export function unavailablePage(retry: string, leave: string): string {
  return problemPage(
    'Sign-in is unavailable right now',
    'The sign-in service cannot be reached at the moment. Try again in a few seconds.',
    'reauth_unavailable',
    [
      { href: retry, label: 'Try again', id: 'retry' },
      { href: leave, label: 'Go to the start page', id: 'leave' },
    ],
  );
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

/** Headers every library-made page carries: {@link JSON_HEADERS}, with the page's own styles. */
export const NO_STORE_HEADERS = Object.freeze({
  ...JSON_HEADERS,
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
});

/** The message a popup re-authentication posts to its opener. */
export interface PopupResult {
  type: typeof PROTOCOL.popupMessageType;
  status: 'ok' | 'cancelled' | 'failed';
  code?: string;
}

/**
 * The `Content-Security-Policy` of {@link popupResultPage}: its one script and its one style
 * element run by their nonce, and nothing else does (an inline `style` attribute would not).
 */
export function popupResultPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; frame-ancestors 'none'`;
}

/**
 * The page a popup re-authentication ends on: it posts the result to the opener, to exactly the
 * app's origin, and closes. Its only script and style carry a per-response nonce, which
 * {@link popupResultPolicy} allows. On a route bound to one action, `summary` names it:
 * "Confirmed: Transfer 50 EUR to Bob" (or "Not confirmed: ...").
 */
export function popupResultPage(
  result: PopupResult,
  targetOrigin: string,
  nonce: string,
  summary?: string,
): string {
  // JSON in a script: escape "<" so no value can close the element.
  const data = JSON.stringify({ result, targetOrigin }).replace(/</g, '\\u003c');
  const text =
    result.status === 'ok'
      ? 'You confirmed it’s you. This window closes by itself.'
      : 'The confirmation did not complete. You can close this window.';
  const action =
    summary === undefined
      ? ''
      : `<p id="popup-action">${result.status === 'ok' ? 'Confirmed:' : 'Not confirmed:'} <strong>${escapeHtml(summary)}</strong></p>\n`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(text)}</title>
<style nonce="${escapeHtml(nonce)}">body{font:16px system-ui,sans-serif;padding:24px}</style>
</head>
<body>
${action}<p id="popup-result" data-status="${escapeHtml(result.status)}">${escapeHtml(text)}</p>
<script nonce="${escapeHtml(nonce)}">
(function () {
  var data = ${data};
  if (window.opener) window.opener.postMessage(data.result, data.targetOrigin);
  window.close();
})();
</script>
</body>
</html>`;
}
