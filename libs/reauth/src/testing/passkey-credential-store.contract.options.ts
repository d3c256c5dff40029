import type { PasskeyCredentialStore } from '../stores/passkey-credential.store';

/**
 * Options of {@link describePasskeyCredentialStoreContract}: what the store under test can show.
 */
export interface PasskeyCredentialStoreContractOptions {
  /**
   * Opens a second handle on the data of `store`, as a second instance of the app would (another
   * connection pool on the same database and table, for example). With it the concurrency checks
   * run half their calls through each handle. The suite closes what it opens.
   */
  openSibling?: (
    store: PasskeyCredentialStore,
  ) => PasskeyCredentialStore | Promise<PasskeyCredentialStore>;
  /**
   * The most credentials one user may have in the store made by `makeStore`, for a store that
   * bounds them. With it the suite fills one user's credentials and checks that one more is
   * refused (the promise rejects) while the others stay, and that other users are not affected.
   * At least 3 (the suite lists three credentials of one user); keep it small: the suite creates
   * that many credentials.
   */
  maxCredentialsPerUser?: number;
  /** How many calls race in each concurrency check. Default 20. */
  concurrency?: number;
}
