/**
 * The emulator's notion of time. Everything time-dependent (token `iat`/`exp`/`auth_time`, code
 * expiry, `max_age`, TOTP windows, key-rotation grace) reads this clock, so tests advance it
 * instead of sleeping.
 */
export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly source: () => number = Date.now) {}

  /** Milliseconds since the Unix epoch, as the emulator sees them. */
  nowMs(): number {
    return this.source() + this.offsetMs;
  }

  /** Whole seconds since the Unix epoch, as used in JWT claims. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves the clock forward; it never goes back, so issued tokens never become "younger". */
  advance(seconds: number): number {
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new TypeError('advance() takes a whole number of seconds >= 0');
    }
    this.offsetMs += seconds * 1000;
    return this.nowSeconds();
  }
}
