/**
 * Merging `claims` requests (OpenID Connect Core §5.5): the sign-in's own (the app's, and
 * `auth_time`) with one relayed from a downstream API's challenge. Pure.
 */

type ClaimsRequestObject = Record<string, unknown>;

/**
 * `relayed` with `base` (a JSON `claims` parameter, or `undefined`) on top: for each of
 * `id_token`, `userinfo` and `access_token`, the claims of both, the app's own request for a
 * claim winning over the relayed one's, so a downstream cannot lift what the app asks for (an
 * `acr`, Entra's `xms_cc`). The ID token's `auth_time` is asked for last, as essential, whatever
 * either says (the library needs it), so the request always has an `id_token` member: some
 * providers take a `claims` request only with `id_token` or `userinfo` (OpenID Connect Core
 * §5.5 names no other). Returns the JSON.
 *
 * @example
 * ```ts
 * mergeClaimsRequests('{"id_token":{"auth_time":{"essential":true}}}', {
 *   access_token: { acrs: { essential: true, value: 'c1' } },
 * });
 * // '{"access_token":{"acrs":{"essential":true,"value":"c1"}},"id_token":{"auth_time":{"essential":true}}}'
 * ```
 */
export function mergeClaimsRequests(
  base: string | undefined,
  relayed: Readonly<ClaimsRequestObject>,
): string {
  const own: ClaimsRequestObject =
    base === undefined ? {} : (JSON.parse(base) as ClaimsRequestObject);
  const merged: ClaimsRequestObject = {};
  for (const request of [relayed, own]) {
    for (const [target, claims] of Object.entries(request)) {
      merged[target] = { ...objectOrEmpty(merged[target]), ...objectOrEmpty(claims) };
    }
  }
  merged.id_token = { ...objectOrEmpty(merged.id_token), auth_time: { essential: true } };
  return JSON.stringify(merged);
}

function objectOrEmpty(value: unknown): ClaimsRequestObject {
  return typeof value === 'object' && value !== null ? (value as ClaimsRequestObject) : {};
}
