import type { PasskeyCredential, PasskeyCredentialStore } from '../stores/passkey-credential.store';
import {
  checkPasskeyContractArguments,
  passkeyContractGlobals,
} from './passkey-credential-store.contract.checks';
import {
  CREATED_AT,
  CREDENTIAL_IDS,
  credentialFixture as credential,
  FAR_FUTURE,
  MAX_COUNTER,
  UNICODE_NAMES,
} from './passkey-credential-store.contract.fixtures';
import type { PasskeyCredentialStoreContractOptions } from './passkey-credential-store.contract.options';

export type { PasskeyCredentialStoreContractOptions } from './passkey-credential-store.contract.options';

/**
 * Declares a test suite that checks a {@link PasskeyCredentialStore} keeps every promise the
 * library relies on: an id is stored once across all users, credentials read back exactly as
 * given (unicode names, 1364-character ids, counters up to 2^32 - 1, times past 2038), a user's
 * credentials list oldest first, `recordUse` is a compare-and-set on the counter that exactly one
 * of many concurrent calls wins, every change is scoped by the user, and no caller can change a
 * stored credential through an object it passed or received.
 *
 * Call it at the top level of a test file. It uses the test runner's globals `describe`, `it`,
 * `beforeEach`, `afterEach` and `expect` (Jest, or Vitest with `globals: true`), and throws a
 * `TypeError` when they are missing or an argument is wrong. Each test gets a store of its own
 * from `makeStore`, and the suite calls its `close()` afterwards; with a shared database, give
 * each store a fresh table so tests do not see each other's credentials.
 *
 * @param name - Names the suite, such as the store's class.
 * @param makeStore - Makes an empty store for one test.
 * @param options - What the store can show: a second handle, a per-user bound.
 *
 * @example
 * ```ts
 * import { MemoryPasskeyCredentialStore } from 'nest-workos-reauth';
 * import { describePasskeyCredentialStoreContract } from 'nest-workos-reauth/testing';
 *
 * describePasskeyCredentialStoreContract(
 *   'MemoryPasskeyCredentialStore',
 *   () => new MemoryPasskeyCredentialStore({ maxCredentialsPerUser: 5 }),
 *   { maxCredentialsPerUser: 5 },
 * );
 * ```
 */
