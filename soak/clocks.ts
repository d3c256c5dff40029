import type { AuthKitEmulator } from 'authkit-emulator';
import type { DemoInstance } from './instances';

/**
 * Where work waits while every clock moves. Whatever enters before it starts and leaves when it
 * ends: closing the gate holds new work and waits for the work under way. The soak has two: one
 * for users' steps (so that a "go stale" advance never lands in the middle of someone's sign-in;
 * a step stuck on a hanging dependency is not waited for longer than a cap) and one for single
 * requests, which every clock move closes without a cap (see {@link SoakClocks}).
 */
export class Gate {
  private closed?: Promise<void>;
  private reopen?: () => void;
  private inFlight = 0;
  private drained?: () => void;

  async enter(): Promise<void> {
    while (this.closed) await this.closed;
    this.inFlight += 1;
  }

  leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.drained?.();
  }

  /**
   * Holds new work; resolves with how much was still under way after `capMs` (by default, waits
   * until none is).
   */
  async close(capMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.closed ??= new Promise<void>((resolve) => (this.reopen = resolve));
    if (this.inFlight === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<void>((resolve) => (this.drained = resolve));
    await (Number.isFinite(capMs)
      ? Promise.race([
          drained,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs))),
        ])
      : drained);
    clearTimeout(timer);
    this.drained = undefined;
    return this.inFlight;
  }

  open(): void {
    const reopen = this.reopen;
    this.closed = undefined;
    this.reopen = undefined;
    reopen?.();
  }
}

/**
 * Every clock of the system: the emulator's (in this process) and each instance's (an offset on
 * `Date.now()`, moved over IPC). They start equal and always move together, so that a sign-in
 * "five minutes ago" is five minutes ago for AuthKit and for both instances.
 *
 * They move between requests, never during one: a move waits until no request of any user is
 * under way (each ends within the browser's timeout) and holds new ones until every clock has
 * moved. Otherwise a request on a loaded machine could span the move, and see both times: a
 * code exchange whose token AuthKit issues before the move and an instance verifies after it
 * finds that token expired (a 502 of the soak's making, not of the library's); a request in
 * the moment between the instances' move and the emulator's would see the clocks disagree.
 * Moving 310 s within a 50 ms request is not something time does; between two requests of a
 * flow, it is.
 */
export class SoakClocks {
  /** How many times the clocks moved: a user signed in before the last move is stale. */
  epoch = 0;
  /** How far the clocks moved in all, in seconds. */
  advancedSeconds = 0;
  /** Every request of the users enters it: the clocks move while none is under way. */
  readonly requests = new Gate();

  constructor(
    private readonly emulator: AuthKitEmulator,
    private readonly instances: readonly DemoInstance[],
  ) {}

  async advance(seconds: number): Promise<void> {
    await this.requests.close();
    try {
      await Promise.all(this.instances.map((instance) => instance.advance(seconds)));
      this.emulator.advanceClock(seconds);
      this.epoch += 1;
      this.advancedSeconds += seconds;
    } finally {
      this.requests.open();
    }
  }
}
