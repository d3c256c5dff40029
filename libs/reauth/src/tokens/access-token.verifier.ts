import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AccessTokenClaims } from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { ReauthClock } from '../reauth.clock';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { BoundedCache } from './bounded-cache';
import { deepFreeze } from './deep-freeze';
import { JwksKeySet } from './jwks-key-set';

/** A token that fails verification. `expired` tells a refreshable session from a bad token. */
export class InvalidAccessTokenError extends Error {
  readonly code = 'invalid_token';

  constructor(
    readonly expired: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(expired ? 'the access token has expired' : 'the access token is invalid', options);
    this.name = this.constructor.name;
  }
}

// Far above any AuthKit token; refuses to parse megabytes of attacker input.
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** How {@link AccessTokenVerifier.verify} treats the token. */
export interface VerifyOptions {
  /**
   * The token is the provider's answer to a refresh or a code exchange, received just now, not
   * something a client sent. Its `kid` may be a key the provider just rotated to, so an unknown
   * `kid` refetches the key set even within the cooldown (still one fetch at a time, and still
   * not during the backoff after a failed fetch). Default `false`.
   */
  fromProvider?: boolean;
}

/** A verified token, its claims and the key that signed it. */
interface Verified {
  token: string;
  claims: AccessTokenClaims;
  kid: string;
}

// Enough for every token active on an instance at once; a flood of distinct forged tokens
// cannot grow it, since only verified tokens enter.
const VERIFIED_CACHE_ENTRIES = 10_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 5_000;
const JWKS_BACKOFF_MS = 1_000;
const JWKS_MAX_BACKOFF_MS = 30_000;

/**
 * Verifies access tokens against the provider's JWKS: an algorithm the provider's settings accept
 * (AuthKit: RS256; OpenID Connect: RS256, PS256, ES256, EdDSA by default; never `none` nor HMAC)
 * with a key of the matching type, the provider's issuer, `exp` and `nbf` with the configured
 * tolerance, an `iat` that is not in the future (beyond the tolerance), the audience (or, for an
 * OpenID Provider without one configured, that the token was issued to this client), and the
 * claims every token must carry (`sub`, `iat`, `exp`; AuthKit's `sid` too). The claims it resolves are deeply frozen: every request with
 * a token gets the same object, so no handler may change it for the next.
 *
 * Two caches keep it off the profile without weakening a check. Keys are imported once and
 * refetched when a new `kid` appears (single-flight, at most every 5 s unless the token came
 * from the provider) or after 10 minutes; failed fetches back off from 1 s, doubling to 30 s.
 * Verified tokens are remembered until their `exp` (plus the tolerance), and only while the key
 * that signed them is still published: an expired token, a token whose key was rotated away, or
 * any token that is not byte-for-byte a verified one gets the full verification again.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly keys: JwksKeySet;
  private readonly verified: BoundedCache<Verified>;

  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
  ) {
    const nowMs = () => clock.now();
    this.keys = new JwksKeySet({
      url: async () => (await provider.verification()).jwksUrl,
      timeoutMs: options.jwksTimeoutMs,
      nowMs,
      maxAgeMs: JWKS_MAX_AGE_MS,
      cooldownMs: JWKS_COOLDOWN_MS,
      backoffMs: JWKS_BACKOFF_MS,
      maxBackoffMs: JWKS_MAX_BACKOFF_MS,
    });
    this.verified = new BoundedCache(VERIFIED_CACHE_ENTRIES, nowMs);
  }

  /**
   * Resolves the verified claims (frozen). Rejects with {@link InvalidAccessTokenError} for a bad
   * or expired token and with `ReauthUnavailableException` when the keys cannot be fetched.
   */
  async verify(token: string, options: VerifyOptions = {}): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      throw new InvalidAccessTokenError(false);
    }
    // Looked up by the signature alone (hashing a shorter key is cheaper on every request), then
    // the whole token must be the one that was verified, byte for byte.
    const cached = this.verified.get(signatureOf(token));
    if (cached && cached.token === token && this.keys.publishes(cached.kid)) return cached.claims;
    if (!COMPACT_JWS.test(token)) throw new InvalidAccessTokenError(false);

    let kid: unknown;
    let alg: unknown;
    try {
      ({ kid, alg } = decodeProtectedHeader(token));
    } catch (error) {
      throw new InvalidAccessTokenError(false, { cause: error });
    }
    const settings = await this.provider.verification();
    if (typeof kid !== 'string' || kid === '') throw new InvalidAccessTokenError(false);
    if (typeof alg !== 'string' || !settings.algorithms.includes(alg)) {
      throw new InvalidAccessTokenError(false);
    }
    const key = await this.keys.get(kid, alg, { force: options.fromProvider === true });
    if (!key) throw new InvalidAccessTokenError(false);

    const nowMs = this.clock.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [alg],
        issuer: [...settings.issuers],
        audience: settings.audience && [...settings.audience],
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: settings.requireSid ? ['sub', 'sid', 'iat', 'exp'] : ['sub', 'iat', 'exp'],
      }));
    } catch (error) {
      throw translateJoseError(error);
    }
    // An empty sid would name no session, and so could never be signed out.
    if (
      !isNonEmptyString(payload.sub) ||
      (settings.requireSid ? !isNonEmptyString(payload.sid) : !isAbsentOrNonEmpty(payload.sid))
    ) {
      throw new InvalidAccessTokenError(false);
    }
    if (settings.audience === undefined && settings.clientId !== undefined) {
      if (!issuedTo(payload, settings.clientId)) throw new InvalidAccessTokenError(false);
    }
    if (settings.idTokensOf !== undefined && isIdToken(token, payload, settings.idTokensOf)) {
      throw new InvalidAccessTokenError(false);
    }
    // jose checks that iat is a number; a token from the future is ours to refuse.
    if (payload.iat! > nowMs / 1000 + this.options.clockToleranceSeconds) {
      throw new InvalidAccessTokenError(false, {
        cause: new errors.JWTClaimValidationFailed(
          '"iat" claim timestamp check failed (it should be in the past)',
          payload,
          'iat',
          'check_failed',
        ),
      });
    }
    const claims = deepFreeze(payload) as AccessTokenClaims;
    // jose accepts the token until exp + tolerance; so may the cache, and not a moment longer.
    this.verified.set(
      signatureOf(token),
      { token, claims, kid },
      (claims.exp + this.options.clockToleranceSeconds) * 1000,
    );
    return claims;
  }
}

