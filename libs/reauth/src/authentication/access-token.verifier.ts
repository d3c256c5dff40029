import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { constants, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { AccessTokenClaims } from '../interfaces';
import { IdentityProvider, type TokenVerificationSettings } from '../providers/identity-provider';
import { ReauthMetrics } from '../events/reauth-metrics';
import { ReauthClock } from '../reauth.clock';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../options/reauth.options';
import { BoundedCache } from '../core/bounded-cache';
import { deepFreeze } from '../core/deep-freeze';
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

/**
 * Why a token's claims or header were refused: the `cause` of an {@link InvalidAccessTokenError},
 * naming the claim (or header parameter) for logs and tests. Never shown to the caller.
 */
export class TokenClaimError extends Error {
  constructor(
    readonly claim: string,
    readonly reason: 'missing' | 'invalid' | 'check_failed',
  ) {
    super(`the "${claim}" ${reason === 'missing' ? 'is missing' : `check failed (${reason})`}`);
    this.name = this.constructor.name;
  }
}

// Far above any AuthKit token; refuses to parse megabytes of attacker input.
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The JOSE header and payload of a compact JWS, decoded (not yet trusted). */
type JsonObject = Record<string, unknown>;

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
 * Signatures are checked with `node:crypto` directly, synchronously, on keys imported once per
 * `kid` (RSA keys of at least 2048 bits; ES256 signatures as R || S); only the payload of a
 * signature that verified is parsed.
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
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
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
    if (!COMPACT_JWS.test(token)) throw new InvalidAccessTokenError(false);

    const signed = token.lastIndexOf('.');
    const header = this.headerOf(token.slice(0, token.indexOf('.')));
    const settings = await this.provider.verification();
    const { kid, alg } = header ?? {};
    if (typeof kid !== 'string' || kid === '') throw new InvalidAccessTokenError(false);
    if (typeof alg !== 'string' || !settings.algorithms.includes(alg)) {
      throw new InvalidAccessTokenError(false);
    }
    // No extension is understood here, so none may be critical (RFC 7515, section 4.1.11).
    if (header!.crit !== undefined) {
      throw new InvalidAccessTokenError(false, { cause: new TokenClaimError('crit', 'invalid') });
    }
    const key =
      this.keys.current(kid, alg) ??
      (await this.keys.get(kid, alg, { force: options.fromProvider === true }));
    if (!key || !signatureVerifies(alg, key, token, signed)) {
      throw new InvalidAccessTokenError(false);
    }
    // Only a payload whose signature verified is parsed.
    const payload = decodeSegment(token.slice(token.indexOf('.') + 1, signed));
    if (!payload) throw new InvalidAccessTokenError(false);

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
      header = decodeSegment(segment);
      if (header === undefined) return undefined;
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
    const refuse = (claim: string, reason: TokenClaimError['reason']) =>
      new InvalidAccessTokenError(false, { cause: new TokenClaimError(claim, reason) });
    const required = settings.requireSid ? REQUIRED_WITH_SID : REQUIRED;
    for (const claim of required) {
      if (!Object.hasOwn(payload, claim) || payload[claim] === undefined) {
        throw refuse(claim, 'missing');
      }
    }

    if (typeof payload.iss !== 'string' || !settings.issuers.includes(payload.iss)) {
      throw refuse('iss', 'check_failed');
    }
    if (settings.audience !== undefined && !hasAudience(payload.aud, settings.audience)) {
      throw refuse('aud', 'check_failed');
    }
    const { exp, nbf, iat } = payload;
    if (!isTime(exp)) throw refuse('exp', 'invalid');
    if (!isTime(iat)) throw refuse('iat', 'invalid');
    if (nbf !== undefined && !isTime(nbf)) throw refuse('nbf', 'invalid');
    const tolerance = this.options.clockToleranceSeconds;
    const now = this.clock.now() / 1000;
    // Not yet valid before expired, as jose checks them: such a token is bad, not refreshable.
    if (nbf !== undefined && nbf > Math.floor(now) + tolerance) {
      throw refuse('nbf', 'check_failed');
    }
    if (exp <= Math.floor(now) - tolerance) {
      throw new InvalidAccessTokenError(true, {
        cause: new TokenClaimError('exp', 'check_failed'),
      });
    }
    // A token from the future is refused, as any token that is not yet valid.
    if (iat > now + tolerance) throw refuse('iat', 'check_failed');

    // An empty sid would name no session, and so could never be signed out.
    if (!isNonEmptyString(payload.sub)) throw refuse('sub', 'invalid');
    if (settings.requireSid ? !isNonEmptyString(payload.sid) : !isAbsentOrNonEmpty(payload.sid)) {
      throw refuse('sid', 'invalid');
    }
    if (settings.audience === undefined && settings.clientId !== undefined) {
      if (!issuedTo(payload, settings.clientId)) throw refuse('client_id', 'check_failed');
    }
    // Under `auto`, a token from the token endpoint is what says which type is required.
    const typeRequired =
      settings.accessTokenType === 'at+jwt' ||
      (settings.accessTokenType === 'auto' && this.providerTypesAccessTokens && !fromProvider);
    if (typeRequired && !isTypedAccessToken(header.typ)) throw refuse('typ', 'check_failed');
    if (settings.idTokensOf !== undefined && isIdToken(header, payload, settings.idTokensOf)) {
      throw refuse('typ', 'check_failed');
    }
    return deepFreeze(payload) as AccessTokenClaims;
  }
}

