/** The one route every app serves; the guarded apps require a sign-in within MAX_AGE seconds. */
export const ROUTE = '/sensitive';
export const MAX_AGE = 300;

export const COOKIE_PASSWORD = 'bench-cookie-password-that-is-32-chars-long!';

export type AppKind = 'bare' | 'noop-guard' | 'reauth' | 'passport' | 'jose';

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
}

/** The issuer AuthKit (and the emulator) put in access tokens. */
export function issuerOf(config: AppConfig): string {
  return `${config.emulatorUrl}/user_management/${config.clientId}`;
}
