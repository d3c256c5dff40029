import { ReauthClock } from '../core/clock';

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A clock that stands still until a test moves it. Give the same one to the emulator and to the
 * module (the test kit does), and a signed-in session goes stale the moment the test says so,
 * without waiting.
 *
 * @example
 * ```ts
 * const clock = new TestClock(Date.UTC(2030, 0, 1));
 * clock.nowSeconds(); // 1893456000
 * clock.advance(301); // 1893456301
 * clock.set(Date.UTC(2030, 0, 2));
 * ```
 */
export class TestClock extends ReauthClock {
  private currentMs: number;

  /** @param startMs - Milliseconds since the epoch. Default: `Date.now()`, read once, here. */
  constructor(startMs: number = Date.now()) {
    super();
    if (!isFiniteNumber(startMs)) {
      throw new TypeError('TestClock: startMs must be a finite number of milliseconds');
    }
    this.currentMs = startMs;
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return this.currentMs;
  }

  /**
   * Moves the clock forward.
   *
   * @returns The new time, in whole seconds since the epoch.
   * @throws TypeError unless `seconds` is a finite number `>= 0`.
   */
  advance(seconds: number): number {
    if (!isFiniteNumber(seconds) || seconds < 0) {
      throw new TypeError('TestClock: advance() takes a finite number of seconds >= 0');
    }
    this.currentMs += seconds * 1000;
    return this.nowSeconds();
  }

  /**
   * Sets the time, forward or back.
   *
   * @throws TypeError unless `ms` is a finite number.
   */
  set(ms: number): void {
    if (!isFiniteNumber(ms)) {
      throw new TypeError('TestClock: set() takes a finite number of milliseconds');
    }
    this.currentMs = ms;
  }
}