/** The signature segment of a compact JWS (the whole string when it has no dot). */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isAbsentOrNonEmpty(value: unknown): boolean {
  return value === undefined || isNonEmptyString(value);
}

/** Whether a token was issued to `clientId`: RFC 9068's `client_id`, or OpenID Connect's `azp`. */
function issuedTo(payload: JWTPayload, clientId: string): boolean {
  return payload.client_id === clientId || payload.azp === clientId;
}

// Header types of access tokens: RFC 9068's, and the generic one many providers use.
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);

/**
 * Whether a verified JWT is an ID token rather than an access token. Both are signed with the
 * provider's keys, and an ID token (which travels in URLs, as a logout's `id_token_hint`, and to
 * front ends) must never act as an access token. An ID token shows itself by the claims only ID
 * tokens carry (`nonce`, `at_hash`, `c_hash`, `s_hash`; Keycloak's `typ: "ID"`), by a header type
 * that is not an access token's, or by being for this client (`aud`) without saying it was issued
 * to a client (`client_id`, `azp`), as access tokens for an API do.
 */
function isIdToken(token: string, payload: JWTPayload, clientId: string): boolean {
  if (['nonce', 'at_hash', 'c_hash', 's_hash'].some((claim) => payload[claim] !== undefined)) {
    return true;
  }
  if (payload.typ === 'ID') return true;
  const { typ } = decodeProtectedHeader(token);
  if (typeof typ === 'string' && !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) return true;
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  return (
    audiences.includes(clientId) && payload.client_id === undefined && payload.azp === undefined
  );
}

/** The key is local by now: whatever jose refuses is the token's fault. */
function translateJoseError(error: unknown): InvalidAccessTokenError {
  return new InvalidAccessTokenError(error instanceof errors.JWTExpired, { cause: error });
}
