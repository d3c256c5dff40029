import type { ReauthStore } from '../stores/reauth.store';

/** Options of {@link describeReauthStoreContract}: what the store under test can show. */
export interface ReauthStoreContractOptions {
  /**
   * Moves the clock the store reads (for example a {@link TestClock} given to the store) forward
   * by `seconds`; a promise it returns is awaited. With it the suite checks that entries and
   * counters expire after `ttlSeconds`, to the millisecond; without it (a store on a server's
   * clock, such as Redis) those checks are skipped: the suite never sleeps.
   */
  advanceClock?: (seconds: number) => unknown;
  /**
   * The most live entries the store made by `makeStore` holds, for a bounded store. With it the
   * suite fills the store and checks that further writes reject with a `ReauthStoreFullError`
   * while live entries stay readable and replaceable. Keep it small: the suite writes that many
   * entries.
   */
  maxEntries?: number;
  /**
   * Opens a second handle on the data of `store`, as a second instance of the app would (the
   * same Redis and key prefix, for example). With it the concurrency checks run half their calls
   * through each handle. The suite closes what it opens.
   */
  openSibling?: (store: ReauthStore) => ReauthStore | Promise<ReauthStore>;
  /** How many calls race in each concurrency check. Default 20. */
  concurrency?: number;
}
