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

  it('counts a hit through an equal key built from another string as use of the entry', () => {
    // Keys are often slices of a request's token or cookie: each hit brings a new string.
    const tokenA = 'header.payload.signature-of-a';
    cache.set(tokenA.slice(15), 'A', now + 10_000);
    cache.set('b', 'B', now + 10_000);
    cache.set('c', 'C', now + 10_000);
    const copy = `xx${tokenA}`.slice(17);
    expect(copy).toBe(tokenA.slice(15));
    expect(cache.get(copy)).toBe('A');
    cache.set('d', 'D', now + 10_000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('signature-of-a')).toBe('A');
    expect(cache.size).toBe(3);
  });

  it('deletes', () => {
    cache.set('a', 'A', now + 10_000);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
