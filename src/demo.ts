import { DEMO_USERS, startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { type ReauthModuleOptions } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { type DemoConfig } from './demo.config';

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
  try {
    const app = await NestFactory.create(AppModule.forRoot(reauth), {
      logger: options.logger ?? ['log', 'warn', 'error'],
    });
    app.enableShutdownHooks();
    // On embedded defaults everything stays on the loopback interface.
    if (config.provider === 'emulator') await app.listen(config.port, '127.0.0.1');
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
