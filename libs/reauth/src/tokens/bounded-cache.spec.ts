import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  let now: number;
  let cache: BoundedCache<string>;

  beforeEach(() => {
    now = 1_000_000;
    cache = new BoundedCache(3, () => now);
  });

  it('forgets an entry at its expiry, not a millisecond later', () => {
    cache.set('a', 'A', now + 1000);
    now += 999;
    expect(cache.get('a')).toBe('A');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('never stores what is already expired', () => {
    cache.set('a', 'A', now);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    cache.set('a', 'A', now + 10_000);
    cache.set('b', 'B', now + 10_000);
    cache.set('c', 'C', now + 10_000);
    expect(cache.get('a')).toBe('A');
    cache.set('d', 'D', now + 10_000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    for (let i = 0; i < 1000; i++) cache.set(`flood${i}`, 'x', now + 10_000);
    expect(cache.size).toBe(3);
  });

  it('deletes', () => {
    cache.set('a', 'A', now + 10_000);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
