import { PROTOCOL, type ReauthMarker } from './protocol';
import { sanitizeReturnTo } from './return-to';

/**
 * `path` with `params` added to its query, read as a path of this site (a `//host` prefix names
 * no other host here); `path` itself when the result would not be a safe same-origin path.
 *
 * @example
 * ```ts
 * withQuery('/settings?tab=email', { reauth: 'cancelled' }); // '/settings?tab=email&reauth=cancelled'
 * ```
 */
export function withQuery(path: string, params: Readonly<Record<string, string>>): string {
  const url = new URL(path, 'http://x.invalid');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return sanitizeReturnTo(url.pathname + url.search + url.hash) ?? path;
}

/**
 * A return path without the markers an earlier attempt left on it.
 *
 * @example
 * ```ts
 * withoutMarker('/settings?reauth=cancelled&tab=email'); // '/settings?tab=email'
 * ```
 */
export function withoutMarker(path: string): string {
  const url = new URL(path, 'http://x.invalid');
  if (!url.searchParams.has(PROTOCOL.marker) && !url.searchParams.has(PROTOCOL.idMarker)) {
    return path;
  }
  url.searchParams.delete(PROTOCOL.marker);
  url.searchParams.delete(PROTOCOL.idMarker);
  return sanitizeReturnTo(url.pathname + url.search + url.hash) ?? path;
}

/**
 * The marker query for the way back from the provider; the browser helper's request id rides
 * along when it sent one.
 *
 * @example
 * ```ts
 * markerQuery('cancelled', undefined); // { reauth: 'cancelled' }
 * ```
 */
export function markerQuery(
  marker: ReauthMarker,
  requestId: string | undefined,
): Record<string, string> {
  return requestId === undefined
    ? { [PROTOCOL.marker]: marker }
    : { [PROTOCOL.marker]: marker, [PROTOCOL.idMarker]: requestId };
}
