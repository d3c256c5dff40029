import { ReauthInternalError } from '../../core/internal-error';
import type { PublicKey } from '../../crypto/jwk';
import {
  decodeJwsSegment,
  JwsError,
  splitCompactJws,
  verifyCompactJws,
  type CompactJws,
  type JsonObject,
} from '../../crypto/jws';

/** The member of `events` that makes a JWT a Logout Token (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How long a Logout Token without `exp` is accepted after its `iat` (plus the tolerance). */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 120;

/**
 * The longest a Logout Token is accepted after its `iat`, whatever its `exp` says: a logout is
 * news, and its `jti` is remembered for as long as the token is accepted.
 */
export const LOGOUT_TOKEN_MAX_LIFETIME_SECONDS = 600;

/** Far above any provider's Logout Token; refuses to parse more of untrusted input. */
export const MAX_LOGOUT_TOKEN_LENGTH = 8192;

/**
 * Why a Logout Token was refused: stable codes, safe to show to the provider that sent it (the
 * route's `error_description` carries one), never naming a value of the token.
 */
export type LogoutTokenRefusal =
  | 'too_large'
  | 'not_a_jwt'
  | 'encrypted'
  | 'unsupported_alg'
  | 'critical_header'
  | 'wrong_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'no_iat'
  | 'invalid_time'
  | 'not_yet_valid'
  | 'expired'
  | 'no_jti'
  | 'replayed'
  | 'no_events'
  | 'nonce_present'
  | 'no_session';

/** What each refusal means, in a sentence for the route's `error_description`. */
export const LOGOUT_TOKEN_REFUSALS: Readonly<Record<LogoutTokenRefusal, string>> = Object.freeze({
  too_large: 'The logout token is too large.',
  not_a_jwt: 'The logout token is not a signed JWT.',
  encrypted: 'The logout token is encrypted, which this client does not support.',
  unsupported_alg: 'The logout token is signed with an algorithm this client does not accept.',
  critical_header: 'The logout token marks a header parameter critical.',
  wrong_type: 'The logout token is typed as something else than a logout token.',
  unknown_key: 'The logout token is signed with a key the provider does not publish.',
  bad_signature: 'The logout token signature does not verify.',
  wrong_issuer: 'The logout token is not from the provider.',
  wrong_audience: 'The logout token is not for this client.',
  no_iat: 'The logout token has no issue time.',
  invalid_time: 'The logout token has a time claim that is not a number.',
  not_yet_valid: 'The logout token is issued in the future.',
  expired: 'The logout token has expired.',
  no_jti: 'The logout token has no identifier.',
  replayed: 'The logout token was already used.',
  no_events: 'The logout token has no back-channel logout event.',
  nonce_present: 'The logout token carries a nonce.',
  no_session: 'The logout token names neither a session nor a user.',
});

/** A Logout Token that fails verification; `code` says why. Never shown with the token. */
export class LogoutTokenError extends ReauthInternalError {
  constructor(
    readonly code: LogoutTokenRefusal,
    options: { cause?: unknown } = {},
  ) {
    super(`the logout token was refused: ${code}`, options);
  }
}

/** What a verified Logout Token says: which session (`sid`) or user (`sub`) ended, and when. */
export interface LogoutTokenClaims {
  iss: string;
  /** The provider's session that ended; the token names this, `sub`, or both. */
  sid?: string;
  /** The user; alone (no `sid`), every session of the user signed in before `iat` ended. */
  sub?: string;
  /** When the provider issued the token (seconds). */
  iat: number;
  /** The token's id, for single use. */
  jti: string;
  /** The last second the token is accepted: its `jti` must be remembered until then. */
  acceptedUntil: number;
}

/** What the provider's Logout Tokens are checked against. */
export interface LogoutTokenSettings {
  /** The issuer of the provider's discovery document. */
  issuer: string;
  /** This client's id: `aud` must contain it. */
  clientId: string;
  /** JWS algorithms accepted; never `none` nor an HMAC one. */
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  nowSeconds: number;
}

/**
 * The provider's published key with `kid`, imported for `alg`; `undefined` when it publishes
 * none that fits. Rejects with `ReauthUnavailableException` when the keys cannot be fetched.
 */
export type SigningKeyLookup = (kid: string, alg: string) => Promise<PublicKey | undefined>;

// Header types a Logout Token may carry (RFC 7515 §4.1.9: compared without regard to case):
// the explicit one of §2.4, and the generic one providers used before it (§4.1 accepts tokens
// without explicit typing; Keycloak and Authentik typed theirs JWT for years).
const LOGOUT_TOKEN_TYPES: ReadonlySet<string> = new Set([
  'logout+jwt',
  'application/logout+jwt',
  'jwt',
  'application/jwt',
]);

const COMPACT_JWE = /^[\w-]*\.[\w-]*\.[\w-]*\.[\w-]*\.[\w-]*$/;

