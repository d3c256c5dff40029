import type { ReauthStoreChannel } from './reauth-store-channel';

/**
 * Where the library keeps what must outlive one request and be shared by every instance of the
 * app: used-state markers (single-use `state`), one-time grants for `@RequireRecentAuth(0)`,
 * actions waiting to be restored, recently refreshed sessions, ended sessions, and the counters
 * that bound how much of it one user or client address can write.
 *
 * It is both the DI token and the type. The module uses {@link MemoryReauthStore} unless
 * `store` is given; several instances need a shared one such as the Redis store.
 *
 * Every method must be atomic for its key, and every entry must expire after `ttlSeconds`.
 * A store that cannot answer must reject: the library then answers 503 and lets nothing through.
 *
 * @example
 * ```ts
 * ReauthModule.forRoot({ ...settings, store: new MemoryReauthStore({ maxEntries: 50_000 }) });
 * ```
 */
export abstract class ReauthStore {
  /** Stores `value` under `key` for `ttlSeconds`, replacing what was there. */
  abstract set(key: string, value: string, ttlSeconds: number): Promise<void>;

  /**
   * Stores `value` only if `key` holds nothing; resolves `true` when this call stored it. Two
   * concurrent calls for one key never both resolve `true`.
   */
  abstract setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;

  /** Reads without removing. */
  abstract get(key: string): Promise<string | undefined>;

  /** Reads and removes in one step: two concurrent calls never both get the value. */
  abstract take(key: string): Promise<string | undefined>;

  /**
   * Adds one to the counter at `key` and resolves the new count. The first increment creates
   * the counter with a lifetime of `ttlSeconds`; later ones do not extend it, so a counter
   * counts within a fixed window. Concurrent calls never resolve the same count.
   */
  abstract increment(key: string, ttlSeconds: number): Promise<number>;

  /**
   * A broadcast to every instance sharing the store, or `undefined` (the default) when the store
   * has none. With one, each instance keeps ended sessions in memory and hears of new ones at
   * once, so that a request of a known session needs no round trip; without one, every
   * authenticated request asks the store. `RedisReauthStore` has one (Redis pub/sub).
   */
  channel(): ReauthStoreChannel | undefined {
    return undefined;
  }

  /** Releases what the store opened; `ReauthModule` calls it when the app shuts down. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
