import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { describeReauthStoreContract } from './reauth-store.contract';

const makeStore = () => new MemoryReauthStore();

describe('describeReauthStoreContract', () => {
  it.each([
    [['', makeStore], 'name must be a non-empty string'],
    [[1, makeStore], 'name must be a non-empty string'],
    [['store', undefined], 'makeStore must be a function'],
    [['store', makeStore, null], 'options must be an object'],
    [['store', makeStore, { advanceClock: 1 }], 'advanceClock must be a function'],
    [['store', makeStore, { openSibling: {} }], 'openSibling must be a function'],
    [['store', makeStore, { maxEntries: 0 }], 'maxEntries must be a positive integer'],
    [['store', makeStore, { maxEntries: 1.5 }], 'maxEntries must be a positive integer'],
    [['store', makeStore, { concurrency: 1 }], 'concurrency must be an integer >= 2'],
    [['store', makeStore, { concurrency: '20' }], 'concurrency must be an integer >= 2'],
  ])('refuses the arguments %p', (args, message) => {
    const call = describeReauthStoreContract as (...args: unknown[]) => void;
    expect(() => call(...args)).toThrow(new TypeError(`describeReauthStoreContract: ${message}`));
  });

  it('names the globals it needs when the test runner does not provide them', () => {
    const scope = globalThis as Record<string, unknown>;
    const saved = scope.expect;
    let thrown: unknown;
    delete scope.expect;
    try {
      describeReauthStoreContract('store', makeStore);
    } catch (error) {
      thrown = error;
    } finally {
      scope.expect = saved;
    }
    expect(thrown).toEqual(
      new TypeError(
        'describeReauthStoreContract: run it under a test runner with the globals expect (Jest, or Vitest with globals: true)',
      ),
    );
  });
});
