import { ReauthStore } from './reauth.store';
import { ReauthStoreFullError } from './reauth-store-full.error';

/** Options of {@link MemoryReauthStore}. */
export interface MemoryReauthStoreOptions {
  /**
   * The most entries kept, so memory stays bounded whatever the traffic. When it is reached,
   * expired entries are swept; if the store is still full, writes fail (and the library answers
   * 503) rather than silently dropping live entries such as used-state markers. Default 100,000.
   */
  maxEntries?: number;
  /** Milliseconds since the epoch; default `Date.now`. Tests move it instead of waiting. */
  now?: () => number;
}

interface Entry {
  value: string;
  expiresAtMs: number;
}

/**
 * The default {@link ReauthStore}: a bounded in-process map. Correct for one instance; behind a
 * load balancer use a shared store, or a re-auth that starts on one instance cannot finish on
 * another and a callback replayed on another instance is not recognised.
 *
 * @example
 * ```ts
 * const store = new MemoryReauthStore({ maxEntries: 10_000 });
 * await store.setIfAbsent('k', 'v', 60); // true
 * await store.setIfAbsent('k', 'v', 60); // false
 * ```
 */
export class MemoryReauthStore extends ReauthStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryReauthStoreOptions = {}) {
    super();
    const { maxEntries = 100_000, now = Date.now } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('MemoryReauthStore: maxEntries must be a positive integer');
    }
    if (typeof now !== 'function') throw new TypeError('MemoryReauthStore: now must be a function');
    this.maxEntries = maxEntries;
    this.now = now;
  }

  /** Entries held, expired ones included until the next sweep. */
  get size(): number {
    return this.entries.size;
  }

  // Each method does its work synchronously, before its promise settles: that is what makes
  // setIfAbsent and take atomic in one process.
  /** {@inheritDoc ReauthStore.set} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds);
  }

  /** {@inheritDoc ReauthStore.setIfAbsent} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.read(key) !== undefined) return false;
    this.write(key, value, ttlSeconds);
    return true;
  }

  /** {@inheritDoc ReauthStore.get} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async get(key: string): Promise<string | undefined> {
    return this.read(key);
  }

  /** {@inheritDoc ReauthStore.take} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async take(key: string): Promise<string | undefined> {
    const value = this.read(key);
    this.entries.delete(key);
    return value;
  }

  /** {@inheritDoc ReauthStore.increment} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async increment(key: string, ttlSeconds: number): Promise<number> {
    const entry = this.read(key) === undefined ? undefined : this.entries.get(key);
    if (entry === undefined) {
      this.write(key, '1', ttlSeconds);
      return 1;
    }
    const count = Number(entry.value) + 1;
    entry.value = String(count);
    return count;
  }

  private read(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private write(key: string, value: string, ttlSeconds: number): void {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new TypeError('MemoryReauthStore: ttlSeconds must be a positive number');
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.makeRoom();
    this.entries.set(key, { value, expiresAtMs: this.now() + ttlSeconds * 1000 });
  }

  private makeRoom(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs <= now) this.entries.delete(key);
    }
    if (this.entries.size >= this.maxEntries) {
      // Dropping a live entry could revive a used state or lose a grant: fail closed instead.
      throw new ReauthStoreFullError(this.maxEntries);
    }
  }
}
