import { randomBytes } from 'node:crypto';
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
import { WorkOS } from '@workos-inc/node';
import { AppModule } from './app.module';
import { DEMO_PAGES } from './demo-language';
import { AuthKitSessions } from './authkit-sessions';
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

/** Where the library receives WorkOS's webhooks (its `routes.providerEvents`). */
export const WORKOS_EVENTS_PATH = '/auth/workos/events';

/**
 * Starts the demo. On embedded defaults it first starts the AuthKit emulator with the demo's
 * redirect URI registered, and the library reads the emulator's clock, so advancing that one
 * clock (a test control) makes sessions stale for the app as well. The emulator sends its
 * `session.revoked` and `user.deleted` webhooks to the demo's {@link WORKOS_EVENTS_PATH}, signed
 * with a secret made here, kept in memory and never printed.
 */
export async function startDemo(
  config: DemoConfig,
  options: DemoOptions = {},
): Promise<RunningDemo> {
  let emulator: AuthKitEmulator | undefined;
  try {
    const webhookSecret =
      config.provider === 'emulator'
        ? randomBytes(32).toString('base64url')
        : config.workosWebhookSecret;
    emulator = await startEmulator(config, webhookSecret);
    const reauth: ReauthModuleOptions = {
      ...providerOptions(config, emulator, options.now),
      levels: { ...DEMO_LEVELS },
      defaultLevel: DEMO_DEFAULT_LEVEL,
      organizationPolicy: DEMO_ORGANIZATION_POLICY,
    };
    reauth.stepUp = stepUpOptions(config, options.passkeys ?? new MemoryPasskeyCredentialStore());
    if (webhookSecret) reauth.providerSignals = { workosWebhookSecret: webhookSecret };
    reauth.pages = DEMO_PAGES;
    if (config.redisUrl) reauth.store = new RedisReauthStore({ connection: config.redisUrl });
    const sessions = new AuthKitSessions(
      webhookSecret !== undefined,
      emulator && adminClient(emulator).userManagement,
    );
    const adapter = config.httpAdapter ?? 'express';
    const app = await createApp(
      AppModule.forRoot(reauth, sessions),
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

/**
 * On embedded defaults, the emulator with the demo's users and redirect URI, sending its webhooks
 * to the demo on the loopback interface it listens on.
 */
function startEmulator(
  config: DemoConfig,
  webhookSecret: string | undefined,
): Promise<AuthKitEmulator | undefined> {
  if (config.provider !== 'emulator') return Promise.resolve(undefined);
  return startAuthKitEmulator({
    port: config.emulatorPort,
    redirectUris: [config.redirectUri],
    testControls: config.testControls,
    users: DEMO_EMULATOR_USERS,
    webhooks: webhookSecret
      ? [{ url: `http://127.0.0.1:${config.port}${WORKOS_EVENTS_PATH}`, secret: webhookSecret }]
      : [],
  });
}

/** The SDK as an admin's own tool would hold it, pointed at the embedded emulator. */
function adminClient(emulator: AuthKitEmulator): WorkOS {
  return new WorkOS(emulator.apiKey, {
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    clientId: emulator.clientId,
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
 * way, and keeps each body's bytes (`rawBody`), which the WorkOS-Signature of a webhook is checked
 * against. `@nestjs/platform-fastify` is loaded only when asked for.
 */
async function createApp(
  module: DynamicModule,
  adapter: DemoHttpAdapter,
  logger: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  const options = { logger, rawBody: true };
  if (adapter === 'express') return NestFactory.create(module, options);
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return NestFactory.create(module, new FastifyAdapter(), options);
}
