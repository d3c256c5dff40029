import { Injectable, Logger, Optional } from '@nestjs/common';
import type { AccessTokenClaims } from '../interfaces';
import { IdentityProvider, type TokenVerificationSettings } from '../providers/identity-provider';
import { ReauthMetrics } from '../events/reauth-metrics';
import { ReauthClock } from '../core/clock';
import { AccessTokenSettings } from '../options/reauth-settings';
import { BoundedCache } from '../core/bounded-cache';
import { deepFreeze } from '../core/deep-freeze';
import {
  decodeJwsSegment,
  JwsError,
  splitCompactJws,
  verifyCompactJws,
  type CompactJws,
  type JsonObject,
} from '../crypto/jws';
import {
  hasAudience,
  isAbsentOrNonEmpty,
  isIdToken,
  isNonEmptyString,
  isTime,
  isTypedAccessToken,
  issuedTo,
  REQUIRED,
  REQUIRED_WITH_SID,
} from './token-claims';
import { InvalidAccessTokenError, shownValue, TokenClaimError } from './access-token.errors';
import { JwksKeySet } from './jwks-key-set';

export { InvalidAccessTokenError, TokenClaimError };

// Far above any AuthKit token; refuses to parse megabytes of attacker input.
const MAX_TOKEN_LENGTH = 8192;

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
  /** Whether its header types it as an access token the RFC 9068 way (`at+jwt`). */
  typed: boolean;
}

