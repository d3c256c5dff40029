import type { ReauthStore } from '../stores/reauth.store';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';
import { checkContractArguments, testGlobals } from './reauth-store.contract.checks';
import type { ReauthStoreContractOptions } from './reauth-store.contract.options';

export type { ReauthStoreContractOptions } from './reauth-store.contract.options';

/**
 * Declares a test suite that checks a {@link ReauthStore} keeps every promise the library relies
 * on: `setIfAbsent` stores only for the first caller, `take` hands a value to exactly one caller,
 * counters count in a fixed window without handing two callers the same count, entries expire
 * after their `ttlSeconds`, a bad `ttlSeconds` is refused, keys never collide, a bounded
 * store refuses writes rather than drop live entries, and a store with a channel delivers what
 * any handle publishes, stores with `setAndPublish` before the message is heard, and stops
 * delivering to a closed subscription.
 *
 * Call it at the top level of a test file. It uses the test runner's globals `describe`, `it`,
 * `beforeEach`, `afterEach` and `expect` (Jest, or Vitest with `globals: true`), and throws a
 * `TypeError` when they are missing or an argument is wrong. Each test gets a store of its own
 * from `makeStore`, and the suite calls its `close()` afterwards; with a shared server, give each
 * store a fresh key prefix so tests do not see each other's keys.
 *
 * @param name - Names the suite, such as the store's class.
 * @param makeStore - Makes an empty store for one test.
 * @param options - What the store can show: a clock to move, a bound, a second handle.
 *
 * @example
 * ```ts
 * import { MemoryReauthStore } from 'nest-workos-reauth';
 * import { describeReauthStoreContract, TestClock } from 'nest-workos-reauth/testing';
 *
 * const clock = new TestClock();
 * describeReauthStoreContract(
 *   'MemoryReauthStore',
 *   () => new MemoryReauthStore({ now: () => clock.now(), maxEntries: 10 }),
 *   { advanceClock: (seconds) => clock.advance(seconds), maxEntries: 10 },
 * );
 * ```
 */