export function describePasskeyCredentialStoreContract(
  name: string,
  makeStore: () => PasskeyCredentialStore | Promise<PasskeyCredentialStore>,
  options: PasskeyCredentialStoreContractOptions = {},
): void {
  checkPasskeyContractArguments(name, makeStore, options);
  const { describe, it, beforeEach, afterEach, expect } = passkeyContractGlobals();
  const { openSibling, maxCredentialsPerUser, concurrency = 20 } = options;
  const alice = 'user_alice';
  const bob = 'user_bob';
  const use = { counter: 8, backedUp: false, lastUsedAt: CREATED_AT + 60 };

  describe(`${name} keeps the PasskeyCredentialStore contract`, () => {
    let store: PasskeyCredentialStore;
    let opened: PasskeyCredentialStore[];

    beforeEach(async () => {
      store = await makeStore();
      opened = [store];
    });
    afterEach(async () => {
      await Promise.all(opened.map((each) => each.close()));
    });

    /** The handles the racing calls alternate between: the store, and a sibling if it has one. */
    async function handles(): Promise<PasskeyCredentialStore[]> {
      if (!openSibling) return [store];
      const sibling = await openSibling(store);
      opened.push(sibling);
      return [store, sibling];
    }

    function race<T>(call: (handle: PasskeyCredentialStore, i: number) => Promise<T>) {
      return handles().then((all) =>
        Promise.all(Array.from({ length: concurrency }, (_, i) => call(all[i % all.length], i))),
      );
    }

    async function created(record: PasskeyCredential): Promise<PasskeyCredential> {
      expect(await store.create(record)).toBe(true);
      return record;
    }

    it('reads back what it created, field for field, and nothing for an unknown id', async () => {
      const record = await created(credential());
      expect(await store.findById(record.id)).toEqual(record);
      expect((await store.findById(record.id))?.lastUsedAt).toBeUndefined();
      expect(await store.findById('bm90LXRoZXJl')).toBeUndefined();
      expect(await store.listByUser('user_nobody')).toEqual([]);
    });

    it('keeps every kind of value exactly: flags, transports, large counters and times', async () => {
      const records = [
        { id: 'a1', transports: [], deviceType: 'singleDevice' as const, backedUp: false },
        { id: 'a2', transports: ['usb', 'nfc', 'ble', 'smart-card', 'hybrid'] },
        { id: 'a3', counter: MAX_COUNTER, createdAt: FAR_FUTURE },
        { id: 'a4', counter: 1, lastUsedAt: FAR_FUTURE + 1 },
      ].map((fields, i) => credential({ ...fields, userId: `user_${i}` }));
      for (const record of records) await created(record);
      for (const record of records) expect(await store.findById(record.id)).toEqual(record);
    });

    it('stores an id once across all users: a second create resolves false and changes nothing', async () => {
      const first = await created(credential({ userId: alice }));
      expect(await store.create(credential({ userId: alice, name: 'again' }))).toBe(false);
      expect(await store.create(credential({ userId: bob, publicKey: 'b3RoZXI' }))).toBe(false);
      expect(await store.findById(first.id)).toEqual(first);
      expect(await store.listByUser(bob)).toEqual([]);
    });

    it('lets exactly one of many concurrent creates of one id win', async () => {
      const results = await race((handle, i) =>
        handle.create(credential({ userId: `user_${i}`, name: `racer ${i}` })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await store.findById(credential().id))?.userId).toBe(`user_${winner}`);
    });

    it('keeps ids apart: long ones, and ones that differ only in case', async () => {
      for (const [i, id] of CREDENTIAL_IDS.entries()) {
        await created(credential({ id, userId: `user_${i}`, name: `name of ${id}` }));
      }
      for (const id of CREDENTIAL_IDS) {
        expect((await store.findById(id))?.name).toBe(`name of ${id}`);
      }
    });

    it("lists a user's credentials oldest first, and only theirs", async () => {
      await created(credential({ id: 'c3', userId: alice, createdAt: CREATED_AT + 300 }));
      await created(credential({ id: 'c1', userId: alice, createdAt: CREATED_AT - 100 }));
      await created(credential({ id: 'b1', userId: bob, createdAt: CREATED_AT }));
      await created(credential({ id: 'c2', userId: alice, createdAt: CREATED_AT + 5 }));
      await created(credential({ id: 'a1', userId: `${alice} `, createdAt: CREATED_AT }));
      const listed = await store.listByUser(alice);
      expect(listed.map((each) => each.id)).toEqual(['c1', 'c2', 'c3']);
      expect(listed[0]).toEqual(
        credential({ id: 'c1', userId: alice, createdAt: CREATED_AT - 100 }),
      );
      expect((await store.listByUser(bob)).map((each) => each.id)).toEqual(['b1']);
    });

    it('records a use when the counter is still the one expected, changing nothing else', async () => {
      const record = await created(credential({ counter: 7 }));
      expect(await store.recordUse(record.userId, record.id, 7, use)).toBe(true);
      expect(await store.findById(record.id)).toEqual({ ...record, ...use });
      const next = { counter: MAX_COUNTER, backedUp: true, lastUsedAt: FAR_FUTURE };
      expect(await store.recordUse(record.userId, record.id, 8, next)).toBe(true);
      expect(await store.findById(record.id)).toEqual({ ...record, ...next });
    });

    it('records uses of an authenticator that keeps no counter (0 stays 0)', async () => {
      const record = await created(credential({ counter: 0 }));
      const zero = { counter: 0, backedUp: true, lastUsedAt: CREATED_AT + 1 };
      expect(await store.recordUse(record.userId, record.id, 0, zero)).toBe(true);
      const later = { ...zero, lastUsedAt: CREATED_AT + 2 };
      expect(await store.recordUse(record.userId, record.id, 0, later)).toBe(true);
      expect((await store.findById(record.id))?.lastUsedAt).toBe(CREATED_AT + 2);
    });

    it('refuses a use with a stale counter, or for another user, or of an unknown id', async () => {
      const record = await created(credential({ userId: alice, counter: 7 }));
      expect(await store.recordUse(alice, record.id, 6, use)).toBe(false);
      expect(await store.recordUse(alice, record.id, 8, use)).toBe(false);
      expect(await store.recordUse(bob, record.id, 7, use)).toBe(false);
      expect(await store.recordUse(alice, 'bm90LXRoZXJl', 7, use)).toBe(false);
      expect(await store.findById(record.id)).toEqual(record);
    });

    it('lets exactly one of many concurrent uses that saw the same counter win', async () => {
      const record = await created(credential({ counter: 41 }));
      const results = await race((handle, i) =>
        handle.recordUse(record.userId, record.id, 41, {
          counter: 42 + i,
          backedUp: true,
          lastUsedAt: CREATED_AT + i,
        }),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.findById(record.id)).toEqual({
        ...record,
        counter: 42 + winner,
        backedUp: true,
        lastUsedAt: CREATED_AT + winner,
      });
    });

    it("renames the user's credential only, keeping names exactly as given", async () => {
      const record = await created(credential({ userId: alice }));
      expect(await store.rename(bob, record.id, 'taken over')).toBe(false);
      expect(await store.rename(alice, 'bm90LXRoZXJl', 'nothing')).toBe(false);
      expect((await store.findById(record.id))?.name).toBe(record.name);
      for (const name of UNICODE_NAMES) {
        expect(await store.rename(alice, record.id, name)).toBe(true);
        expect(await store.findById(record.id)).toEqual({ ...record, name });
      }
    });

    it('creates credentials with unicode names', async () => {
      const records = UNICODE_NAMES.map((name, i) =>
        credential({ id: `u${i}`, userId: `user_${i}`, name }),
      );
      for (const record of records) await created(record);
      for (const record of records) expect(await store.findById(record.id)).toEqual(record);
    });

    it("deletes the user's credential only, and its id can then be enrolled again", async () => {
      const record = await created(credential({ userId: alice }));
      expect(await store.delete(bob, record.id)).toBe(false);
      expect(await store.findById(record.id)).toEqual(record);
      expect(await store.delete(alice, record.id)).toBe(true);
      expect(await store.delete(alice, record.id)).toBe(false);
      expect(await store.findById(record.id)).toBeUndefined();
      expect(await store.listByUser(alice)).toEqual([]);
      expect(await store.create(credential({ userId: bob }))).toBe(true);
    });

    it('shares no object with its callers: changing one never changes the stored credential', async () => {
      const given = credential({ transports: ['usb'] });
      const original = credential({ transports: ['usb'] });
      await created(given);
      given.name = 'changed after create';
      (given.transports as string[]).push('nfc');
      const found = (await store.findById(given.id))!;
      found.counter = 99;
      (found.transports as string[]).push('ble');
      const [listed] = await store.listByUser(given.userId);
      listed.name = 'changed after list';
      (listed.transports as string[]).length = 0;
      expect(await store.findById(given.id)).toEqual(original);
      expect(await store.listByUser(given.userId)).toEqual([original]);
    });

    if (maxCredentialsPerUser !== undefined) {
      describe(`when a user has ${maxCredentialsPerUser} credentials`, () => {
        beforeEach(async () => {
          for (let i = 0; i < maxCredentialsPerUser; i++) {
            await created(credential({ id: `full${i}`, userId: alice, createdAt: CREATED_AT + i }));
          }
        });

        it('refuses them another, keeping the ones they have; other users are not affected', async () => {
          await expect(
            store.create(credential({ id: 'over', userId: alice })),
          ).rejects.toBeInstanceOf(Error);
          expect(await store.findById('over')).toBeUndefined();
          expect(await store.listByUser(alice)).toHaveLength(maxCredentialsPerUser);
          expect(await store.create(credential({ id: 'other', userId: bob }))).toBe(true);
        });

        it('makes room when they delete one', async () => {
          expect(await store.delete(alice, 'full0')).toBe(true);
          expect(await store.create(credential({ id: 'after', userId: alice }))).toBe(true);
        });
      });
    }
  });
}
