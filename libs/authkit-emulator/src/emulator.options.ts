import { DEMO_USERS, type EmulatorUserSeed } from './users';
import { parseWebhookEndpoint, type WebhookEndpointOptions } from './webhooks';

/** The emulator's defaults; the demo app and the tests rely on them. */
export const EMULATOR_DEFAULTS = Object.freeze({
  port: 8787,
  clientId: 'client_local_demo',
  apiKey: 'sk_test_local_demo',
  redirectUri: 'http://localhost:3000/auth/callback',
  accessTokenTtlSeconds: 300,
  codeTtlSeconds: 600,
  keyRotationGraceSeconds: 3600,
  webhookRetryDelaysMs: Object.freeze([1000, 5000, 25000]),
});

/** Options of {@link startAuthKitEmulator}. Every field is optional. */
export interface AuthKitEmulatorOptions {
  /** TCP port on 127.0.0.1; `0` picks a free one. Default 8787. */
  port?: number;
  /** Default `client_local_demo`. */
  clientId?: string;
  /** The API key (`sk_test_...`) the SDK must present. Default `sk_test_local_demo`. */
  apiKey?: string;
  /** Registered redirect URIs; `/authorize` refuses any other. Default the demo's callback. */
  redirectUris?: string[];
  /**
   * Origins that `/sessions/logout` may send the browser back to. Default: the origins of
   * `redirectUris`.
   */
  logoutRedirectOrigins?: string[];
  /** Users who can sign in. Default {@link DEMO_USERS}. */
  users?: readonly EmulatorUserSeed[];
  /** Access-token lifetime. Default 300 s. */
  accessTokenTtlSeconds?: number;
  /** Seconds a rotated-away signing key stays in the JWKS. Default 3600. */
  keyRotationGraceSeconds?: number;
  /**
   * Behave like a provider that does not honour `max_age` or `prompt=login`: an existing
   * browser session always gets a code without a prompt. For testing that clients detect it.
   */
  ignoreMaxAge?: boolean;
  /**
   * Where to send `session.revoked` and `user.deleted` events, each signed with its endpoint's
   * secret as WorkOS signs webhooks. Default none; the test controls can add more.
   */
  webhooks?: readonly WebhookEndpointOptions[];
  /**
   * The waits before each retry of a delivery that got no 2xx answer, in ms; one retry per entry
   * (at most 10, each at most 600,000). Default `[1000, 5000, 25000]`.
   */
  webhookRetryDelaysMs?: readonly number[];
  /** Serve the `/__emulator/*` test controls. Off by default; never for shared environments. */
  testControls?: boolean;
  /** The clock's source in ms since the epoch (default `Date.now`); the clock can then advance. */
  now?: () => number;
  /** Receives one line per request handled, without secrets. Default: silent. */
  log?: (line: string) => void;
}

export interface ResolvedEmulatorOptions {
  port: number;
  clientId: string;
  apiKey: string;
  redirectUris: string[];
  logoutRedirectOrigins: string[];
  users: readonly unknown[];
  accessTokenTtlSeconds: number;
  codeTtlSeconds: number;
  keyRotationGraceSeconds: number;
  ignoreMaxAge: boolean;
  webhooks: WebhookEndpointOptions[];
  webhookRetryDelaysMs: number[];
  testControls: boolean;
  now: () => number;
  log: (line: string) => void;
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function nonEmptyString(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    throw new TypeError(`${name} must be a non-empty string without spaces`);
  }
  return value;
}

function absoluteHttpUrl(value: unknown, name: string): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${String(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${String(value)}`);
  }
  return url;
}

const MAX_RETRIES = 10;
const MAX_RETRY_DELAY_MS = 600_000;

function webhookEndpoints(value: unknown): WebhookEndpointOptions[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 100) {
    throw new TypeError('webhooks must be an array of at most 100 endpoints');
  }
  return value.map((endpoint, i) => parseWebhookEndpoint(endpoint, `webhooks[${i}]`));
}

function retryDelays(value: unknown): number[] {
  if (value === undefined) return [...EMULATOR_DEFAULTS.webhookRetryDelaysMs];
  if (
    !Array.isArray(value) ||
    value.length > MAX_RETRIES ||
    value.some(
      (delay) =>
        typeof delay !== 'number' ||
        !Number.isSafeInteger(delay) ||
        delay < 0 ||
        delay > MAX_RETRY_DELAY_MS,
    )
  ) {
    throw new TypeError(
      `webhookRetryDelaysMs must be an array of at most ${MAX_RETRIES} integers from 0 to ${MAX_RETRY_DELAY_MS}`,
    );
  }
  return [...(value as number[])];
}

/** Checks options once at start-up; misuse throws a TypeError naming the option. */
export function resolveEmulatorOptions(
  options: AuthKitEmulatorOptions = {},
): ResolvedEmulatorOptions {
  const port = integerOption(options.port, 'port', EMULATOR_DEFAULTS.port, 0, 65535);
  const redirectUris =
    options.redirectUris === undefined ? [EMULATOR_DEFAULTS.redirectUri] : options.redirectUris;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw new TypeError('redirectUris must be a non-empty array of URLs');
  }
  const redirectUrls = redirectUris.map((uri, i) => absoluteHttpUrl(uri, `redirectUris[${i}]`));
  const logoutRedirectOrigins = (
    options.logoutRedirectOrigins ?? redirectUrls.map((url) => url.origin)
  ).map((origin, i) => absoluteHttpUrl(origin, `logoutRedirectOrigins[${i}]`).origin);
  return {
    port,
    clientId: nonEmptyString(options.clientId, 'clientId', EMULATOR_DEFAULTS.clientId),
    apiKey: nonEmptyString(options.apiKey, 'apiKey', EMULATOR_DEFAULTS.apiKey),
    redirectUris: [...redirectUris],
    logoutRedirectOrigins,
    users: options.users ?? DEMO_USERS,
    accessTokenTtlSeconds: integerOption(
      options.accessTokenTtlSeconds,
      'accessTokenTtlSeconds',
      EMULATOR_DEFAULTS.accessTokenTtlSeconds,
      1,
      ONE_YEAR_SECONDS,
    ),
    codeTtlSeconds: EMULATOR_DEFAULTS.codeTtlSeconds,
    keyRotationGraceSeconds: integerOption(
      options.keyRotationGraceSeconds,
      'keyRotationGraceSeconds',
      EMULATOR_DEFAULTS.keyRotationGraceSeconds,
      0,
      ONE_YEAR_SECONDS,
    ),
    ignoreMaxAge: options.ignoreMaxAge === true,
    webhooks: webhookEndpoints(options.webhooks),
    webhookRetryDelaysMs: retryDelays(options.webhookRetryDelaysMs),
    testControls: options.testControls === true,
    now: options.now ?? Date.now,
    log: options.log ?? (() => undefined),
  };
}
