import { DEMO_USERS, startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { type ReauthModuleOptions } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import {
  type DynamicModule,
  type INestApplication,
  type LogLevel,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { type DemoConfig, type DemoHttpAdapter } from './demo.config';

/** A running demo: the app and, on embedded defaults, the emulator it signs in with. */
export interface RunningDemo {
  url: string;
  app: INestApplication;
  emulator?: AuthKitEmulator;
  close(): Promise<void>;
}

/**
 * Starts the demo. On embedded defaults it first starts the AuthKit emulator with the demo's
 * redirect URI registered, and the library reads the emulator's clock, so advancing that one
 * clock (a test control) makes sessions stale for the app as well.
 */
export async function startDemo(
  config: DemoConfig,
  options: { logger?: LoggerService | false; now?: () => number } = {},
): Promise<RunningDemo> {
  let emulator: AuthKitEmulator | undefined;
  let reauth: ReauthModuleOptions;
  if (config.provider === 'emulator') {
    emulator = await startAuthKitEmulator({
      port: config.emulatorPort,
      redirectUris: [config.redirectUri],
      testControls: config.testControls,
      users: DEMO_USERS,
    });
    const running = emulator;
    reauth = {
      apiKey: running.apiKey,
      clientId: running.clientId,
      apiHostname: '127.0.0.1',
      port: running.port,
      https: false,
      redirectUri: config.redirectUri,
      cookiePassword: config.cookiePassword,
      now: () => running.now() * 1000,
    };
  } else if (config.provider === 'oidc') {
    reauth = {
      oidc: config.oidc!,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      cookiePassword: config.cookiePassword,
      now: options.now,
    };
  } else {
    reauth = {
      apiKey: config.apiKey,
      clientId: config.clientId,
      apiHostname: config.apiHostname,
      port: config.apiPort,
      https: config.apiHttps,
      redirectUri: config.redirectUri,
      cookiePassword: config.cookiePassword,
      now: options.now,
    };
  }
  if (config.redisUrl) reauth.store = new RedisReauthStore({ connection: config.redisUrl });
  const adapter = config.httpAdapter ?? 'express';
  try {
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
