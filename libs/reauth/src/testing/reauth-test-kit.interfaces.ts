import type { AuthKitEmulator, EmulatorUserSeed } from 'authkit-emulator';
// By the package's name: the kit's options are the main entry's, not a copy in this entry's API.
import type { ReauthModuleOptions } from 'nest-workos-reauth';
import type { TestClock } from './test-clock';

/**
 * Options of {@link startReauthTestKit}. Every field is optional.
 *
 * @example
 * ```ts
 * const kit = await startReauthTestKit({
 *   redirectUri: `http://localhost:${port}/auth/callback`,
 *   users: [{ email: 'dana@example.com', password: 'dana-password', role: 'admin' }],
 *   clock: new TestClock(Date.UTC(2030, 0, 1)),
 * });
 * ```
 */
export interface ReauthTestKitOptions {
  /**
   * The absolute URL of the app's callback route, registered with the emulator.
   * Default `http://localhost:3000/auth/callback`.
   */
  redirectUri?: string;
  /**
   * The users who exist. Default the emulator's demo users: `alice@example.com` /
   * `alice-password`, `bob@example.com` (password and TOTP), `carol@sso.example.com` (SSO).
   */
  users?: EmulatorUserSeed[];
  /** The one clock of the emulator and the module. Default a new {@link TestClock}. */
  clock?: TestClock;
  /** Seals session cookies; at least 32 characters. Default a fixed test value. */
  cookiePassword?: string;
  /**
   * The emulator's port on 127.0.0.1, an integer from 1 to 65535, for a test that needs its
   * address before it starts. Default `0`: any free port (read it from `emulator.port`).
   */
  port?: number;
}

/**
 * Who the token is for and when they signed in. Give `authTime` or `signedInSecondsAgo`, or
 * neither for "just now".
 *
 * @example
 * ```ts
 * await kit.accessToken({ email: 'bob@example.com', signedInSecondsAgo: 600 });
 * await kit.accessToken({ claims: { org_id: null } }); // a token without org_id
 * ```
 */
export interface AccessTokenInput {
  /** A known user. Default `alice@example.com`. */
  email?: string;
  /** The `auth_time` claim, in seconds since the epoch. */
  authTime?: number;
  /** Sets `auth_time` this many seconds before the clock's time. */
  signedInSecondsAgo?: number;
  /** Lifetime in seconds; negative gives an expired token. Default the emulator's (300 s). */
  expiresIn?: number;
  /** Claims set over the standard ones; `null` removes one. */
  claims?: Record<string, unknown>;
}

/**
 * Who is signed in and when they signed in. Give `authTime` or `signedInSecondsAgo`, or
 * neither for "just now".
 *
 * @example
 * ```ts
 * await kit.sessionCookie({ email: 'carol@sso.example.com', signedInSecondsAgo: 600 });
 * ```
 */
export interface SessionCookieInput {
  /** A known user. Default `alice@example.com`. */
  email?: string;
  /** The session's `auth_time`, in seconds since the epoch. */
  authTime?: number;
  /** Sets `auth_time` this many seconds before the clock's time. */
  signedInSecondsAgo?: number;
}

/**
 * A running kit: a local AuthKit emulator, and what an app needs to talk to it. Everything reads
 * one {@link TestClock}, so moving it makes sessions stale for the emulator and the app alike.
 *
 * @example
 * ```ts
 * const token = await kit.accessToken({ signedInSecondsAgo: 600 });
 * const res = await fetch(`${appUrl}/transfers`, {
 *   method: 'POST',
 *   headers: { authorization: `Bearer ${token}` },
 * });
 * expect(res.status).toBe(401);
 * ```
 */
export interface ReauthTestKit {
  /**
   * The emulator, on 127.0.0.1 with test controls on. Its `advanceClock` moves the kit's clock;
   * the HTTP control `POST /__emulator/clock` would move the emulator's alone, so use this.
   */
  readonly emulator: AuthKitEmulator;
  /** The one clock: the emulator and {@link ReauthTestKit.moduleOptions} read it. */
  readonly clock: TestClock;
  /** The app's callback URL, registered with the emulator. */
  readonly redirectUri: string;
  /** Seals the session cookies the kit makes and the module reads. */
  readonly cookiePassword: string;
  /**
   * Options for `ReauthModule.forRoot()` that point the module at the emulator and the kit's
   * clock, with `overrides` applied last.
   */
  moduleOptions(overrides?: Partial<ReauthModuleOptions>): ReauthModuleOptions;
  /** An RS256 access token signed by the emulator, for an `Authorization: Bearer` header. */
  accessToken(input?: AccessTokenInput): Promise<string>;
  /**
   * A `Cookie` header value (`wos-session=<sealed>`) for a signed-in session, made by a real
   * authorization-code exchange through `@workos-inc/node`.
   */
  sessionCookie(input?: SessionCookieInput): Promise<string>;
  /** Moves the clock forward; returns the new time in whole seconds. */
  advanceClock(seconds: number): number;
  /** Stops the emulator. Calling it again does nothing. */
  close(): Promise<void>;
}
