// A server process of `npm run bench`: one app on its own event loop, so that the load generator
// in the parent does not compete with it. It tells the parent when it listens and exits as soon
// as the parent goes away, whatever the reason.
import { NestFactory } from '@nestjs/core';
import type { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { bareApp } from './apps/bare.app';
import { joseApp } from './apps/jose.app';
import { noopGuardApp } from './apps/noop-guard.app';
import { passportApp } from './apps/passport.app';
import { reauthApp, reauthRedisApp } from './apps/reauth.app';
import { stepUpApp } from './apps/step-up.app';
import { policiesApp } from './apps/policies.app';
import { websocketsApp } from './apps/websockets.app';
import type { AppConfig } from './config';

function moduleFor(config: AppConfig): Type | Promise<Type> {
  switch (config.kind) {
    case 'bare':
      return bareApp();
    case 'noop-guard':
      return noopGuardApp();
    case 'reauth':
      return reauthApp(config);
    case 'reauth-redis':
      return reauthRedisApp(config);
    case 'step-up':
      return stepUpApp(config);
    case 'policies':
      return policiesApp(config);
    case 'passport':
      return passportApp(config);
    case 'jose':
      return joseApp(config);
    case 'websockets':
      return websocketsApp(config);
  }
}

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  // A graceful stop: exiting normally lets `--cpu-prof` write its profile.
  process.on('message', (message) => {
    if (message === 'exit') process.exit(0);
  });
  const config = JSON.parse(process.argv[2]) as AppConfig;
  const module = await moduleFor(config);
  const options: NestApplicationOptions = { logger: ['error', 'warn'], abortOnError: false };
  // The same module on either platform; Fastify with its defaults (no request logging).
  const app: INestApplication =
    config.platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  await app.listen(config.port, '127.0.0.1');
  process.send?.('listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
