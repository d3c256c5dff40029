import { MemoryReauthStore } from './memory-reauth.store';

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

  it('stays within maxEntries, dropping expired entries first, then the oldest', async () => {
    await store.set('short', 'v', 1);
    for (let i = 0; i < 9; i++) await store.set(`k${i}`, 'v', 600);
    now += 2000;
    await store.set('new', 'v', 600);
    expect(store.size).toBeLessThanOrEqual(10);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('k8')).toBe('v');
    for (let i = 0; i < 100; i++) await store.set(`flood${i}`, 'v', 600);
    expect(store.size).toBeLessThanOrEqual(10);
    expect(await store.get('flood99')).toBe('v');
  });

  it.each([0, -1, NaN, Infinity])('refuses a ttl of %p', (ttl) => {
    expect(() => store.set('k', 'v', ttl)).toThrow(TypeError);
  });

  it.each([0, -1, 1.5, NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(() => new MemoryReauthStore({ maxEntries })).toThrow(TypeError);
  });
});
