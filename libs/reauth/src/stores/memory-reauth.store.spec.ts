import { describeReauthStoreContract } from '../testing/reauth-store.contract';
import { TestClock } from '../testing/test-clock';
import { MemoryReauthStore } from './memory-reauth.store';
import { ReauthStoreFullError } from './reauth-store-full.error';

const contractClock = new TestClock(1_700_000_000_000);
describeReauthStoreContract(
  'MemoryReauthStore',
  () => new MemoryReauthStore({ now: () => contractClock.now(), maxEntries: 10 }),
  { advanceClock: (seconds) => contractClock.advance(seconds), maxEntries: 10 },
);

describe('MemoryReauthStore', () => {
  let now: number;
  let store: MemoryReauthStore;

  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new MemoryReauthStore({ now: () => now, maxEntries: 10 });
  });

  it('stays within maxEntries: sweeps expired entries, then refuses writes rather than drop live ones', async () => {
    await store.set('short', 'v', 1);
    for (let i = 0; i < 9; i++) await store.set(`k${i}`, 'v', 600);
    now += 2000;
    await store.set('new', 'v', 600);
    expect(store.size).toBe(10);
    expect(await store.get('short')).toBeUndefined();
    await expect(store.set('overflow', 'v', 600)).rejects.toThrow(new ReauthStoreFullError(10));
    await expect(store.set('overflow', 'v', 600)).rejects.toMatchObject({ code: 'store_full' });
    await expect(store.increment('counter', 600)).rejects.toThrow(ReauthStoreFullError);
    await expect(store.setIfAbsent('overflow', 'v', 600)).rejects.toThrow(/is full/);
    expect(await store.get('k0')).toBe('v');
    await store.set('k0', 'replaced', 600);
    expect(await store.get('k0')).toBe('replaced');
    now += 600_000;
    await store.set('after-expiry', 'v', 600);
    expect(store.size).toBe(1);
  });

  it('holds one entry for a counter however many increments race', async () => {
    await Promise.all(Array.from({ length: 8 }, () => store.increment('c', 60)));
    expect(store.size).toBe(1);
  });

  it('refuses a ttl with the store named in the message', async () => {
    await expect(store.set('k', 'v', 0)).rejects.toThrow(
      new TypeError('MemoryReauthStore: ttlSeconds must be a positive number'),
    );
  });

  it.each([0, -1, 1.5, NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(() => new MemoryReauthStore({ maxEntries })).toThrow(TypeError);
  });
});
