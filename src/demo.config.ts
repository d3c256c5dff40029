import { EMULATOR_DEFAULTS } from 'authkit-emulator';

/** The HTTP platform Nest runs on: `@nestjs/platform-express` or `@nestjs/platform-fastify`. */
export type DemoHttpAdapter = 'express' | 'fastify';

const HTTP_ADAPTERS: readonly DemoHttpAdapter[] = ['express', 'fastify'];

/** How the demo runs, read from the environment. */
export interface DemoConfig {
  port: number;
  /** `HTTP_ADAPTER`: the HTTP platform; `express` when absent. */
  httpAdapter?: DemoHttpAdapter;
  /**
   * `emulator`: embedded AuthKit emulator; `workos`: a real (or external) WorkOS API; `oidc`: any
   * OpenID Provider.
   */
  provider: 'emulator' | 'workos' | 'oidc';
  emulatorPort: number;
  testControls: boolean;
  apiKey: string;
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  apiHostname?: string;
  apiPort?: number;
  apiHttps?: boolean;
  /** `REDIS_URL`: keep the library's shared state in Redis instead of in memory. */
  redisUrl?: string;
  /**
   * `DATABASE_URL`: keep enrolled passkeys in this PostgreSQL server instead of an embedded
   * in-memory PostgreSQL (PGlite).
   */
  databaseUrl?: string;
  /**
   * With `provider: 'workos'`, `WORKOS_WEBHOOK_SECRET`: the secret of the WorkOS webhook endpoint
   * that sends `session.revoked` and `user.deleted` to `/auth/workos/events`; without it the route
   * is off. On embedded defaults the demo makes its own secret at start and gives it to its
   * emulator.
   */
  workosWebhookSecret?: string;
  /** With `provider: 'oidc'`: the issuer and the client's secret and API audience. */
  oidc?: { issuer: string; clientSecret?: string; audience?: string };
}

// Only ever used with the embedded emulator, on a developer's machine.
const LOCAL_COOKIE_PASSWORD = 'local-demo-cookie-password-not-for-production';

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new TypeError(`${name} must be a port number, got "${value}"`);
  }
  return parsed;
}

function httpAdapter(value: string | undefined): DemoHttpAdapter {
  if (value === undefined || value === '') return 'express';
  if (!(HTTP_ADAPTERS as readonly string[]).includes(value)) {
    throw new TypeError(`HTTP_ADAPTER must be "express" or "fastify", got "${value}"`);
  }
  return value as DemoHttpAdapter;
}

function databaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('DATABASE_URL must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TypeError('DATABASE_URL must be a postgres:// URL');
  }
  return value;
}

function isLocalIssuer(issuer: string): boolean {
  return /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(issuer);
}

/**
 * `HTTP_ADAPTER` (`express`, the default, or `fastify`) chooses the HTTP platform, whatever the
 * provider. Embedded defaults unless `OIDC_ISSUER` or `WORKOS_API_KEY` is set. With `OIDC_ISSUER`, the demo
 * signs in with that OpenID Provider (`OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `OIDC_AUDIENCE`,
 * `OIDC_REDIRECT_URI`, `OIDC_COOKIE_PASSWORD`); with `WORKOS_API_KEY`, the `WORKOS_*` variables
 * describe a WorkOS environment (or, with `WORKOS_API_HOSTNAME`, another API such as an emulator
 * started separately), and `WORKOS_WEBHOOK_SECRET` turns on WorkOS's webhooks. Either way no
 * emulator is started. `DATABASE_URL` (a `postgres://` URL) keeps enrolled passkeys in that
 * PostgreSQL server, whatever the provider.
 */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const appPort = port(env.PORT, 'PORT', 3000);
  const adapter = httpAdapter(env.HTTP_ADAPTER);
  if (env.OIDC_ISSUER) {
    const local = isLocalIssuer(env.OIDC_ISSUER);
    const missing = ['OIDC_CLIENT_ID', ...(local ? [] : ['OIDC_COOKIE_PASSWORD'])].filter(
      (name) => !env[name],
    );
    if (missing.length > 0) {
      throw new TypeError(`OIDC_ISSUER is set, so ${missing.join(' and ')} must be set too`);
    }
    return {
      port: appPort,
      httpAdapter: adapter,
      provider: 'oidc',
      emulatorPort: 0,
      testControls: false,
      apiKey: '',
      clientId: env.OIDC_CLIENT_ID!,
      redirectUri: env.OIDC_REDIRECT_URI || `http://localhost:${appPort}/auth/callback`,
      // A local issuer is a developer's machine; anywhere else the password must be chosen.
      cookiePassword: env.OIDC_COOKIE_PASSWORD || LOCAL_COOKIE_PASSWORD,
      redisUrl: env.REDIS_URL || undefined,
      databaseUrl: databaseUrl(env.DATABASE_URL),
      oidc: {
        issuer: env.OIDC_ISSUER,
        clientSecret: env.OIDC_CLIENT_SECRET || undefined,
        audience: env.OIDC_AUDIENCE || undefined,
      },
    };
  }
  const redirectUri = env.WORKOS_REDIRECT_URI || `http://localhost:${appPort}/auth/callback`;
  if (!env.WORKOS_API_KEY) {
    return {
      port: appPort,
      httpAdapter: adapter,
      provider: 'emulator',
      emulatorPort: port(
        env.AUTHKIT_EMULATOR_PORT,
        'AUTHKIT_EMULATOR_PORT',
        EMULATOR_DEFAULTS.port,
      ),
      testControls: env.AUTHKIT_EMULATOR_TEST_CONTROLS === '1',
      apiKey: EMULATOR_DEFAULTS.apiKey,
      clientId: EMULATOR_DEFAULTS.clientId,
      redirectUri,
      cookiePassword: env.WORKOS_COOKIE_PASSWORD || LOCAL_COOKIE_PASSWORD,
      redisUrl: env.REDIS_URL || undefined,
      databaseUrl: databaseUrl(env.DATABASE_URL),
    };
  }
  const missing = ['WORKOS_CLIENT_ID', 'WORKOS_COOKIE_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new TypeError(`WORKOS_API_KEY is set, so ${missing.join(' and ')} must be set too`);
  }
  return {
    port: appPort,
    httpAdapter: adapter,
    provider: 'workos',
    emulatorPort: 0,
    testControls: false,
    apiKey: env.WORKOS_API_KEY,
    clientId: env.WORKOS_CLIENT_ID!,
    redirectUri,
    cookiePassword: env.WORKOS_COOKIE_PASSWORD!,
    apiHostname: env.WORKOS_API_HOSTNAME || undefined,
    apiPort: env.WORKOS_API_PORT ? port(env.WORKOS_API_PORT, 'WORKOS_API_PORT', 443) : undefined,
    apiHttps: env.WORKOS_API_HTTPS ? env.WORKOS_API_HTTPS !== 'false' : undefined,
    workosWebhookSecret: env.WORKOS_WEBHOOK_SECRET || undefined,
    redisUrl: env.REDIS_URL || undefined,
    databaseUrl: databaseUrl(env.DATABASE_URL),
  };
}
