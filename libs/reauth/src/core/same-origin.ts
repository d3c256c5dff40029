/** Request headers as Node parses them. */
type Headers = Record<string, string | string[] | undefined>;

/**
 * Whether a request comes from the app's own pages, as far as the browser says:
 * - `Sec-Fetch-Site: same-origin` (Fetch Metadata, sent by current browsers);
 * - else an `Origin` that is one of `allowedOrigins` (the app's own and any trusted ones);
 * - else a `Referer` whose origin is one of them.
 * A request that carries none of the three (an old browser's top-level navigation, or a client
 * that is not a browser) is not known to be same-origin: callers that protect something must
 * treat it as foreign. A repeated header is foreign too.
 *
 * @example
 * ```ts
 * const allowed = new Set(['https://app.example']);
 * isSameOriginRequest({ 'sec-fetch-site': 'same-origin' }, allowed); // true
 * isSameOriginRequest({ origin: 'https://app.example' }, allowed); // true
 * isSameOriginRequest({ 'sec-fetch-site': 'same-site', origin: 'https://x.app.example' }, allowed); // false
 * isSameOriginRequest({}, allowed); // false
 * ```
 */
export function isSameOriginRequest(
  headers: Headers,
  allowedOrigins: ReadonlySet<string>,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'same-origin') return true;
  // A cross-origin page the app trusts: its Origin says which one.
  const origin = headers.origin;
  if (origin !== undefined) return typeof origin === 'string' && allowedOrigins.has(origin);
  if (site !== undefined) return false;
  const referer = headers.referer;
  return typeof referer === 'string' && allowedOrigins.has(originOf(referer) ?? '');
}

/** The origin of an absolute http(s) URL, lower-cased as URL parsing does; else `undefined`. */
function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
}
