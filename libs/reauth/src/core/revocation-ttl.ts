/** What a revocation needs to know of a token of the session. */
export interface SessionTokenTimes {
  iat?: unknown;
  exp?: unknown;
}

/** The lifetime assumed when the session's token does not tell (AuthKit's are 5 minutes). */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

// Past any access token anyone issues; keeps a nonsensical `exp` from making a TTL a store refuses.
const MAX_LIFETIME_SECONDS = 365 * 24 * 3600;

/**
 * How long an ended session must stay on the revoked list: as long as any token of it can still
 * verify. A token issued just before the end (by a refresh elsewhere, say) lives its full
 * lifetime (`exp - iat`, the lifetime the provider gives the session's tokens) and is accepted
 * for the clock tolerance after that.
 */
export function revocationTtlSeconds(
  token: SessionTokenTimes | undefined,
  clockToleranceSeconds: number,
): number {
  const { iat, exp } = token ?? {};
  const lifetime =
    typeof iat === 'number' && typeof exp === 'number' && Number.isFinite(exp - iat) && exp > iat
      ? Math.min(Math.ceil(exp - iat), MAX_LIFETIME_SECONDS)
      : DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
  return lifetime + clockToleranceSeconds;
}
