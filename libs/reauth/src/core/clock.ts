/**
 * The library's clock: every freshness decision, cache expiry and state lifetime reads it. The
 * module provides it from the `now` option (default `Date.now`); inject it to show users the same
 * time the guard uses, and replace it in tests to move time instead of waiting.
 *
 * @example
 * ```ts
 * @Controller('account')
 * export class AccountController {
 *   constructor(private readonly clock: ReauthClock) {}
 *
 *   @Get()
 *   @RequireSignIn()
 *   account(@AuthClaims('auth_time') authTime: number) {
 *     return { signedInSecondsAgo: this.clock.nowSeconds() - authTime };
 *   }
 * }
 * ```
 */
export abstract class ReauthClock {
  /** Milliseconds since the epoch. */
  abstract now(): number;

  /** Whole seconds since the epoch, as JWT claims count them. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** A {@link ReauthClock} reading a function, such as the `now` option. */
export class FunctionReauthClock extends ReauthClock {
  constructor(private readonly read: () => number) {
    super();
  }

  now(): number {
    return this.read();
  }
}
