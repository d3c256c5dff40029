import { MemoryPasskeyCredentialStore } from '../stores/memory-passkey-credential.store';
import { describePasskeyCredentialStoreContract } from './passkey-credential-store.contract';

const makeStore = () => new MemoryPasskeyCredentialStore();

describe('describePasskeyCredentialStoreContract', () => {
  it.each([
    [['', makeStore], 'name must be a non-empty string'],
    [[1, makeStore], 'name must be a non-empty string'],
    [['store', undefined], 'makeStore must be a function'],
    [['store', makeStore, null], 'options must be an object'],
    [['store', makeStore, { openSibling: {} }], 'openSibling must be a function'],
    [
      ['store', makeStore, { maxCredentialsPerUser: 2 }],
      'maxCredentialsPerUser must be an integer >= 3',
    ],
    [
      ['store', makeStore, { maxCredentialsPerUser: 3.5 }],
      'maxCredentialsPerUser must be an integer >= 3',
    ],
    [
      ['store', makeStore, { maxCredentialsPerUser: '5' }],
      'maxCredentialsPerUser must be an integer >= 3',
    ],
    [['store', makeStore, { concurrency: 1 }], 'concurrency must be an integer >= 2'],
    [['store', makeStore, { concurrency: '20' }], 'concurrency must be an integer >= 2'],
  ])('refuses the arguments %p', (args, message) => {
    const call = describePasskeyCredentialStoreContract as (...args: unknown[]) => void;
    expect(() => call(...args)).toThrow(
      new TypeError(`describePasskeyCredentialStoreContract: ${message}`),
    );
  });

  it('names the globals it needs when the test runner does not provide them', () => {
    const scope = globalThis as Record<string, unknown>;
    const saved = scope.afterEach;
    let thrown: unknown;
    delete scope.afterEach;
    try {
      describePasskeyCredentialStoreContract('store', makeStore);
    } catch (error) {
      thrown = error;
    } finally {
      scope.afterEach = saved;
    }
    expect(thrown).toEqual(
      new TypeError(
        'describePasskeyCredentialStoreContract: run it under a test runner with the globals afterEach (Jest, or Vitest with globals: true)',
      ),
    );
  });
});
