import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthKitClaims } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { ReauthUnavailableException } from '../reauth-unavailable.exception';

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

/** jose error codes that mean "this token is bad", as opposed to "we could not check". */
const INVALID_TOKEN_CODES = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/**
 * Verifies AuthKit access tokens against the JWKS from the SDK's `getJwksUrl`: RS256 only, the
 * configured issuers, `exp` and `nbf` with the configured tolerance, and the claims AuthKit always
 * sets (`sub`, `sid`, `iat`, `exp`). Keys are cached; an unknown `kid` refetches the set at most
 * once per cooldown.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs,
      // An unknown kid refetches the set at most this often: short, so a key rotation is picked
      // up within seconds, and still a bound on what forged kids can make us fetch.
      cooldownDuration: 5_000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  /**
   * Resolves the verified claims. Rejects with {@link InvalidAccessTokenError} for a bad or
   * expired token and with `ReauthUnavailableException` when the keys cannot be fetched.
   */
  async verify(token: string): Promise<AuthKitClaims> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw new InvalidAccessTokenError(false);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
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
    return payload as AuthKitClaims;
  }
}

function translateJoseError(error: unknown): Error {
  if (error instanceof errors.JWTExpired)
    return new InvalidAccessTokenError(true, { cause: error });
  if (error instanceof errors.JOSEError && INVALID_TOKEN_CODES.has(error.code)) {
    return new InvalidAccessTokenError(false, { cause: error });
  }
  // Timeouts, unreachable or malformed key sets: nobody can tell whether the token is good.
  return new ReauthUnavailableException('jwks', { cause: error });
}
