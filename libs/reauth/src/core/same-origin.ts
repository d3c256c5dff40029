/**
 * Whether a request says it comes from the app's own pages: `Sec-Fetch-Site: same-origin` when
 * the browser sends it, else an `Origin` whose host is the request's `Host` (case-insensitive).
 * A request with neither (a non-browser client, or a browser too old for both) counts as
 * same-origin: browsers send at least one on every cross-site POST.
 *
 * @example
 * ```ts
 * isSameOriginRequest({ host: 'app.example', origin: 'https://app.example' }); // true
 * isSameOriginRequest({ host: 'app.example', 'sec-fetch-site': 'cross-site' }); // false
 * ```
 */
export function isSameOriginRequest(
  headers: Record<string, string | string[] | undefined>,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = headers.origin;
  if (origin === undefined) return true;
  const host = headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string' || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}
