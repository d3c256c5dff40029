/**
 * A passkey (WebAuthn credential) a user enrolled for confirming sensitive actions in the page.
 * Times are integer Unix seconds; binary values are base64url without padding.
 */
export interface PasskeyCredential {
  /** WebAuthn's credential id, base64url. Unique across all users. */
  id: string;
  /** The user it belongs to: the access token's `sub`. */
  userId: string;
  /** The COSE-encoded public key, base64url. */
  publicKey: string;
  /** The signature counter last seen; `0` for authenticators that keep none. */
  counter: number;
  /** How the browser may reach the authenticator (`internal`, `hybrid`, `usb`, ...). */
  transports: readonly string[];
  /** `multiDevice` when the credential may be synced to other devices (backup eligible). */
  deviceType: 'singleDevice' | 'multiDevice';
  /** Whether the credential is backed up (synced) now. */
  backedUp: boolean;
  /** The user's name for it, 1 to 64 characters. */
  name: string;
  /** When it was enrolled. */
  createdAt: number;
  /** When it last confirmed an action; absent until then. */
  lastUsedAt?: number;
}

/** What a confirmation changes on a credential (see {@link PasskeyCredentialStore.recordUse}). */
export interface PasskeyCredentialUse {
  /** The signature counter the assertion reported. */
  counter: number;
  /** Whether the credential is backed up (synced) now. */
  backedUp: boolean;
  /** When the confirmation happened. */
  lastUsedAt: number;
}

/**
 * Where enrolled passkeys are kept: they must outlive the store's TTLs, so an app keeps them in
 * its own database. The package ships an in-memory implementation (tests, single instance demos)
 * and a PostgreSQL one (`nest-workos-reauth/postgres`); `describePasskeyCredentialStoreContract`
 * from `nest-workos-reauth/testing` checks any other.
 *
 * A store that cannot answer must reject: the library then answers 503 and lets nothing through.
 * Every method is scoped by the user where it changes something, so a request can never touch
 * another user's credential.
 */
export abstract class PasskeyCredentialStore {
  /**
   * Stores a new credential; resolves `false`, storing nothing, when a credential with the same
   * `id` exists (for any user).
   */
  abstract create(credential: PasskeyCredential): Promise<boolean>;

  /** The credential with this id, whoever it belongs to. */
  abstract findById(id: string): Promise<PasskeyCredential | undefined>;

  /** The user's credentials, oldest first. */
  abstract listByUser(userId: string): Promise<PasskeyCredential[]>;

  /**
   * Records a confirmation, only if the credential belongs to `userId` and its counter is still
   * `expectedCounter`, as one atomic compare-and-set; resolves whether it did. Of concurrent calls
   * that expect the same counter and move it, exactly one succeeds. An authenticator that keeps
   * no counter reports `0` every time, and a compare-and-set on `0` cannot tell two uses apart:
   * for those, a single-use challenge is what stops one assertion from being used twice.
   */
  abstract recordUse(
    userId: string,
    id: string,
    expectedCounter: number,
    use: PasskeyCredentialUse,
  ): Promise<boolean>;

  /** Renames the user's credential; resolves `false` when the user has none with this id. */
  abstract rename(userId: string, id: string, name: string): Promise<boolean>;

  /** Deletes the user's credential; resolves `false` when the user has none with this id. */
  abstract delete(userId: string, id: string): Promise<boolean>;

  /** Releases what the store opened; `ReauthModule` calls it when the app shuts down. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
