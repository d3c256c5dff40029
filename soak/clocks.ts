import type { AuthKitEmulator } from 'authkit-emulator';
import type { DemoInstance } from './instances';

/**
 * Where users wait while every clock moves. A user enters before each step and leaves after it;
 * closing the gate holds new steps and waits for those under way, so that a "go stale" advance
 * never lands in the middle of someone's sign-in (which would then fail for a reason of the
 * soak's making). A step still under way after `capMs` (one stuck on a hanging dependency) is
 * not waited for.
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

  /** Holds new steps; resolves with how many were still under way after `capMs`. */
  async close(capMs: number): Promise<number> {
    this.closed ??= new Promise<void>((resolve) => (this.reopen = resolve));
    if (this.inFlight === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (this.drained = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs))),
    ]);
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
 */
export class SoakClocks {
  /** How many times the clocks moved: a user signed in before the last move is stale. */
  epoch = 0;
  /** How far the clocks moved in all, in seconds. */
  advancedSeconds = 0;

  constructor(
    private readonly emulator: AuthKitEmulator,
    private readonly instances: readonly DemoInstance[],
  ) {}

  async advance(seconds: number): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.advance(seconds)));
    this.emulator.advanceClock(seconds);
    this.epoch += 1;
    this.advancedSeconds += seconds;
  }
}
