/**
 * Merging `claims` requests (OpenID Connect Core §5.5): the sign-in's own (the app's, and
 * `auth_time`) with one relayed from a downstream API's challenge. Pure.
 */

type ClaimsRequestObject = Record<string, unknown>;

/**
 * `base` (a JSON `claims` parameter, or `undefined`) with `relayed`'s members added: for each of
 * `id_token`, `userinfo` and `access_token`, the claims of both, the relayed one's request for a
 * claim winning over the same claim's in `base`. The ID token's `auth_time` is asked for too
 * (the library needs it anyway), so the request always has an `id_token` member: some providers
 * take a `claims` request only with `id_token` or `userinfo` (OpenID Connect Core §5.5 names no
 * other). Returns the JSON.
 *
 * @example
 * ```ts
 * mergeClaimsRequests('{"id_token":{"auth_time":{"essential":true}}}', {
 *   access_token: { acrs: { essential: true, value: 'c1' } },
 * });
 * // '{"id_token":{"auth_time":{"essential":true}},"access_token":{"acrs":{"essential":true,"value":"c1"}}}'
 * ```
 */
export function mergeClaimsRequests(
  base: string | undefined,
  relayed: Readonly<ClaimsRequestObject>,
): string {
  const merged: ClaimsRequestObject =
    base === undefined ? {} : (JSON.parse(base) as ClaimsRequestObject);
  for (const [target, claims] of Object.entries(relayed)) {
    const own = merged[target];
    merged[target] = {
      ...(typeof own === 'object' && own !== null ? own : {}),
      ...(claims as ClaimsRequestObject),
    };
  }
  const idToken = merged.id_token;
  merged.id_token = {
    auth_time: { essential: true },
    ...(typeof idToken === 'object' && idToken !== null ? idToken : {}),
  };
  return JSON.stringify(merged);
}
