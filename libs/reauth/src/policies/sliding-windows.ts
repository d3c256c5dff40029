import { Injectable } from '@nestjs/common';
import { ReauthStore } from '../stores/reauth.store';

/** A sliding window's record: the proof it started from and the last request it let through. */
interface SlideRecord {
  /** When the proof was given (its `auth_time`, or the confirmation's time). */
  p: number;
  /** The last request the window let through. */
  l: number;
}

/** Where a session's window for one level is kept. */
function slideKey(sessionKey: string, level: string): string {
  return `reauth:slide:${sessionKey}:${level}`;
}

/**
 * Sliding windows (a level's `slide`), in the store so that every instance sees the same one:
 * each request the level lets through moves the window's end to `maxAge` after that request, up
 * to `capSeconds` after the proof itself. A new proof starts a new window; a window the store
 * lost is simply gone (the route asks again), never extended.
 */
@Injectable()
export class SlidingWindows {
  constructor(private readonly store: ReauthStore) {}

  /**
   * Whether the window of `proofAt` is still open at `now`: the proof is the one the window
   * started from, the last request it let through is within `maxAge`, and the cap has not passed.
   */
  async isOpen(
    sessionKey: string,
    level: string,
    proofAt: number,
    now: number,
    window: { maxAge: number; capSeconds: number; toleranceSeconds: number },
  ): Promise<boolean> {
    if (now - proofAt > window.capSeconds) return false;
    const raw = await this.store.get(slideKey(sessionKey, level));
    const record = parse(raw);
    return record !== undefined && record.p === proofAt && now - record.l <= window.maxAge;
  }

  /** Records a request the window let through: its end moves to `now + maxAge`, within the cap. */
  async extend(
    sessionKey: string,
    level: string,
    proofAt: number,
    now: number,
    window: { maxAge: number; capSeconds: number; toleranceSeconds: number },
  ): Promise<void> {
    const ttl =
      Math.min(window.maxAge, proofAt + window.capSeconds - now) + window.toleranceSeconds;
    if (ttl <= 0) return;
    const record: SlideRecord = { p: proofAt, l: now };
    await this.store.set(slideKey(sessionKey, level), JSON.stringify(record), ttl);
  }
}

function parse(raw: string | undefined): SlideRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    return Number.isSafeInteger(value.p) && Number.isSafeInteger(value.l)
      ? { p: value.p as number, l: value.l as number }
      : undefined;
  } catch {
    return undefined;
  }
}
