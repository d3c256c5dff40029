/**
 * What an access token shows beyond when and how the user signed in: the authentication contexts
 * (Microsoft Entra's `acrs`) and the scopes it carries. Pure; a claim that is missing or
 * malformed shows nothing.
 */

/** A token's claims, as far as these checks read them. */
export type GrantClaims = { readonly [claim: string]: unknown };

/**
 * Whether the token's `acrs` (Entra's authentication contexts) names one of `wanted`.
 *
 * @example
 * ```ts
 * hasAcrs({ acrs: ['c1', 'c2'] }, ['c2']); // true
 * ```
 */
export function hasAcrs(claims: GrantClaims, wanted: readonly string[]): boolean {
  const acrs = claims.acrs;
  return Array.isArray(acrs) && acrs.some((value) => wanted.includes(value as string));
}

/**
 * Whether the token's `scope` (RFC 9068, space-separated) or `scp` (a list, or a string) carries
 * every scope of `wanted`.
 *
 * @example
 * ```ts
 * hasScopes({ scope: 'openid files:write' }, ['files:write']); // true
 * ```
 */
export function hasScopes(claims: GrantClaims, wanted: readonly string[]): boolean {
  const granted = new Set<string>();
  for (const value of [claims.scope, claims.scp]) {
    if (typeof value === 'string') value.split(' ').forEach((scope) => granted.add(scope));
    else if (Array.isArray(value)) {
      value.forEach((scope) => typeof scope === 'string' && granted.add(scope));
    }
  }
  return wanted.every((scope) => granted.has(scope));
}