/**
 * Verifies a Logout Token as OpenID Connect Back-Channel Logout 1.0 §2.6 requires: a compact JWS
 * (an encrypted token is refused) whose header names an algorithm of `settings.algorithms` and a
 * published key that fits it, with no critical extension and a type, if any, of a logout token
 * (`logout+jwt`, or the generic `JWT`); its signature; then `iss` the provider's issuer, `aud`
 * containing this client (and `azp`, when present, this client), `iat` present and not in the
 * future, `nbf` when present, `exp` when present (and at most
 * {@link LOGOUT_TOKEN_MAX_AGE_SECONDS} after `iat` without one, never more than
 * {@link LOGOUT_TOKEN_MAX_LIFETIME_SECONDS}), each with the clock tolerance; `events` an object
 * with the back-channel logout member, itself an object; no `nonce`; a `sid` or a `sub`
 * (non-empty strings) or both; `jti` present. Only the payload of a signature that verified is
 * read.
 *
 * Single use of `jti` (§2.6 step 7) is the caller's: it needs the store.
 *
 * @throws LogoutTokenError for a token that fails a check.
 */
export async function verifyLogoutToken(
  token: unknown,
  settings: LogoutTokenSettings,
  keyFor: SigningKeyLookup,
): Promise<LogoutTokenClaims> {
  if (typeof token !== 'string' || token === '') throw new LogoutTokenError('not_a_jwt');
  if (token.length > MAX_LOGOUT_TOKEN_LENGTH) throw new LogoutTokenError('too_large');
  if (COMPACT_JWE.test(token)) throw new LogoutTokenError('encrypted');
  let jws: CompactJws;
  let header: JsonObject;
  try {
    jws = splitCompactJws(token);
    header = decodeJwsSegment(jws.header);
  } catch (error) {
    throw new LogoutTokenError('not_a_jwt', { cause: error });
  }
  const { alg, kid, typ } = header;
  if (typeof alg !== 'string' || alg === 'none' || !settings.algorithms.includes(alg)) {
    throw new LogoutTokenError('unsupported_alg');
  }
  // No extension is understood here, so none may be critical (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new LogoutTokenError('critical_header');
  if (
    typ !== undefined &&
    !(typeof typ === 'string' && LOGOUT_TOKEN_TYPES.has(typ.toLowerCase()))
  ) {
    throw new LogoutTokenError('wrong_type');
  }
  if (typeof kid !== 'string' || kid === '') throw new LogoutTokenError('unknown_key');
  const key = await keyFor(kid, alg);
  if (key === undefined) throw new LogoutTokenError('unknown_key');
  let payload: JsonObject;
  try {
    payload = verifyCompactJws(jws, alg, key);
  } catch (error) {
    if (!(error instanceof JwsError)) throw error;
    throw new LogoutTokenError(
      error.code === 'jws_signature_invalid' ? 'bad_signature' : 'not_a_jwt',
      { cause: error },
    );
  }
  return checkedClaims(payload, settings);
}

/** The claims of a Logout Token whose signature verified, once they pass every check. */
function checkedClaims(payload: JsonObject, settings: LogoutTokenSettings): LogoutTokenClaims {
  const { iss, aud, azp, iat, exp, nbf, jti, events, sid, sub } = payload;
  if (typeof iss !== 'string' || iss !== settings.issuer)
    throw new LogoutTokenError('wrong_issuer');
  if (!hasAudience(aud, settings.clientId)) throw new LogoutTokenError('wrong_audience');
  // OpenID Connect Core §3.1.3.7 step 5, as §2.6 asks of `aud`.
  if (azp !== undefined && azp !== settings.clientId) throw new LogoutTokenError('wrong_audience');
  if (iat === undefined) throw new LogoutTokenError('no_iat');
  if (!isTime(iat) || (exp !== undefined && !isTime(exp)) || (nbf !== undefined && !isTime(nbf))) {
    throw new LogoutTokenError('invalid_time');
  }
  const { nowSeconds: now, clockToleranceSeconds: tolerance } = settings;
  if (iat > now + tolerance || (nbf !== undefined && nbf > now + tolerance)) {
    throw new LogoutTokenError('not_yet_valid');
  }
  const acceptedUntil = Math.floor(
    Math.min(exp ?? iat + LOGOUT_TOKEN_MAX_AGE_SECONDS, iat + LOGOUT_TOKEN_MAX_LIFETIME_SECONDS) +
      tolerance,
  );
  if (now > acceptedUntil) throw new LogoutTokenError('expired');
  // What tells a Logout Token from an ID token sent in its place (§2.4, §4.1).
  if (!isObject(events) || !isObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
    throw new LogoutTokenError('no_events');
  }
  if (Object.hasOwn(payload, 'nonce')) throw new LogoutTokenError('nonce_present');
  const session = optionalName(sid);
  const user = optionalName(sub);
  if (session === null || user === null || (session === undefined && user === undefined)) {
    throw new LogoutTokenError('no_session');
  }
  if (!isNonEmptyString(jti)) throw new LogoutTokenError('no_jti');
  return {
    iss,
    ...(session !== undefined && { sid: session }),
    ...(user !== undefined && { sub: user }),
    iat,
    jti,
    acceptedUntil,
  };
}

/** Whether `aud` (a string or an array of strings) names `clientId`. */
function hasAudience(aud: unknown, clientId: string): boolean {
  if (typeof aud === 'string') return aud === clientId;
  return Array.isArray(aud) && aud.includes(clientId);
}

/** A NumericDate (RFC 7519): a finite number of seconds. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `sid` or `sub`: `undefined` when absent, `null` when present but not a non-empty string. */
function optionalName(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  return isNonEmptyString(value) ? value : null;
}
