import { MemoryReauthStore } from './memory-reauth.store';
import { ReauthStoreFullError } from './reauth-store-full.error';

describe('MemoryReauthStore', () => {
  let now: number;
  let store: MemoryReauthStore;

  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new MemoryReauthStore({ now: () => now, maxEntries: 10 });
  });

  it('sets only when absent, once', async () => {
    expect(await store.setIfAbsent('k', 'a', 60)).toBe(true);
    expect(await store.setIfAbsent('k', 'b', 60)).toBe(false);
    expect(await store.get('k')).toBe('a');
  });

  it('takes a value exactly once, even when asked concurrently', async () => {
    await store.set('k', 'v', 60);
    const results = await Promise.all([store.take('k'), store.take('k'), store.take('k')]);
    expect(results.filter((value) => value === 'v')).toHaveLength(1);
  });

  it('expires entries after their ttl', async () => {
    await store.set('k', 'v', 60);
    now += 59_999;
    expect(await store.get('k')).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.setIfAbsent('k', 'again', 60)).toBe(true);
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

  it('counts within a fixed window that later increments do not extend', async () => {
    expect(await store.increment('c', 60)).toBe(1);
    now += 30_000;
    expect(await store.increment('c', 60)).toBe(2);
    expect(await store.increment('c', 60)).toBe(3);
    now += 29_999;
    expect(await store.increment('c', 60)).toBe(4);
    now += 1;
    expect(await store.increment('c', 60)).toBe(1);
    expect(await store.get('c')).toBe('1');
  });

  it('never hands two concurrent increments the same count', async () => {
    const counts = await Promise.all(Array.from({ length: 8 }, () => store.increment('c', 60)));
    expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(store.size).toBe(1);
  });

  it.each([0, -1, NaN, Infinity])('refuses a ttl of %p', async (ttl) => {
    await expect(store.set('k', 'v', ttl)).rejects.toThrow(TypeError);
    await expect(store.increment('c', ttl)).rejects.toThrow(TypeError);
  });

  it.each([0, -1, 1.5, NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(() => new MemoryReauthStore({ maxEntries })).toThrow(TypeError);
  });
});
