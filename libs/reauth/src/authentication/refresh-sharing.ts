import { Injectable, Logger } from '@nestjs/common';
import type { ProviderSession } from '../providers/identity-provider';
import { ReauthEvents } from '../events/reauth-events';
import { STORE_KEYS } from '../core/constants';
import { ReauthStore } from '../stores/reauth.store';
import { SessionUnsealer } from './session-unsealer';
import { storeFailure } from './store-failure';

/** A refresh that produced a new session: the sealed value to set, and what it holds. */
export interface RefreshedSession {
  status: 'refreshed';
  sealedSession: string;
  session: ProviderSession;
}

// Long enough for concurrent requests of one page load to share a refresh, short enough that
// an old cookie replayed later does not revive a session.
const REFRESH_SHARE_SECONDS = 30;
// How long one instance may hold a cookie's refresh to itself: past a provider call's own bounds
// (the SDK's 10 s timeout), so a waiting instance never takes over a refresh still in flight.
const REFRESH_LOCK_SECONDS = 20;
// How often an instance waiting on another's refresh looks for its result.
const REFRESH_POLL_MS = 25;

/**
 * A cookie's refresh, shared through the store between the instances that see the cookie. A
 * refresh token is single-use: two instances exchanging it at once would have the second refused,
 * which ends the session the first just renewed. So one instance at a time holds a cookie's
 * refresh (a lock in the store, for at most {@link REFRESH_LOCK_SECONDS}), and the others wait for
 * its result, shared for {@link REFRESH_SHARE_SECONDS}. Sharing is an optimisation: a store that
 * fails at it is logged and done without. Every method takes the cookie's key (a digest of it).
 */
@Injectable()
export class RefreshSharing {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly store: ReauthStore,
    private readonly events: ReauthEvents,
    private readonly unsealer: SessionUnsealer,
  ) {}

  /**
   * The refresh another instance made (or is making) of this cookie, or `undefined` when it is
   * this request's turn to refresh. A store that fails lets this request go ahead, as before
   * there was sharing.
   */
  async sharedOrTurn(key: string): Promise<RefreshedSession | undefined> {
    const lockKey = STORE_KEYS.refreshLock + key;
    const deadline = performance.now() + REFRESH_LOCK_SECONDS * 1000;
    for (;;) {
      const shared = await this.sharedResult(key);
      if (shared) return shared;
      let ours: boolean;
      try {
        ours = await this.store.setIfAbsent(lockKey, '1', REFRESH_LOCK_SECONDS);
      } catch (error) {
        this.sharingFailed(error);
        return undefined;
      }
      if (ours || performance.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
    }
  }

  /** The refresh of this cookie another instance shared, if there is one that opens. */
  async sharedResult(key: string): Promise<RefreshedSession | undefined> {
    let value: string | undefined;
    try {
      value = await this.store.get(STORE_KEYS.refresh + key);
    } catch (error) {
      this.sharingFailed(error);
      return undefined;
    }
    if (value === undefined) return undefined;
    const session = await this.unsealer.unseal(value);
    if (!session) return undefined;
    return { status: 'refreshed', sealedSession: value, session };
  }

  /** Shares the new session (sealed: the store never sees a token in the clear). */
  async share(key: string, sealedSession: string): Promise<void> {
    try {
      await this.store.set(STORE_KEYS.refresh + key, sealedSession, REFRESH_SHARE_SECONDS);
    } catch (error) {
      this.sharingFailed(error);
    }
  }

  /** Gives up this instance's hold on the refresh, without waiting: the lock expires anyway. */
  release(key: string): void {
    this.store.take(STORE_KEYS.refreshLock + key).catch(() => undefined);
  }

  private sharingFailed(error: unknown): void {
    this.events.emit({ type: 'store.unavailable', effect: 'degraded' });
    this.logger.warn(
      `Sharing a refreshed session through the store failed${storeFailure(error)}; going on without sharing`,
    );
  }
}
