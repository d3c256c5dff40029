import Negotiator from 'negotiator';

/**
 * Request headers as Node exposes them: lower-case names, a string or (for repeated headers) an
 * array of strings.
 *
 * @example
 * ```ts
 * const headers: RequestHeaders = request.headers;
 * ```
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * How to answer a request that needs re-authentication: `'redirect'` sends the browser to the
 * sign-in page, `'json'` returns the 401 with the RFC 9470 challenge.
 *
 * @example
 * ```ts
 * const style: ReauthResponseStyle = negotiateResponse(request.headers);
 * ```
 */
export type ReauthResponseStyle = 'redirect' | 'json';

// Order matters: the first entry is what negotiator picks when the client expresses no
// preference (`*/*`, or no Accept header), and that must be JSON.
const OFFERED_MEDIA_TYPES = ['application/json', 'text/html'];

/**
 * Decides whether a request is a browser navigation (answer with a redirect) or a programmatic
 * call (answer with JSON). A wrong `'redirect'` would break API clients with an HTML page, so
 * only clear browser navigations get one:
 *
 * 1. `X-Requested-With` (any value) or `Authorization: Bearer ...`: `'json'`, whatever else the
 *    request says; scripts and API clients send these, navigations never do.
 * 2. `Sec-Fetch-Mode: navigate`: `'redirect'`; any other `Sec-Fetch-Mode` (`cors`,
 *    `same-origin`, `no-cors`...) is a script's request, which a redirect to another origin would
 *    only break: `'json'`.
 * 3. An `Accept` header that `negotiator` resolves to `text/html` rather than `application/json`
 *    (ties go to the type listed first): `'redirect'`.
 * 4. Anything else, including no `Accept`, `Accept: *\/*` and malformed values: `'json'`.
 *
 * Never throws, whatever the header values.
 *
 * @example
 * ```ts
 * negotiateResponse({ 'sec-fetch-mode': 'navigate' }); // 'redirect'
 * negotiateResponse({ accept: 'text/html,application/xhtml+xml,*\/*;q=0.8' }); // 'redirect'
 * negotiateResponse({ accept: 'application/json' }); // 'json'
 * negotiateResponse({ accept: '*\/*' }); // 'json'
 * negotiateResponse({ 'sec-fetch-mode': 'navigate', 'x-requested-with': 'XMLHttpRequest' }); // 'json'
 * ```
 */
export function negotiateResponse(headers: RequestHeaders): ReauthResponseStyle {
  if (headers['x-requested-with'] !== undefined) {
    return 'json';
  }
  if (/^\s*bearer(\s|$)/i.test(joinHeader(headers['authorization']) ?? '')) {
    return 'json';
  }
  const fetchMode = joinHeader(headers['sec-fetch-mode'])?.trim().toLowerCase();
  if (fetchMode !== undefined && fetchMode !== '') {
    return fetchMode === 'navigate' ? 'redirect' : 'json';
  }
  const accept = joinHeader(headers['accept']);
  if (accept === undefined) {
    return 'json';
  }
  const preferred = new Negotiator({ headers: { accept } }).mediaType(OFFERED_MEDIA_TYPES);
  return preferred === 'text/html' ? 'redirect' : 'json';
}

// RFC 9110 §5.3: a repeated list header means the same as its values joined with commas. A
// repeated singleton (Sec-Fetch-Mode) thereby becomes a value that matches nothing. Anything that
// is not a string is ignored rather than trusted, as headers objects are often built by hand.
function joinHeader(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === 'string').join(', ');
  }
  return undefined;
}
