import type { PasskeyCredentialStore } from '../stores/passkey-credential.store';

/** The kinds of proof a user can give inside the page, besides signing in at the provider. */
export type InPageMethod = 'passkey' | 'password';

/** Passkeys (WebAuthn) for confirming in the page; see {@link ReauthStepUpOptions.passkeys}. */
export interface ReauthPasskeyOptions {
  /**
   * The WebAuthn relying party id: the app's registrable domain (`example.com`), or `localhost`.
   * Credentials are bound to it: changing it orphans every enrolled passkey.
   */
  rpId: string;
  /** The name browsers show when a passkey is created, e.g. the app's name. */
  rpName: string;
  /** The exact origins the pages run on (`https://app.example.com`); assertions from others fail. */
  origins: string[];
  /** Where enrolled credentials are kept (the app's database); see `PasskeyCredentialStore`. */
  credentials: PasskeyCredentialStore;
  /** Seconds a WebAuthn challenge may be answered in. Default 120 (30 to 600). */
  challengeSeconds?: number;
  /** The most passkeys one user may enrol. Default 10 (1 to 100). */
  maxPerUser?: number;
  /**
   * How recent (in seconds) the provider sign-in must be to enrol, rename or delete a passkey:
   * a stolen session cannot add its own. Default 300 (30 to 3600).
   */
  enrolMaxAge?: number;
}

/**
 * Confirmation inside the page (`stepUp` option): a refused route's JSON 401 lists what the
 * user can confirm with, and a confirmation adds an entry to the session's factor ledger.
 *
 * @example
 * ```ts
 * ReauthModule.forRoot({
 *   ...settings,
 *   stepUp: {
 *     passkeys: {
 *       rpId: 'app.example.com',
 *       rpName: 'Example',
 *       origins: ['https://app.example.com'],
 *       credentials: new MemoryPasskeyCredentialStore(),
 *     },
 *   },
 * });
 * ```
 */
export interface ReauthStepUpOptions {
  /** Passkeys the app enrols and checks itself. Default: none. */
  passkeys?: ReauthPasskeyOptions;
  /**
   * The user's password at the provider (and their TOTP code when they have one), checked
   * without starting a session for the browser. Only providers that can (AuthKit); default
   * `true` there once `stepUp` is given. Offered to, and accepted from, sessions that began with
   * a password (AuthKit's `authenticationMethod` `Password`) only.
   */
  password?: boolean;
  /**
   * The longest (in seconds) an in-page confirmation counts for, whatever a route's `maxAge`.
   * Default 3600 (60 to 86,400).
   */
  proofLifetimeSeconds?: number;
}
