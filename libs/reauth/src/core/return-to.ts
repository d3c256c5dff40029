/**
 * The longest `returnTo` accepted, in characters.
 *
 * @example
 * ```ts
 * sanitizeReturnTo('/' + 'a'.repeat(RETURN_TO_MAX_LENGTH)); // null
 * ```
 */
export const RETURN_TO_MAX_LENGTH = 2048;

// Any origin works as long as it can never be a real one; only "did it stay here" matters.
const PROBE_ORIGIN = 'http://x.invalid';
// eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\]/;
const PERCENT_ENCODED_BYTE = /%([0-9a-f]{2})/gi;

/**
 * Options of {@link sanitizeReturnTo}.
 *
 * @example
 * ```ts
 * const options: SanitizeReturnToOptions = { fallback: '/account' };
 * ```
 */
export interface SanitizeReturnToOptions {
  /** Returned instead of `null`; must itself be a valid `returnTo`. */
  fallback?: string;
}

/**
 * Accepts `value` only if it is a same-origin absolute path that is safe to put in a `Location`
 * header, and returns it unchanged; otherwise returns the fallback, or `null` without one.
 *
 * A valid value is a string of at most {@link RETURN_TO_MAX_LENGTH} characters that
 * - starts with exactly one `/` (so not `//host` or `/\host`, which browsers treat as another
 *   origin) and has no `//` anywhere in its path;
 * - contains no backslash and no control character (U+0000-U+001F, U+007F), not even
 *   percent-encoded, however many times (`%5c`, `%0d%0a`, `%252f`...); nor an encoded `//` in
 *   its path, which a server that decodes the path before redirecting would turn into `//host`;
 * - is left exactly as it is by WHATWG URL parsing: no dot segments (`/a/../b`, `/./`, `%2e%2e`),
 *   no characters that need encoding (spaces, non-ASCII), no empty `?` or `#`.
 *
 * Rejecting rather than repairing keeps the rule simple and closes every open-redirect trick that
 * depends on two parsers disagreeing.
 *
 * @throws TypeError when `options.fallback` is given but is not itself valid.
 *
 * @example
 * ```ts
 * sanitizeReturnTo('/account/security?tab=mfa#top'); // '/account/security?tab=mfa#top'
 * sanitizeReturnTo('//evil.example'); // null
 * sanitizeReturnTo('https://evil.example', { fallback: '/' }); // '/'
 * ```
 */
export function sanitizeReturnTo(value: unknown, options: { fallback: string }): string;
export function sanitizeReturnTo(value: unknown, options?: SanitizeReturnToOptions): string | null;
export function sanitizeReturnTo(
  value: unknown,
  options: SanitizeReturnToOptions = {},
): string | null {
  const { fallback } = options;
  if (fallback !== undefined && !isSafeReturnTo(fallback)) {
    throw new TypeError('fallback must be a same-origin absolute path');
  }
  return isSafeReturnTo(value) ? value : (fallback ?? null);
}

/**
 * The parts of a request that {@link returnToFromRequest} reads.
 *
 * @example
 * ```ts
 * const input: ReturnToRequest = {
 *   method: request.method,
 *   originalUrl: request.originalUrl,
 *   referer: request.headers.referer,
 *   host: request.headers.host,
 * };
 * ```
 */
export interface ReturnToRequest {
  /** The HTTP method, in any case. */
  method: string;
  /** The request target as received, e.g. Express's `req.originalUrl`. */
  originalUrl: string;
  /** The `Referer` header, if any. */
  referer?: string;
  /** The request's `Host` header (host and port, as the client sent it). */
  host?: string;
  /** Where to return when nothing better is known; must be a valid `returnTo`. Defaults to `/`. */
  fallback?: string;
}

/**
 * Where to send the user after re-authentication, given the request that needed it.
 *
 * - `GET`/`HEAD`: the request's own URL, so the user lands where they were going.
 * - Other methods cannot be replayed by a redirect, so the user goes back to the page that sent
 *   the request: the `Referer`'s path and query, but only when its host equals the request's
 *   `Host` (compared case-insensitively; the scheme is not compared, as the result is a path on
 *   this host anyway).
 * - In every case the result passes {@link sanitizeReturnTo}, or is the fallback.
 *
 * @throws TypeError when `fallback` is not itself a valid `returnTo`.
 *
 * @example
 * ```ts
 * returnToFromRequest({ method: 'GET', originalUrl: '/account/security' });
 * // '/account/security'
 * returnToFromRequest({
 *   method: 'POST',
 *   originalUrl: '/account/email',
 *   referer: 'http://localhost:3000/account?tab=email',
 *   host: 'localhost:3000',
 * });
 * // '/account?tab=email'
 * ```
 */
export function returnToFromRequest(request: ReturnToRequest): string {
  const { method, originalUrl, referer, host, fallback = '/' } = request;
  const options = { fallback };
  if (typeof method === 'string' && ['GET', 'HEAD'].includes(method.toUpperCase())) {
    return sanitizeReturnTo(originalUrl, options);
  }
  return refererPath(referer, host) ?? sanitizeReturnTo(undefined, options);
}

/**
 * The path (and query) of a same-origin `Referer`, when it is a safe return target; else `null`.
 *
 * @example
 * ```ts
 * refererPath('https://app.example/account?tab=1', 'app.example'); // '/account?tab=1'
 * refererPath('https://evil.example/', 'app.example'); // null
 * ```
 */
export function refererPath(referer: unknown, host: unknown): string | null {
  const refererUrl = parseSameHostReferer(referer, host);
  return refererUrl ? sanitizeReturnTo(refererUrl.pathname + refererUrl.search) : null;
}

function parseSameHostReferer(referer: unknown, host: unknown): URL | undefined {
  if (typeof referer !== 'string' || typeof host !== 'string' || host === '') {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return undefined;
  }
  const isWeb = url.protocol === 'http:' || url.protocol === 'https:';
  return isWeb && url.host === host.toLowerCase() ? url : undefined;
}

function isSafeReturnTo(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > RETURN_TO_MAX_LENGTH) {
    return false;
  }
  if (!value.startsWith('/') || hasForbiddenContent(value)) {
    return false;
  }
  let decoded = value;
  let previous: string;
  do {
    previous = decoded;
    decoded = decodeBytes(previous);
    if (hasForbiddenContent(decoded)) {
      return false;
    }
  } while (decoded !== previous);
  const normalised = new URL(value, PROBE_ORIGIN);
  return (
    normalised.origin === PROBE_ORIGIN &&
    normalised.pathname + normalised.search + normalised.hash === value
  );
}

function hasForbiddenContent(value: string): boolean {
  const path = value.split(/[?#]/, 1)[0];
  return FORBIDDEN_CHARACTERS.test(value) || path.includes('//');
}

// Byte by byte, unlike decodeURIComponent: it cannot fail on invalid UTF-8, and the characters
// that matter are all ASCII, so a lenient decoder somewhere downstream cannot see more than this.
function decodeBytes(value: string): string {
  return value.replace(PERCENT_ENCODED_BYTE, (_match, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * The path of a same-origin target (a `returnTo`), without its query and fragment: what restored
 * actions and cancel targets are matched by.
 *
 * @example
 * ```ts
 * pathOf('/account/security?saved=1#email'); // '/account/security'
 * ```
 */
export function pathOf(target: string): string {
  return new URL(target, 'http://x.invalid').pathname;
}
