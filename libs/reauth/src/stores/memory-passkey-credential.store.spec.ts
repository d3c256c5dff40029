import { describePasskeyCredentialStoreContract } from '../testing/passkey-credential-store.contract';
import { credentialFixture as credential } from '../testing/passkey-credential-store.contract.fixtures';
import {
  MemoryPasskeyCredentialStore,
  PasskeyCredentialLimitError,
} from './memory-passkey-credential.store';

describePasskeyCredentialStoreContract(
  'MemoryPasskeyCredentialStore',
  () => new MemoryPasskeyCredentialStore({ maxCredentialsPerUser: 3 }),
  { maxCredentialsPerUser: 3 },
);

describe('MemoryPasskeyCredentialStore', () => {
  it('refuses bad bounds with a TypeError naming the option', () => {
    for (const value of [0, -1, 1.5, NaN, Infinity, '10', null]) {
      for (const option of ['maxCredentials', 'maxCredentialsPerUser']) {
        expect(() => new MemoryPasskeyCredentialStore({ [option]: value as number })).toThrow(
          new TypeError(`MemoryPasskeyCredentialStore: ${option} must be a positive integer`),
        );
      }
    }
    expect(() => new MemoryPasskeyCredentialStore(null as never)).toThrow(
      new TypeError('MemoryPasskeyCredentialStore: options must be an object'),
    );
  });

  it('holds at most maxCredentials, refusing more rather than dropping any', async () => {
    const store = new MemoryPasskeyCredentialStore({ maxCredentials: 3 });
    for (const id of ['a', 'b', 'c']) {
      expect(await store.create(credential({ id, userId: `user_${id}` }))).toBe(true);
    }
    const refused = store.create(credential({ id: 'd', userId: 'user_d' }));
    await expect(refused).rejects.toThrow(new PasskeyCredentialLimitError('store', 3));
    await expect(refused).rejects.toMatchObject({
      code: 'passkey_credential_limit',
      bound: 'store',
      limit: 3,
      message: 'The passkey credential store is full (3 credentials)',
    });
    expect(store.size).toBe(3);
    expect(await store.create(credential({ id: 'a' }))).toBe(false);
    expect(await store.delete('user_a', 'a')).toBe(true);
    expect(await store.create(credential({ id: 'd', userId: 'user_d' }))).toBe(true);
  });

  it('bounds each user, with an error that says so', async () => {
    const store = new MemoryPasskeyCredentialStore({ maxCredentialsPerUser: 1 });
    await store.create(credential({ id: 'a' }));
    await expect(store.create(credential({ id: 'b' }))).rejects.toMatchObject({
      name: 'PasskeyCredentialLimitError',
      bound: 'user',
      limit: 1,
      message: 'The user has as many passkey credentials as the store allows (1)',
    });
    expect(store.size).toBe(1);
  });

  it('defaults to 10,000 credentials and 100 per user', async () => {
    const store = new MemoryPasskeyCredentialStore();
    for (let i = 0; i < 100; i++) await store.create(credential({ id: `c${i}` }));
    await expect(store.create(credential({ id: 'c100' }))).rejects.toMatchObject({
      bound: 'user',
      limit: 100,
    });
    for (let i = 100; i < 10_000; i++) {
      await store.create(credential({ id: `c${i}`, userId: `user_${i}` }));
    }
    await expect(store.create(credential({ id: 'x', userId: 'user_x' }))).rejects.toMatchObject({
      bound: 'store',
      limit: 10_000,
    });
  });

  it('forgets a user once their last credential is deleted', async () => {
    const store = new MemoryPasskeyCredentialStore({ maxCredentialsPerUser: 1 });
    await store.create(credential({ id: 'a' }));
    await store.delete(credential().userId, 'a');
    expect(await store.listByUser(credential().userId)).toEqual([]);
    expect(await store.create(credential({ id: 'b' }))).toBe(true);
  });

  it('closes without effect on its credentials', async () => {
    const store = new MemoryPasskeyCredentialStore();
    await store.create(credential());
    await store.close();
    expect(await store.findById(credential().id)).toEqual(credential());
  });
});
