import { MemoryReauthStore, type MemoryReauthStoreOptions } from 'nest-workos-reauth';

type StoreMethod = 'set' | 'setIfAbsent' | 'get' | 'take' | 'increment';

/**
 * A memory store whose chosen methods reject for keys with the chosen prefixes, as a store that
 * lost its connection does, while everything else keeps working.
 */
export class FaultyStore extends MemoryReauthStore {
  /** Keys whose calls were refused, in order. */
  readonly refused: string[] = [];

  constructor(
    private readonly failing: { methods: StoreMethod[]; prefixes: string[] },
    options: MemoryReauthStoreOptions = {},
  ) {
    super(options);
  }

  override set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.failIf('set', key) ?? super.set(key, value, ttlSeconds);
  }

  override setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.failIf('setIfAbsent', key) ?? super.setIfAbsent(key, value, ttlSeconds);
  }

  override get(key: string): Promise<string | undefined> {
    return this.failIf('get', key) ?? super.get(key);
  }

  override take(key: string): Promise<string | undefined> {
    return this.failIf('take', key) ?? super.take(key);
  }

  override increment(key: string, ttlSeconds: number): Promise<number> {
    return this.failIf('increment', key) ?? super.increment(key, ttlSeconds);
  }

  private failIf(method: StoreMethod, key: string): Promise<never> | undefined {
    if (
      !this.failing.methods.includes(method) ||
      !this.failing.prefixes.some((prefix) => key.startsWith(prefix))
    ) {
      return undefined;
    }
    this.refused.push(key);
    const error = Object.assign(new Error('Connection is closed.'), { code: 'ECONNRESET' });
    return Promise.reject(error);
  }
}

/** Fills a memory store with filler entries until it refuses a write (it is then full). */
export async function fillUp(store: MemoryReauthStore, ttlSeconds = 3600): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await store.set(`filler:${i}`, 'x', ttlSeconds);
    } catch {
      return;
    }
  }
}
