import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthKitClaims } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { BoundedCache } from './bounded-cache';
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

/** A verified token's claims and the key that signed it. */
interface Verified {
  claims: AuthKitClaims;
  kid: string;
}

// Enough for every token active on an instance at once; a flood of distinct forged tokens
// cannot grow it, since only verified tokens enter.
const VERIFIED_CACHE_ENTRIES = 10_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 5_000;

/**
 * Verifies AuthKit access tokens against the JWKS from the SDK's `getJwksUrl`: RS256 only, the
 * configured issuers, `exp` and `nbf` with the configured tolerance, and the claims AuthKit always
 * sets (`sub`, `sid`, `iat`, `exp`).
 *
 * Two caches keep it off the profile without weakening a check. Keys are imported once and
 * refetched when a new `kid` appears (single-flight, at most every 5 s) or after 10 minutes.
 * Verified tokens are remembered until their `exp` (plus the tolerance), and only while the key
 * that signed them is still published: an expired token, a token whose key was rotated away, or
 * any token that is not byte-for-byte a verified one gets the full verification again.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly keys: JwksKeySet;
  private readonly verified: BoundedCache<Verified>;

  constructor(@Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions) {
    this.keys = new JwksKeySet({
      url: options.jwksUrl,
      timeoutMs: options.jwksTimeoutMs,
      nowMs: options.nowMs,
      maxAgeMs: JWKS_MAX_AGE_MS,
      cooldownMs: JWKS_COOLDOWN_MS,
    });
    this.verified = new BoundedCache(VERIFIED_CACHE_ENTRIES, options.nowMs);
  }

  /**
   * Resolves the verified claims. Rejects with {@link InvalidAccessTokenError} for a bad or
   * expired token and with `ReauthUnavailableException` when the keys cannot be fetched.
   */
  async verify(token: string): Promise<AuthKitClaims> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw new InvalidAccessTokenError(false);
    }
    const cached = this.verified.get(token);
    if (cached && this.keys.publishes(cached.kid)) return cached.claims;

    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch (error) {
      throw new InvalidAccessTokenError(false, { cause: error });
    }
    if (typeof kid !== 'string' || kid === '') throw new InvalidAccessTokenError(false);
    const key = await this.keys.get(kid);
    if (!key) throw new InvalidAccessTokenError(false);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['RS256'],
        issuer: this.options.issuers,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(this.options.nowMs()),
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      }));
    } catch (error) {
      throw translateJoseError(error);
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
      throw new InvalidAccessTokenError(false);
    }
    const claims = payload as AuthKitClaims;
    // jose accepts the token until exp + tolerance; so may the cache, and not a moment longer.
    this.verified.set(
      token,
      { claims, kid },
      (claims.exp + this.options.clockToleranceSeconds) * 1000,
    );
    return claims;
  }
}

/** The key is local by now: whatever jose refuses is the token's fault. */
function translateJoseError(error: unknown): InvalidAccessTokenError {
  return new InvalidAccessTokenError(error instanceof errors.JWTExpired, { cause: error });
}
