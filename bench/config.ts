import type { Credentials } from '../test/support/emulator';

/** The one route every app serves; the guarded apps require a sign-in within MAX_AGE seconds. */
export const ROUTE = '/sensitive';
export const MAX_AGE = 300;

/** The emulator's user every benchmark signs in as (a password, no second factor). */
export const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };

export const COOKIE_PASSWORD = 'bench-cookie-password-that-is-32-chars-long!';

export type AppKind =
  | 'bare'
  | 'noop-guard'
  | 'reauth'
  | 'reauth-redis'
  | 'step-up'
  | 'policies'
  | 'passport'
  | 'jose'
  | 'websockets';

/** The WebAuthn relying party of the `step-up` app: browsers allow `localhost` over plain HTTP. */
export const STEP_UP_RP_ID = 'localhost';

/** The HTTP platform an app runs on: `@nestjs/platform-express` or `@nestjs/platform-fastify`. */
export type HttpPlatform = 'express' | 'fastify';

/** What the parent tells a server process: its app and platform, its port, where the emulator is. */
export interface AppConfig {
  kind: AppKind;
  platform: HttpPlatform;
  port: number;
  emulatorUrl: string;
  emulatorPort: number;
  clientId: string;
  apiKey: string;
  redirectUri: string;
  /** The run's `redis-server`, for the apps whose store is Redis. */
  redisUrl: string;
  /** `false`: the `reauth-redis` app asks the store on every request (no local view). */
  revocationView?: false;
}

/** The `ReauthModule` options every app of ours shares: the emulator, the callback, the seal. */
export function emulatorOptions(config: AppConfig) {
  return {
    apiKey: config.apiKey,
    clientId: config.clientId,
    apiHostname: '127.0.0.1',
    port: config.emulatorPort,
    https: false,
    redirectUri: config.redirectUri,
    cookiePassword: COOKIE_PASSWORD,
  };
}

/**
 * The origin the `step-up` app's pages run on, for `appUrl` (`http://127.0.0.1:<port>`): the
 * same port on `localhost`, since a passkey's origin must be on its relying party.
 */
export function pageOrigin(appUrl: string): string {
  const url = new URL(appUrl);
  url.hostname = STEP_UP_RP_ID;
  return url.origin;
}

/** The issuer AuthKit (and the emulator) put in access tokens. */
export function issuerOf(config: AppConfig): string {
  return `${config.emulatorUrl}/user_management/${config.clientId}`;
}
