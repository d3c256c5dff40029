import type { EmulatorUserSeed } from 'authkit-emulator';
import { TestClock } from './test-clock';

export const TEST_KIT_DEFAULTS = Object.freeze({
  redirectUri: 'http://localhost:3000/auth/callback',
  cookiePassword: 'nest-workos-reauth-testing-cookie-password',
  email: 'alice@example.com',
});

// The emulator's bounds: later than this is a millisecond timestamp by mistake.
const MAX_AUTH_TIME = 99_999_999_999;
const TEN_YEARS = 10 * 365 * 24 * 3600;

function fail(message: string): never {
  throw new TypeError(`ReauthTestKit: ${message}`);
}

function plainObject(
  value: unknown,
  what: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${what} must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${what} has an unknown field "${key}"`);
  }
  return value as Record<string, unknown>;
}

/** Only `undefined` means "the default": a `null` is a mistake worth reporting. */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

function integer(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

export interface ResolvedTestKitOptions {
  redirectUri: string;
  users?: EmulatorUserSeed[];
  clock: TestClock;
  cookiePassword: string;
  port: number;
}

/** Checks the kit's options; misuse throws a TypeError naming the option. */
export function resolveTestKitOptions(options: unknown): ResolvedTestKitOptions {
  const source = plainObject(options, 'options', [
    'redirectUri',
    'users',
    'clock',
    'cookiePassword',
    'port',
  ]);
  const redirectUri = orDefault(source.redirectUri, TEST_KIT_DEFAULTS.redirectUri);
  if (typeof redirectUri !== 'string' || !isHttpUrl(redirectUri)) {
    fail('redirectUri must be an absolute http(s) URL');
  }
  const clock = source.clock === undefined ? new TestClock() : source.clock;
  if (!(clock instanceof TestClock)) fail('clock must be a TestClock');
  const cookiePassword = orDefault(source.cookiePassword, TEST_KIT_DEFAULTS.cookiePassword);
  if (typeof cookiePassword !== 'string' || cookiePassword.length < 32) {
    fail('cookiePassword must be a string of at least 32 characters');
  }
  const port = orDefault(source.port, 0);
  if (!integer(port, 0, 65535)) {
    fail('port must be an integer from 1 to 65535, or 0 for any free port');
  }
  // The emulator checks each user seed, with messages naming `users[i]`.
  return {
    redirectUri,
    users: source.users as EmulatorUserSeed[] | undefined,
    clock,
    cookiePassword,
    port,
  };
}

export interface ResolvedSignIn {
  email: string;
  authTime: number;
}

function resolveSignIn(source: Record<string, unknown>, nowSeconds: number): ResolvedSignIn {
  const { email = TEST_KIT_DEFAULTS.email, authTime, signedInSecondsAgo } = source;
  if (typeof email !== 'string' || email.trim() === '') fail('email must be a non-empty string');
  if (authTime !== undefined && signedInSecondsAgo !== undefined) {
    fail('give authTime or signedInSecondsAgo, not both');
  }
  if (authTime !== undefined && !integer(authTime, 0, MAX_AUTH_TIME)) {
    fail(`authTime must be an integer from 0 to ${MAX_AUTH_TIME} (seconds, not milliseconds)`);
  }
  if (signedInSecondsAgo !== undefined && !integer(signedInSecondsAgo, 0, nowSeconds)) {
    fail("signedInSecondsAgo must be an integer from 0 to the clock's time in seconds");
  }
  return {
    email,
    authTime: authTime ?? nowSeconds - (signedInSecondsAgo ?? 0),
  };
}

export interface ResolvedAccessTokenInput extends ResolvedSignIn {
  expiresIn?: number;
  claims?: Record<string, unknown>;
}

/** Checks the input of `accessToken()` and works out `auth_time` from the clock's time. */
export function resolveAccessTokenInput(
  input: unknown,
  nowSeconds: number,
): ResolvedAccessTokenInput {
  const source = plainObject(input, 'accessToken() input', [
    'email',
    'authTime',
    'signedInSecondsAgo',
    'expiresIn',
    'claims',
  ]);
  const { expiresIn, claims } = source;
  if (expiresIn !== undefined && !integer(expiresIn, -TEN_YEARS, TEN_YEARS)) {
    fail(`expiresIn must be an integer from ${-TEN_YEARS} to ${TEN_YEARS} (seconds)`);
  }
  if (
    claims !== undefined &&
    (typeof claims !== 'object' || claims === null || Array.isArray(claims))
  ) {
    fail('claims must be an object');
  }
  return {
    ...resolveSignIn(source, nowSeconds),
    expiresIn,
    claims: claims as Record<string, unknown> | undefined,
  };
}

/** Checks the input of `sessionCookie()` and works out `auth_time` from the clock's time. */
export function resolveSessionCookieInput(input: unknown, nowSeconds: number): ResolvedSignIn {
  const source = plainObject(input, 'sessionCookie() input', [
    'email',
    'authTime',
    'signedInSecondsAgo',
  ]);
  return resolveSignIn(source, nowSeconds);
}

/**
 * Fails clearly when the email is not one of the kit's users (the emulator would only say
 * "User not found.").
 */
export function assertKnownUser(email: string, users: readonly EmulatorUserSeed[]): void {
  const emails = users.map((user) => user.email.toLowerCase());
  if (!emails.includes(email.trim().toLowerCase())) {
    throw new Error(
      `ReauthTestKit: there is no user with the email "${email}"; the kit's users are ${emails.join(', ')}`,
    );
  }
}
