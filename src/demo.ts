import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import {
  MemoryPasskeyCredentialStore,
  type PasskeyCredentialStore,
  type ReauthModuleOptions,
  type ReauthStepUpOptions,
} from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import {
  type DynamicModule,
  type INestApplication,
  type LogLevel,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import {
  DEMO_DEFAULT_LEVEL,
  DEMO_EMULATOR_USERS,
  DEMO_LEVELS,
  DEMO_ORGANIZATION_POLICY,
} from './demo.policies';
import { type DemoConfig, type DemoHttpAdapter } from './demo.config';

/** A running demo: the app and, on embedded defaults, the emulator it signs in with. */
export interface RunningDemo {
  url: string;
  app: INestApplication;
  emulator?: AuthKitEmulator;
  close(): Promise<void>;
}

export interface DemoOptions {
  logger?: LoggerService | false;
  now?: () => number;
  /**
   * Where enrolled passkeys are kept: `npm start` opens `DATABASE_URL`'s PostgreSQL, or PGlite
   * (see `openPasskeyDatabase`), and closes it after the demo. Default: this process's memory.
   */
  passkeys?: PasskeyCredentialStore;
}

/**
 * Confirmation inside the page: passkeys bound to the demo's public origin (the one its redirect
 * URI names: `http://localhost:3000` on embedded defaults), and the provider password (with the
 * TOTP code of users who have one) where the provider can check it: AuthKit and its emulator
 * can, a generic OpenID Provider cannot.
 */
export function stepUpOptions(
  config: DemoConfig,
  credentials: PasskeyCredentialStore,
): ReauthStepUpOptions {
  const { origin, hostname } = new URL(config.redirectUri);
  return {
    passkeys: {
      rpId: hostname,
      rpName: 'nest-workos-reauth demo',
      origins: [origin],
      credentials,
    },
    password: config.provider !== 'oidc',
  };
}

/**
 * Starts the demo. On embedded defaults it first starts the AuthKit emulator with the demo's
 * redirect URI registered, and the library reads the emulator's clock, so advancing that one
 * clock (a test control) makes sessions stale for the app as well.
 */
export async function startDemo(
  config: DemoConfig,
  options: DemoOptions = {},
): Promise<RunningDemo> {
  let emulator: AuthKitEmulator | undefined;
  try {
    emulator = await startEmulator(config);
    const reauth: ReauthModuleOptions = {
      ...providerOptions(config, emulator, options.now),
      levels: { ...DEMO_LEVELS },
      defaultLevel: DEMO_DEFAULT_LEVEL,
      organizationPolicy: DEMO_ORGANIZATION_POLICY,
    };
    reauth.stepUp = stepUpOptions(config, options.passkeys ?? new MemoryPasskeyCredentialStore());
    if (config.redisUrl) reauth.store = new RedisReauthStore({ connection: config.redisUrl });
    const adapter = config.httpAdapter ?? 'express';
    const app = await createApp(
      AppModule.forRoot(reauth),
      adapter,
      options.logger ?? ['log', 'warn', 'error'],
    );
    app.enableShutdownHooks();
    // On embedded defaults everything stays on the loopback interface. Otherwise the demo listens
    // on every interface, as Express does by default (Fastify's default is localhost only).
    if (config.provider === 'emulator') await app.listen(config.port, '127.0.0.1');
    else if (adapter === 'fastify') await app.listen(config.port, '0.0.0.0');
    else await app.listen(config.port);
    const url = `http://localhost:${config.port}`;
    return {
      url,
      app,
      emulator,
      close: async () => {
        await app.close();
        await emulator?.close();
      },
    };
  } catch (error) {
    await emulator?.close();
    throw error;
  }
}

/** On embedded defaults, the emulator with the demo's users and redirect URI. */
function startEmulator(config: DemoConfig): Promise<AuthKitEmulator | undefined> {
  if (config.provider !== 'emulator') return Promise.resolve(undefined);
  return startAuthKitEmulator({
    port: config.emulatorPort,
    redirectUris: [config.redirectUri],
    testControls: config.testControls,
    users: DEMO_EMULATOR_USERS,
  });
}

/** The module's provider options: the emulator (and its clock), an OpenID Provider, or WorkOS. */
function providerOptions(
  config: DemoConfig,
  emulator: AuthKitEmulator | undefined,
  now: (() => number) | undefined,
): ReauthModuleOptions {
  if (emulator) {
    return {
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      redirectUri: config.redirectUri,
      cookiePassword: config.cookiePassword,
      now: () => emulator.now() * 1000,
    };
  }
  if (config.provider === 'oidc') {
    return {
      oidc: config.oidc!,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      cookiePassword: config.cookiePassword,
      now,
    };
  }
  return {
    apiKey: config.apiKey,
    clientId: config.clientId,
    apiHostname: config.apiHostname,
    port: config.apiPort,
    https: config.apiHttps,
    redirectUri: config.redirectUri,
    cookiePassword: config.cookiePassword,
    now,
  };
}

/**
 * The Nest app on Express or on Fastify. Nothing else differs: Nest parses JSON and url-encoded
 * form bodies on both (its `bodyParser` option, on by default), so the demo's forms post the same
 * way. `@nestjs/platform-fastify` is loaded only when asked for.
 */
async function createApp(
  module: DynamicModule,
  adapter: DemoHttpAdapter,
  logger: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  if (adapter === 'express') return NestFactory.create(module, { logger });
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(module, new FastifyAdapter(), { logger });
}