const REQUIRED = ['sub', 'iat', 'exp'] as const;
const REQUIRED_WITH_SID = ['sub', 'sid', 'iat', 'exp'] as const;

// Invalid UTF-8 is refused, not replaced: a claim never reads other than the bytes signed.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A base64url segment holding a JSON object (in valid UTF-8); `undefined` for anything else. */
function decodeSegment(segment: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(UTF8.decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the signature of a compact JWS verifies under `key` for `alg`, with `node:crypto`
 * directly: synchronous, on the imported key, without a round trip through WebCrypto. The key
 * already fits the algorithm (type, curve, RSA size); `signed` is the index of the last dot.
 */
function signatureVerifies(alg: string, key: KeyObject, token: string, signed: number): boolean {
  const data = Buffer.from(token.slice(0, signed), 'latin1');
  const signature = Buffer.from(token.slice(signed + 1), 'base64url');
  try {
    switch (alg) {
      case 'RS256':
        return verifySignature('sha256', data, key, signature);
      case 'PS256':
        return verifySignature(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        );
      case 'ES256':
        // JWS carries R || S, 32 bytes each (RFC 7518, section 3.4), not DER.
        return (
          signature.length === 64 &&
          verifySignature('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'EdDSA':
        return verifySignature(null, data, key, signature);
      default:
        return false;
    }
  } catch {
    // A signature of the wrong size for the key, say: it does not verify.
    return false;
  }
}

/** A NumericDate (RFC 7519): a finite number of seconds. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whether `aud` (a string or an array of strings) names one of `audience`. */
function hasAudience(aud: unknown, audience: readonly string[]): boolean {
  if (typeof aud === 'string') return audience.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audience.includes(a));
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
function issuedTo(payload: JsonObject, clientId: string): boolean {
  return payload.client_id === clientId || payload.azp === clientId;
}

// Header types of access tokens: RFC 9068's, and the generic one many providers use.
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);

/**
 * Whether a header `typ` is RFC 9068's, `at+jwt` or `application/at+jwt` (media types compare
 * without regard to case, RFC 7515 section 4.1.9): the one positive mark of an access token.
 */
function isTypedAccessToken(typ: unknown): boolean {
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
function isIdToken(header: JsonObject, payload: JsonObject, clientId: string): boolean {
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
