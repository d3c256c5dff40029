import type { JsonObject } from '../crypto/jws';

/** The claims every token must carry; AuthKit's carry `sid` too. */
export const REQUIRED = ['sub', 'iat', 'exp'] as const;
export const REQUIRED_WITH_SID = ['sub', 'sid', 'iat', 'exp'] as const;

/** A NumericDate (RFC 7519): a finite number of seconds. */
export function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whether `aud` (a string or an array of strings) names one of `audience`. */
export function hasAudience(aud: unknown, audience: readonly string[]): boolean {
  if (typeof aud === 'string') return audience.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audience.includes(a));
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function isAbsentOrNonEmpty(value: unknown): boolean {
  return value === undefined || isNonEmptyString(value);
}

/** Whether a token was issued to `clientId`: RFC 9068's `client_id`, or OpenID Connect's `azp`. */
export function issuedTo(payload: JsonObject, clientId: string): boolean {
  return payload.client_id === clientId || payload.azp === clientId;
}

// Header types of access tokens: RFC 9068's, and the generic one many providers use.
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);

/**
 * Whether a header `typ` is RFC 9068's, `at+jwt` or `application/at+jwt` (media types compare
 * without regard to case, RFC 7515 section 4.1.9): the one positive mark of an access token.
 */
export function isTypedAccessToken(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const type = typ.toLowerCase();
  return type === 'at+jwt' || type === 'application/at+jwt';
}

/**
 * Whether a verified JWT is an ID token rather than an access token. Both are signed with the
 * provider's keys, and an ID token (which travels in URLs, as a logout's `id_token_hint`, and to
 * front ends) must never act as an access token. An ID token shows itself by the claims only ID
 * tokens carry (`nonce`, `at_hash`, `c_hash`, `s_hash`; Keycloak's `typ: "ID"`), by a header type
 * that is not an access token's, or by being for this client (`aud`) without saying it was issued
 * to a client (`client_id`, `azp`), as access tokens for an API do.
 *
 * A heuristic: an ID token issued without a `nonce` that names the client in `azp` shows none of
 * these. Where the provider types its access tokens `at+jwt`, that type is required instead.
 */
export function isIdToken(header: JsonObject, payload: JsonObject, clientId: string): boolean {
  if (['nonce', 'at_hash', 'c_hash', 's_hash'].some((claim) => payload[claim] !== undefined)) {
    return true;
  }
  if (payload.typ === 'ID') return true;
  const { typ } = header;
  if (typeof typ === 'string' && !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) return true;
  return (
    hasAudience(payload.aud, [clientId]) &&
    payload.client_id === undefined &&
    payload.azp === undefined
  );
}