// Enough for every token active on an instance at once; a flood of distinct forged tokens
// cannot grow it, since only verified tokens enter.
const VERIFIED_CACHE_ENTRIES = 10_000;
// Headers differ by key and type only; anyone can send others, so only a few are kept.
const HEADER_CACHE_ENTRIES = 16;
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
 * claims every token must carry (`sub`, `iat`, `exp`; AuthKit's `sid` too). A header that marks
 * any extension critical (`crit`) is refused. At an OpenID Provider, ID tokens are refused: by
 * RFC 9068's header type `at+jwt` where the provider's settings require it (or, for `auto`, once
 * its token endpoint has issued this verifier a typed access token), else by their claims. The claims it resolves are deeply frozen: every
 * request with a token gets the same object, so no handler may change it for the next.
 *
 * Signatures are checked by `crypto/jws.ts`, synchronously, on keys imported once per `kid` by
 * `crypto/jwk.ts` (RSA keys of at least 2048 bits; ES256 signatures as R || S); only the payload
 * of a signature that verified is parsed.
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
  private readonly headers: BoundedCache<JsonObject>;
  private readonly logger = new Logger('ReauthModule');
  // For `accessTokenType: 'auto'`: whether the access token the provider's token endpoint issued
  // last was typed at+jwt. Only a verified token from the token endpoint changes it.
  private providerTypesAccessTokens = false;

  constructor(
    private readonly options: AccessTokenSettings,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    @Optional() private readonly metrics: ReauthMetrics = new ReauthMetrics(undefined),
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
    this.headers = new BoundedCache(HEADER_CACHE_ENTRIES, nowMs);
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
    if (
      cached &&
      cached.token === token &&
      this.keys.publishes(cached.kid) &&
      (cached.typed || !this.providerTypesAccessTokens)
    ) {
      return cached.claims;
    }
    if (!this.metrics.enabled) return this.verifyUncached(token, options);
    const startedAt = performance.now();
    try {
      const claims = await this.verifyUncached(token, options);
      this.metrics.verification(startedAt, 'valid');
      return claims;
    } catch (error) {
      this.metrics.verification(
        startedAt,
        error instanceof InvalidAccessTokenError ? 'invalid' : 'unavailable',
      );
      throw error;
    }
  }

  /** Checks a token that is not in the verified-token cache, and caches it. */
  private async verifyUncached(token: string, options: VerifyOptions): Promise<AccessTokenClaims> {
    let jws: CompactJws;
    try {
      jws = splitCompactJws(token);
    } catch (error) {
      throw new InvalidAccessTokenError(false, { cause: error });
    }
    const header = this.headerOf(jws.header);
    const settings = await this.provider.verification();
    const { kid, alg } = header ?? {};
    if (typeof kid !== 'string' || kid === '') {
      throw new InvalidAccessTokenError(false, { cause: new TokenClaimError('kid', 'missing') });
    }
    if (typeof alg !== 'string' || !settings.algorithms.includes(alg)) {
      throw new InvalidAccessTokenError(false, {
        cause: new TokenClaimError(
          'alg',
          'check_failed',
          `expected one of ${shownValue(settings.algorithms)}, the token has ${shownValue(alg)}`,
        ),
      });
    }
    // No extension is understood here, so none may be critical (RFC 7515, section 4.1.11).
    if (header!.crit !== undefined) {
      throw new InvalidAccessTokenError(false, { cause: new TokenClaimError('crit', 'invalid') });
    }
    const key =
      this.keys.current(kid, alg) ??
      (await this.keys.get(kid, alg, { force: options.fromProvider === true }));
    if (!key) {
      throw new InvalidAccessTokenError(false, {
        cause: new TokenClaimError(
          'kid',
          'check_failed',
          `the provider's key set has no ${alg} key ${shownValue(kid)}`,
        ),
      });
    }
    let payload: JsonObject;
    try {
      payload = verifyCompactJws(jws, alg, key);
    } catch (error) {
      if (error instanceof JwsError) throw new InvalidAccessTokenError(false, { cause: error });
      throw error;
    }

    const fromProvider = options.fromProvider === true;
    const claims = this.checkedClaims(payload, header!, settings, fromProvider);
    const typed = isTypedAccessToken(header!.typ);
    if (fromProvider && settings.accessTokenType === 'auto') this.learnAccessTokenType(typed);
    // Accepted until exp + tolerance; so may the cache be, and not a moment longer.
    this.verified.set(
      signatureOf(token),
      { token, claims, kid, typed },
      (claims.exp + this.options.clockToleranceSeconds) * 1000,
    );
    return claims;
  }

  /**
   * The provider's token endpoint just issued this access token, for this client: what its type
   * is, the issuer's access tokens are. Logged when that changes.
   */
  private learnAccessTokenType(typed: boolean): void {
    if (typed === this.providerTypesAccessTokens) return;
    this.providerTypesAccessTokens = typed;
    this.logger.log(
      typed
        ? 'The provider types its access tokens at+jwt (RFC 9068): from now on only such tokens are accepted as access tokens'
        : 'The provider no longer types its access tokens at+jwt: access tokens of any type are accepted again, ID tokens told apart by their claims',
    );
  }

  /**
   * The decoded JOSE header. Every token a provider signs with one key has the same header, so
   * the few seen last are kept (frozen) rather than decoded for each first-seen token.
   */
  private headerOf(segment: string): JsonObject | undefined {
    let header = this.headers.get(segment);
    if (header === undefined) {
      try {
        header = decodeJwsSegment(segment);
      } catch {
        return undefined;
      }
      this.headers.set(segment, deepFreeze(header), Number.POSITIVE_INFINITY);
    }
    return header;
  }

  /**
   * The claims of a token whose signature verified, deeply frozen, once they pass every check;
   * throws {@link InvalidAccessTokenError} (with a {@link TokenClaimError} cause) otherwise.
   */
  private checkedClaims(
    payload: JsonObject,
    header: JsonObject,
    settings: TokenVerificationSettings,
    fromProvider: boolean,
  ): AccessTokenClaims {
    const refuse = (claim: string, reason: TokenClaimError['reason'], detail?: string) =>
      new InvalidAccessTokenError(false, { cause: new TokenClaimError(claim, reason, detail) });
    const has = (claim: string) => `the token has ${shownValue(payload[claim])}`;
    const required = settings.requireSid ? REQUIRED_WITH_SID : REQUIRED;
    for (const claim of required) {
      if (!Object.hasOwn(payload, claim) || payload[claim] === undefined) {
        throw refuse(claim, 'missing', 'the token has none');
      }
    }

    if (typeof payload.iss !== 'string' || !settings.issuers.includes(payload.iss)) {
      throw refuse(
        'iss',
        'check_failed',
        `expected ${shownValue(settings.issuers)}, ${has('iss')}`,
      );
    }
    if (settings.audience !== undefined && !hasAudience(payload.aud, settings.audience)) {
      throw refuse(
        'aud',
        'check_failed',
        `expected one of ${shownValue(settings.audience)} (oidc.audience), ${has('aud')}`,
      );
    }
    const { exp, nbf, iat } = payload;
    if (!isTime(exp)) throw refuse('exp', 'invalid', has('exp'));
    if (!isTime(iat)) throw refuse('iat', 'invalid', has('iat'));
    if (nbf !== undefined && !isTime(nbf)) throw refuse('nbf', 'invalid', has('nbf'));
    const tolerance = this.options.clockToleranceSeconds;
    const now = this.clock.now() / 1000;
    // Not yet valid before expired, as jose checks them: such a token is bad, not refreshable.
    if (nbf !== undefined && nbf > Math.floor(now) + tolerance) {
      throw refuse(
        'nbf',
        'check_failed',
        `not valid for another ${Math.ceil(nbf - now)} s by this app's clock`,
      );
    }
    if (exp <= Math.floor(now) - tolerance) {
      throw new InvalidAccessTokenError(true, {
        cause: new TokenClaimError(
          'exp',
          'check_failed',
          `expired ${Math.floor(now) - exp} s ago by this app's clock, ${Math.round(now - iat)} s after it was issued (tolerance ${tolerance} s)`,
        ),
      });
    }
    // A token from the future is refused, as any token that is not yet valid.
    if (iat > now + tolerance) {
      throw refuse(
        'iat',
        'check_failed',
        `issued ${Math.round(iat - now)} s ahead of this app's clock (tolerance ${tolerance} s): check both clocks`,
      );
    }

    // An empty sid would name no session, and so could never be signed out.
    if (!isNonEmptyString(payload.sub)) throw refuse('sub', 'invalid', has('sub'));
    if (settings.requireSid ? !isNonEmptyString(payload.sid) : !isAbsentOrNonEmpty(payload.sid)) {
      throw refuse('sid', 'invalid', has('sid'));
    }
    if (settings.audience === undefined && settings.clientId !== undefined) {
      if (!issuedTo(payload, settings.clientId)) {
        throw refuse(
          'client_id',
          'check_failed',
          `expected ${shownValue(settings.clientId)} in client_id or azp (or set oidc.audience), the token has client_id ${shownValue(payload.client_id)} and azp ${shownValue(payload.azp)}`,
        );
      }
    }
    // Under `auto`, a token from the token endpoint is what says which type is required.
    const typeRequired =
      settings.accessTokenType === 'at+jwt' ||
      (settings.accessTokenType === 'auto' && this.providerTypesAccessTokens && !fromProvider);
    if (typeRequired && !isTypedAccessToken(header.typ)) {
      throw refuse(
        'typ',
        'check_failed',
        `expected at+jwt, the header has ${shownValue(header.typ)}`,
      );
    }
    if (settings.idTokensOf !== undefined && isIdToken(header, payload, settings.idTokensOf)) {
      throw refuse('typ', 'check_failed', 'an ID token of this client, not an access token');
    }
    return deepFreeze(payload) as AccessTokenClaims;
  }
}

/** The signature segment of a compact JWS (the whole string when it has no dot). */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