export function describeReauthStoreContract(
  name: string,
  makeStore: () => ReauthStore | Promise<ReauthStore>,
  options: ReauthStoreContractOptions = {},
): void {
  checkContractArguments(name, makeStore, options);
  const { describe, it, beforeEach, afterEach, expect } = testGlobals();
  const { advanceClock, maxEntries, openSibling, concurrency = 20 } = options;

  describe(`${name} keeps the ReauthStore contract`, () => {
    let store: ReauthStore;
    let opened: ReauthStore[];

    beforeEach(async () => {
      store = await makeStore();
      opened = [store];
    });
    afterEach(async () => {
      await Promise.all(opened.map((each) => each.close()));
    });

    /** The handles the racing calls alternate between: the store, and a sibling if it has one. */
    async function handles(): Promise<ReauthStore[]> {
      if (!openSibling) return [store];
      const sibling = await openSibling(store);
      opened.push(sibling);
      return [store, sibling];
    }

    function race<T>(all: ReauthStore[], call: (handle: ReauthStore, i: number) => Promise<T>) {
      return Promise.all(
        Array.from({ length: concurrency }, (_, i) => call(all[i % all.length], i)),
      );
    }

    it('reads what it set, and nothing for a key it never set', async () => {
      await store.set('k', 'v', 60);
      expect(await store.get('k')).toBe('v');
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.take('missing')).toBeUndefined();
    });

    it('replaces a value on set', async () => {
      await store.set('k', 'first', 60);
      await store.set('k', 'second', 60);
      expect(await store.get('k')).toBe('second');
    });

    it('sets only when absent, once, keeping the first value', async () => {
      expect(await store.setIfAbsent('k', 'a', 60)).toBe(true);
      expect(await store.setIfAbsent('k', 'b', 60)).toBe(false);
      expect(await store.get('k')).toBe('a');
    });

    it('lets exactly one of many concurrent setIfAbsent calls win', async () => {
      const all = await handles();
      const results = await race(all, (handle, i) => handle.setIfAbsent('once', String(i), 60));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('once')).toBe(String(results.indexOf(true)));
    });

    it('takes a value once: read and removed in one step', async () => {
      await store.set('k', 'v', 60);
      expect(await store.take('k')).toBe('v');
      expect(await store.take('k')).toBeUndefined();
      expect(await store.get('k')).toBeUndefined();
      expect(await store.setIfAbsent('k', 'again', 60)).toBe(true);
    });

    it('hands a value to exactly one of many concurrent takes', async () => {
      const all = await handles();
      await store.set('single', 'value', 60);
      const results = await race(all, (handle) => handle.take('single'));
      expect(results.filter((value) => value === 'value')).toHaveLength(1);
      expect(results.filter((value) => value !== undefined)).toHaveLength(1);
      expect(await store.get('single')).toBeUndefined();
    });

    it('counts up from 1, and the count reads back as a string', async () => {
      expect(await store.increment('c', 60)).toBe(1);
      expect(await store.increment('c', 60)).toBe(2);
      expect(await store.get('c')).toBe('2');
    });

    it('never hands two concurrent increments the same count', async () => {
      const all = await handles();
      const counts = await race(all, (handle) => handle.increment('counter', 60));
      expect([...counts].sort((a, b) => a - b)).toEqual(
        Array.from({ length: concurrency }, (_, i) => i + 1),
      );
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const keys = ['a', 'a:b', 'a:b:c', 'A', 'a ', 'state:é✓', 'x'.repeat(200)];
      await Promise.all(keys.map((key) => store.set(key, `value of ${key}`, 60)));
      for (const key of keys) expect(await store.get(key)).toBe(`value of ${key}`);
      await store.take('a:b');
      expect(await store.get('a')).toBe('value of a');
      expect(await store.get('a:b:c')).toBe('value of a:b:c');
    });

    it('keeps values exactly as given', async () => {
      const value = JSON.stringify({ returnTo: '/a?b=1&c=é', nonce: 'n\u0000\n"\'' });
      await store.set('json', value, 60);
      expect(await store.get('json')).toBe(value);
      expect(await store.take('json')).toBe(value);
    });

    for (const ttl of [0, -1, NaN, Infinity, -Infinity]) {
      it(`refuses a ttlSeconds of ${String(ttl)} with a TypeError, storing nothing`, async () => {
        await expect(store.set('k', 'v', ttl)).rejects.toBeInstanceOf(TypeError);
        await expect(store.setIfAbsent('k', 'v', ttl)).rejects.toBeInstanceOf(TypeError);
        await expect(store.increment('c', ttl)).rejects.toBeInstanceOf(TypeError);
        expect(await store.get('k')).toBeUndefined();
        expect(await store.get('c')).toBeUndefined();
      });
    }

    if (advanceClock) {
      describe('on a clock the test moves', () => {
        it('expires entries after their ttl, to the millisecond', async () => {
          await store.set('k', 'v', 60);
          await advanceClock(59.999);
          expect(await store.get('k')).toBe('v');
          await advanceClock(0.001);
          expect(await store.get('k')).toBeUndefined();
          expect(await store.take('k')).toBeUndefined();
          expect(await store.setIfAbsent('k', 'again', 60)).toBe(true);
        });

        it('lets setIfAbsent store again once the entry expired', async () => {
          await store.setIfAbsent('k', 'first', 10);
          await advanceClock(10);
          expect(await store.setIfAbsent('k', 'second', 10)).toBe(true);
          expect(await store.get('k')).toBe('second');
        });

        it('gives a replaced value the new ttl', async () => {
          await store.set('k', 'short', 10);
          await store.set('k', 'long', 60);
          await advanceClock(30);
          expect(await store.get('k')).toBe('long');
        });

        it('counts within a fixed window that later increments do not extend', async () => {
          expect(await store.increment('c', 60)).toBe(1);
          await advanceClock(30);
          expect(await store.increment('c', 60)).toBe(2);
          expect(await store.increment('c', 60)).toBe(3);
          await advanceClock(29.999);
          expect(await store.increment('c', 60)).toBe(4);
          await advanceClock(0.001);
          expect(await store.increment('c', 60)).toBe(1);
          expect(await store.get('c')).toBe('1');
        });
      });
    }

    describe('its channel, if it has one', () => {
      /** Subscribes through `on`, and resolves once the subscription holds (its `up()`). */
      async function listen(on: ReauthStore) {
        const channel = on.channel()!;
        const messages: string[] = [];
        let arrived: () => void = () => undefined;
        let upped: () => void = () => undefined;
        const up = new Promise<void>((resolve) => (upped = resolve));
        const subscription = await channel.subscribe({
          message: (text) => {
            messages.push(text);
            arrived();
          },
          up: () => upped(),
          down: () => undefined,
        });
        await within(up, 'the subscription never came up');
        /** Resolves once `count` messages have arrived. */
        const received = (count: number) =>
          within(
            new Promise<void>((resolve) => {
              arrived = () => {
                if (messages.length >= count) resolve();
              };
              arrived();
            }),
            `${count} messages never arrived (${messages.length} did)`,
          );
        return { messages, received, subscription };
      }

      it('is the same channel on every call, or none on every call', () => {
        expect(store.channel()).toBe(store.channel());
      });

      it('delivers what any handle publishes, in order, to every subscriber', async () => {
        if (store.channel() === undefined) return;
        const [, other = store] = await handles();
        const here = await listen(store);
        const there = await listen(other);
        await store.channel()!.publish('first');
        await other.channel()!.publish('second');
        await store.channel()!.publish('third');
        for (const side of [here, there]) {
          await side.received(3);
          expect(side.messages.filter((m) => m !== 'second')).toEqual(['first', 'third']);
          expect(side.messages.includes('second')).toBe(true);
        }
        await here.subscription.close();
        await there.subscription.close();
      });

      it('stores with setAndPublish before any subscriber hears of it', async () => {
        if (store.channel() === undefined) return;
        const [, other = store] = await handles();
        // What the value reads as on the other handle the moment its message arrives there.
        let seen: Promise<string | undefined> | undefined;
        let heard: () => void = () => undefined;
        const heardIt = new Promise<void>((resolve) => (heard = resolve));
        let upped: () => void = () => undefined;
        const up = new Promise<void>((resolve) => (upped = resolve));
        const subscription = await other.channel()!.subscribe({
          message: (text) => {
            if (text !== 'ended:s1' || seen) return;
            seen = other.get('ended:s1');
            heard();
          },
          up: () => upped(),
          down: () => undefined,
        });
        await within(up, 'the subscription never came up');
        await store.channel()!.setAndPublish('ended:s1', '1', 60, 'ended:s1');
        await within(heardIt, 'the message never arrived');
        expect(await seen).toBe('1');
        expect(await store.get('ended:s1')).toBe('1');
        await subscription.close();
      });

      it('stops delivering to a subscription once it is closed', async () => {
        if (store.channel() === undefined) return;
        const gone = await listen(store);
        const stays = await listen(store);
        await gone.subscription.close();
        await store.channel()!.publish('after');
        await stays.received(1);
        expect(gone.messages).toEqual([]);
        await stays.subscription.close();
      });
    });

    if (maxEntries !== undefined) {
      describe(`when it holds ${maxEntries} live entries`, () => {
        beforeEach(async () => {
          for (let i = 0; i < maxEntries; i++) await store.set(`k${i}`, 'v', 600);
        });

        it('refuses new keys with a ReauthStoreFullError rather than drop live entries', async () => {
          await expect(store.set('overflow', 'v', 600)).rejects.toBeInstanceOf(
            ReauthStoreFullError,
          );
          await expect(store.set('overflow', 'v', 600)).rejects.toMatchObject({
            code: 'store_full',
          });
          await expect(store.setIfAbsent('overflow', 'v', 600)).rejects.toBeInstanceOf(
            ReauthStoreFullError,
          );
          await expect(store.increment('counter', 600)).rejects.toBeInstanceOf(
            ReauthStoreFullError,
          );
          for (let i = 0; i < maxEntries; i++) expect(await store.get(`k${i}`)).toBe('v');
        });

        it('still replaces and takes live entries', async () => {
          await store.set('k0', 'replaced', 600);
          expect(await store.get('k0')).toBe('replaced');
          expect(await store.take('k1')).toBe('v');
          await store.set('after-take', 'v', 600);
          expect(await store.get('after-take')).toBe('v');
        });

        if (advanceClock) {
          it('makes room once entries expire', async () => {
            await advanceClock(600);
            await store.set('after-expiry', 'v', 600);
            expect(await store.get('after-expiry')).toBe('v');
          });
        }
      });
    }
  });
}

/** `promise`, or a rejection naming `what` after 5 s: the suite waits on events, never sleeps. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`describeReauthStoreContract: ${what}`)), 5000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
