/**
 * How many seconds an `auth_time` may lie in the future before it is treated as bogus rather
 * than as clock skew between the identity provider and this server.
 *
 * @example
 * ```ts
 * evaluateFreshness({ authTime, maxAge: 300, now, toleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS });
 * ```
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;

// Longer than any sensible step-up window; a bigger value is far more likely a unit mistake
// (milliseconds) than a policy.
export const MAX_AGE_LIMIT_SECONDS = 10 * 365 * 24 * 60 * 60;

/**
 * Whether `value` is a usable `max_age`: an integer number of seconds from 0 to 10 years.
 *
 * @example
 * ```ts
 * isValidMaxAge(300); // true
 * isValidMaxAge(0); // true: forces a fresh sign-in
 * isValidMaxAge(300_000_000_000); // false: milliseconds, or a mistake
 * isValidMaxAge('300'); // false
 * ```
 */
export function isValidMaxAge(value: unknown): value is number {
  return isNonNegativeSafeInteger(value) && value <= MAX_AGE_LIMIT_SECONDS;
}

/**
 * The input of {@link evaluateFreshness}. All times are integer Unix seconds.
 *
 * @example
 * ```ts
 * const input: FreshnessInput = {
 *   authTime: payload.auth_time,
 *   maxAge: 300,
 *   now: Math.floor(Date.now() / 1000),
 *   toleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
 * };
 * ```
 */
export interface FreshnessInput {
  /** The token's `auth_time` claim, untrusted and unvalidated. */
  authTime: unknown;
  /** Allowed seconds since the last active sign-in; see {@link isValidMaxAge}. */
  maxAge: number;
  /** The current time in integer Unix seconds. */
  now: number;
  /** Allowed clock skew for an `auth_time` in the future, in seconds. */
  toleranceSeconds: number;
}

/**
 * The outcome of {@link evaluateFreshness}.
 *
 * - `fresh: true`: the sign-in satisfies `maxAge`; `age` is the seconds since it (never negative).
 * - `reason: 'missing_auth_time'`: there is no usable `auth_time` claim at all.
 * - `reason: 'stale'`: the sign-in is too old, `maxAge` is `0`, or `auth_time` lies in the future
 *   beyond the tolerance. `authTime` is present only when it is a plausible past time, so a bogus
 *   value is never echoed back to clients.
 *
 * @example
 * ```ts
 * const result: FreshnessResult = evaluateFreshness(input);
 * if (!result.fresh) {
 *   throw new ReauthRequiredException({ reason: result.reason, authTime: result.authTime });
 * }
 * ```
 */
export type FreshnessResult =
  | { fresh: true; authTime: number; age: number }
  | { fresh: false; reason: 'stale' | 'missing_auth_time'; authTime?: number };

/**
 * Decides whether the user signed in recently enough, failing closed.
 *
 * - `authTime` must be a safe integer `>= 0` (a JSON number); anything else, including numeric
 *   strings, is `missing_auth_time`.
 * - An `authTime` later than `now + toleranceSeconds` is `stale`, without `authTime` in the
 *   result. This includes millisecond timestamps (`1.7e12`), which would otherwise look fresh
 *   forever.
 * - Otherwise the sign-in is fresh iff `now - authTime <= maxAge`; an `authTime` slightly in the
 *   future (within the tolerance) counts as age `0`.
 * - `maxAge === 0` is never fresh here: an action that demands a brand-new sign-in can only be
 *   satisfied by the one-time grant that the callback issues after re-authentication, never by
 *   the age of a token.
 *
 * @throws TypeError when `maxAge` fails {@link isValidMaxAge}, or `now` or `toleranceSeconds`
 * is not a safe integer `>= 0` (caller misuse, not untrusted input).
 *
 * @example
 * ```ts
 * evaluateFreshness({ authTime: 1_000, maxAge: 300, now: 1_200, toleranceSeconds: 5 });
 * // { fresh: true, authTime: 1000, age: 200 }
 * evaluateFreshness({ authTime: 1_000, maxAge: 300, now: 1_301, toleranceSeconds: 5 });
 * // { fresh: false, reason: 'stale', authTime: 1000 }
 * evaluateFreshness({ authTime: '1000', maxAge: 300, now: 1_200, toleranceSeconds: 5 });
 * // { fresh: false, reason: 'missing_auth_time' }
 * ```
 */
export function evaluateFreshness(input: FreshnessInput): FreshnessResult {
  const { authTime, maxAge, now, toleranceSeconds } = input;
  if (!isValidMaxAge(maxAge)) {
    throw new TypeError('maxAge must be an integer number of seconds from 0 to 10 years');
  }
  if (!isNonNegativeSafeInteger(now)) {
    throw new TypeError('now must be a non-negative integer number of Unix seconds');
  }
  if (!isNonNegativeSafeInteger(toleranceSeconds)) {
    throw new TypeError('toleranceSeconds must be a non-negative integer number of seconds');
  }

  if (!isNonNegativeSafeInteger(authTime)) {
    return { fresh: false, reason: 'missing_auth_time' };
  }
  if (authTime > now + toleranceSeconds) {
    return { fresh: false, reason: 'stale' };
  }
  if (maxAge === 0) {
    return { fresh: false, reason: 'stale', authTime };
  }
  const age = Math.max(0, now - authTime);
  return age <= maxAge
    ? { fresh: true, authTime, age }
    : { fresh: false, reason: 'stale', authTime };
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
