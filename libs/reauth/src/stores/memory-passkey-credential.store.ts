import {
  PasskeyCredentialStore,
  type PasskeyCredential,
  type PasskeyCredentialUse,
} from './passkey-credential.store';

/** Options of {@link MemoryPasskeyCredentialStore}. */
export interface MemoryPasskeyCredentialStoreOptions {
  /** The most credentials kept, all users together, so memory stays bounded. Default 10,000. */
  maxCredentials?: number;
  /** The most credentials one user may have. Default 100. */
  maxCredentialsPerUser?: number;
}

/**
 * {@link MemoryPasskeyCredentialStore} refused to store a credential because it holds as many as
 * its options allow, in all or for the user. Nothing was dropped to make room.
 */
export class PasskeyCredentialLimitError extends Error {
  /** Stable: `passkey_credential_limit`. */
  readonly code = 'passkey_credential_limit';

  constructor(
    /** Which bound was reached: `store` (`maxCredentials`) or `user` (`maxCredentialsPerUser`). */
    readonly bound: 'store' | 'user',
    /** The bound, as configured. */
    readonly limit: number,
  ) {
    super(
      bound === 'store'
        ? `The passkey credential store is full (${limit} credentials)`
        : `The user has as many passkey credentials as the store allows (${limit})`,
    );
    this.name = 'PasskeyCredentialLimitError';
  }
}

function copy(credential: PasskeyCredential): PasskeyCredential {
  return { ...credential, transports: [...credential.transports] };
}

function checkBound(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`MemoryPasskeyCredentialStore: ${name} must be a positive integer`);
  }
  return value;
}

/**
 * A {@link PasskeyCredentialStore} in a bounded in-process map, for tests and single-instance
 * demos: its credentials are lost when the process exits, so users would have to enroll their
 * passkeys again. Production apps keep them in their database (`nest-workos-reauth/postgres`, or
 * their own store checked by `describePasskeyCredentialStoreContract`).
 *
 * It hands out copies: changing a returned credential never changes the stored one.
 *
 * @example
 * ```ts
 * const store = new MemoryPasskeyCredentialStore({ maxCredentials: 1_000 });
 * await store.create(credential); // true
 * await store.create(credential); // false: the id exists
 * ```
 */
export class MemoryPasskeyCredentialStore extends PasskeyCredentialStore {
  private readonly byId = new Map<string, PasskeyCredential>();
  /** Each user's credential ids; a user with none has no entry. */
  private readonly byUser = new Map<string, Set<string>>();
  private readonly maxCredentials: number;
  private readonly maxPerUser: number;

  constructor(options: MemoryPasskeyCredentialStoreOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('MemoryPasskeyCredentialStore: options must be an object');
    }
    const { maxCredentials = 10_000, maxCredentialsPerUser = 100 } = options;
    this.maxCredentials = checkBound('maxCredentials', maxCredentials);
    this.maxPerUser = checkBound('maxCredentialsPerUser', maxCredentialsPerUser);
  }

  /** Credentials held, all users together. */
  get size(): number {
    return this.byId.size;
  }

  // Each method does its work synchronously, before its promise settles: that is what makes
  // create and recordUse atomic in one process.
  /** {@inheritDoc PasskeyCredentialStore.create} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(credential: PasskeyCredential): Promise<boolean> {
    if (this.byId.has(credential.id)) return false;
    const ids = this.byUser.get(credential.userId);
    if (this.byId.size >= this.maxCredentials) {
      throw new PasskeyCredentialLimitError('store', this.maxCredentials);
    }
    if (ids && ids.size >= this.maxPerUser) {
      throw new PasskeyCredentialLimitError('user', this.maxPerUser);
    }
    this.byId.set(credential.id, copy(credential));
    if (ids) ids.add(credential.id);
    else this.byUser.set(credential.userId, new Set([credential.id]));
    return true;
  }

  /** {@inheritDoc PasskeyCredentialStore.findById} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async findById(id: string): Promise<PasskeyCredential | undefined> {
    const credential = this.byId.get(id);
    return credential && copy(credential);
  }

  /** {@inheritDoc PasskeyCredentialStore.listByUser} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async listByUser(userId: string): Promise<PasskeyCredential[]> {
    const ids = this.byUser.get(userId) ?? [];
    return [...ids]
      .map((id) => copy(this.byId.get(id)!))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** {@inheritDoc PasskeyCredentialStore.recordUse} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async recordUse(
    userId: string,
    id: string,
    expectedCounter: number,
    use: PasskeyCredentialUse,
  ): Promise<boolean> {
    const credential = this.owned(userId, id);
    if (!credential || credential.counter !== expectedCounter) return false;
    credential.counter = use.counter;
    credential.backedUp = use.backedUp;
    credential.lastUsedAt = use.lastUsedAt;
    return true;
  }

  /** {@inheritDoc PasskeyCredentialStore.rename} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async rename(userId: string, id: string, name: string): Promise<boolean> {
    const credential = this.owned(userId, id);
    if (!credential) return false;
    credential.name = name;
    return true;
  }

  /** {@inheritDoc PasskeyCredentialStore.delete} */
  // eslint-disable-next-line @typescript-eslint/require-await
  async delete(userId: string, id: string): Promise<boolean> {
    if (!this.owned(userId, id)) return false;
    this.byId.delete(id);
    const ids = this.byUser.get(userId)!;
    ids.delete(id);
    if (ids.size === 0) this.byUser.delete(userId);
    return true;
  }

  private owned(userId: string, id: string): PasskeyCredential | undefined {
    const credential = this.byId.get(id);
    return credential?.userId === userId ? credential : undefined;
  }
}
