import { Logger } from '@nestjs/common';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthMetrics } from '../events/reauth-metrics';
import { FunctionReauthClock } from '../core/clock';
import { STORE_KEYS } from '../core/constants';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { ReauthStore } from '../stores/reauth.store';
import { SessionRevocations } from './session-revocations';

const START = 1_800_000_000;

describe('SessionRevocations', () => {
  let nowSeconds: number;
  let store: MemoryReauthStore;
  let errors: string[];

  const revocationsOn = (on: ReauthStore) => {
    const clock = new FunctionReauthClock(() => nowSeconds * 1000);
    const events = new ReauthEvents({ events: {} } as never, clock, ReauthMetrics.create(false));
    return new SessionRevocations(on, clock, events, { revocationView: false });
  };

  beforeEach(() => {
    nowSeconds = START;
    store = new MemoryReauthStore({ now: () => nowSeconds * 1000 });
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      errors.push(String(message));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('vouches for tokens issued since the store began keeping sign-outs, and only for those', async () => {
    const revocations = revocationsOn(store);
    await expect(revocations.status('session_a', { iat: START })).resolves.toBe('live');
    await expect(revocations.status('session_a', { iat: START - 1 })).resolves.toBe('unvouched');
    await expect(revocations.status('session_a', { iat: undefined })).resolves.toBe('unvouched');
    await expect(revocations.status('session_a', { iat: '1800000000' })).resolves.toBe('unvouched');
  });

  it('reports a recorded sign-out as revoked, whenever the token was issued', async () => {
    const revocations = revocationsOn(store);
    await revocations.record('session_a', 600);
    await expect(revocations.status('session_a', { iat: START + 10 })).resolves.toBe('revoked');
    await expect(revocations.isRevoked('session_a')).resolves.toBe(true);
    await expect(revocations.isRevoked('session_b')).resolves.toBe(false);
  });

  it('learns the generation at start-up, and tells a loss from a store empty from the start', async () => {
    const revocations = revocationsOn(store);
    await revocations.onApplicationBootstrap();
    nowSeconds += 10;
    await store.take(STORE_KEYS.generation);
    await expect(revocations.status('session_a', { iat: START + 10 })).resolves.toBe('unvouched');
    expect(errors).toHaveLength(1);
  });

  it('shares one generation between instances of one store', async () => {
    const first = revocationsOn(store);
    await first.status(undefined, { iat: START });
    nowSeconds += 100;
    const second = revocationsOn(store);
    // The second instance started later, but the store has kept everything since START.
    await expect(second.status('session_a', { iat: START + 1 })).resolves.toBe('live');
  });

  it('notices a store that lost its data: tokens issued before are unvouched from then on', async () => {
    const revocations = revocationsOn(store);
    await revocations.record('session_a', 600);
    await expect(revocations.status('session_b', { iat: START })).resolves.toBe('live');
    nowSeconds += 60;
    for (const key of [STORE_KEYS.generation, STORE_KEYS.revokedSession + 'session_a']) {
      await store.take(key);
    }
    // The sign-out was lost with it: the token of that session is not let through unasked.
    await expect(revocations.status('session_a', { iat: START + 30 })).resolves.toBe('unvouched');
    // Whole seconds: a token issued in the second the loss was seen may be older than it.
    await expect(revocations.status('session_b', { iat: START + 60 })).resolves.toBe('unvouched');
    await expect(revocations.status('session_b', { iat: START + 61 })).resolves.toBe('live');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('The store lost the sessions it had recorded as signed out');
  });

  it('notices a generation replaced by another instance that saw the loss first', async () => {
    const revocations = revocationsOn(store);
    await revocations.status(undefined, { iat: START });
    nowSeconds += 60;
    await store.take(STORE_KEYS.generation);
    await revocationsOn(store).status(undefined, { iat: START });
    await expect(revocations.status('session_a', { iat: START + 30 })).resolves.toBe('unvouched');
  });

  it('writes over a value that is not a generation', async () => {
    await store.set(STORE_KEYS.generation, 'planted', 60);
    nowSeconds += 5;
    const revocations = revocationsOn(store);
    await expect(revocations.status('session_a', { iat: START })).resolves.toBe('unvouched');
    await expect(revocations.status('session_a', { iat: START + 5 })).resolves.toBe('live');
  });

  it('answers 503 when the store fails, and refuses to report an unrecorded sign-out as done', async () => {
    class BrokenStore extends MemoryReauthStore {
      override get(): Promise<string | undefined> {
        return Promise.reject(new Error('ECONNRESET'));
      }
      override set(): Promise<void> {
        return Promise.reject(new Error('ECONNRESET'));
      }
    }
    const revocations = revocationsOn(new BrokenStore());
    await expect(revocations.status('session_a', { iat: START })).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
    await expect(revocations.record('session_a', 60)).rejects.toBeInstanceOf(
      ReauthUnavailableException,
    );
  });

  it('answers 503 when the store keeps no generation at all', async () => {
    class ForgetfulStore extends MemoryReauthStore {
      override setIfAbsent(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    await expect(
      revocationsOn(new ForgetfulStore()).status('session_a', { iat: START }),
    ).rejects.toBeInstanceOf(ReauthUnavailableException);
  });

  describe("a user's watermark", () => {
    it('ends every token of the user issued at or before it, and no other', async () => {
      const revocations = revocationsOn(store);
      await revocations.recordUser('user_a', START + 10, 600);
      const status = (sub: string, iat: unknown) => revocations.status('s', { sub, iat });
      await expect(status('user_a', START + 10)).resolves.toBe('revoked');
      await expect(status('user_a', START)).resolves.toBe('revoked');
      await expect(status('user_a', START + 11)).resolves.toBe('live');
      await expect(status('user_b', START + 5)).resolves.toBe('live');
      // A token that does not say when it was issued cannot be told apart: ended.
      await expect(status('user_a', undefined)).resolves.toBe('revoked');
      await expect(revocations.isRevoked('s', { sub: 'user_a', iat: START + 3 })).resolves.toBe(
        true,
      );
      await expect(revocations.isRevoked('s', { sub: 'user_a', iat: START + 30 })).resolves.toBe(
        false,
      );
    });

    it('keeps the later of two watermarks, whatever order they come in', async () => {
      const revocations = revocationsOn(store);
      await revocations.recordUser('user_a', START + 20, 600);
      await revocations.recordUser('user_a', START + 5, 600);
      await expect(revocations.status('s', { sub: 'user_a', iat: START + 15 })).resolves.toBe(
        'revoked',
      );
      expect(await store.get(`${STORE_KEYS.revokedUser}user_a`)).toBe(String(START + 20));
    });

    it('is seen by another instance sharing the store', async () => {
      await revocationsOn(store).recordUser('user_a', START + 10, 600);
      await expect(
        revocationsOn(store).status('s', { sub: 'user_a', iat: START + 10 }),
      ).resolves.toBe('revoked');
    });

    it('reads a stored value that is not a watermark as the end of every token of the user', async () => {
      await store.set(`${STORE_KEYS.revokedUser}user_a`, 'soon', 600);
      const revocations = revocationsOn(store);
      await expect(revocations.status('s', { sub: 'user_a', iat: START + 100 })).resolves.toBe(
        'revoked',
      );
      await expect(revocations.status('s', { sub: 'user_b', iat: START + 100 })).resolves.toBe(
        'live',
      );
      // A signal replaces it with a real watermark.
      await revocations.recordUser('user_a', START + 10, 600);
      await expect(revocations.status('s', { sub: 'user_a', iat: START + 100 })).resolves.toBe(
        'live',
      );
    });
  });

  describe('with a channel, ends lost while the generation stays', () => {
    /** A memory store with a channel that counts ends, as the Redis store's does in one step. */
    class CountingStore extends MemoryReauthStore {
      override channel() {
        return {
          setAndPublish: async (
            key: string,
            value: string,
            ttl: number,
            _message: string,
            counter?: { key: string; ttlSeconds: number },
          ) => {
            await this.set(key, value, ttl);
            return counter ? this.increment(counter.key, counter.ttlSeconds) : undefined;
          },
          publish: () => Promise.resolve(),
          subscribe: () => Promise.resolve({ close: () => Promise.resolve() }),
        };
      }
    }

    it('are a loss on every instance that saw the higher count: tokens from before are unvouched', async () => {
      const shared = new CountingStore({ now: () => nowSeconds * 1000 });
      const writer = revocationsOn(shared);
      const reader = revocationsOn(shared);
      await expect(writer.status('s0', { iat: START })).resolves.toBe('live');
      await writer.record('s1', 600);
      // The other instance reads the session, and the count along with it.
      await expect(reader.status('s1', { iat: START })).resolves.toBe('revoked');
      // A failover to a replica that has the generation but not the last end, nor its count.
      await shared.take(`${STORE_KEYS.revokedSession}s1`);
      await shared.set(STORE_KEYS.revocationCount, '0', 600);
      nowSeconds += 5;
      for (const instance of [reader, writer]) {
        await expect(instance.status('s1', { iat: START })).resolves.toBe('unvouched');
        await expect(instance.status('s2', { iat: START + 4 })).resolves.toBe('unvouched');
      }
      expect(errors.some((line) => line.includes('while keeping the rest'))).toBe(true);
      // A token issued after the loss is vouched for again.
      await expect(reader.status('s3', { iat: START + 7 })).resolves.toBe('live');
    });

    it('is not a loss when the count only grows', async () => {
      const shared = new CountingStore({ now: () => nowSeconds * 1000 });
      const one = revocationsOn(shared);
      const two = revocationsOn(shared);
      await one.record('s1', 600);
      await two.record('s2', 600);
      await expect(one.status('s3', { iat: START })).resolves.toBe('live');
      await expect(two.status('s3', { iat: START })).resolves.toBe('live');
      expect(errors).toEqual([]);
    });
  });
});
