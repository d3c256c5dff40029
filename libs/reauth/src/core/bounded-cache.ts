/**
 * A small LRU map whose entries also expire (at a time the caller gives, in ms). The caches of
 * the library keep only positive results, bounded in number and in time, so a flood of distinct
 * inputs can cost at most `maxEntries` entries.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { key: string; value: V; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly nowMs: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: Map order is recency order. Under the key it was stored with, not the caller's:
    // a key is often a slice of a larger string (a request's token or cookie), and a slice keeps
    // all of that string alive, so each hit would pin one more copy.
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    if (expiresAtMs <= this.nowMs()) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { key, value, expiresAtMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Keeps only the entries whose value passes `keep`. */
  retain(keep: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (!keep(entry.value)) this.entries.delete(key);
    }
  }
}
