// The process whose memory `measure-memory.ts` watches: the library in a small app, guarding a
// route that the load hits without credentials. It never needs the WorkOS API: a request
// without credentials is answered without one.
import {
  MemoryReauthStore,
  ReauthModule,
  ReauthStore,
  RequireRecentAuth,
} from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

@Controller()
class GuardedController {
  @Get('guarded')
  @RequireRecentAuth(300)
  read(): string {
    return 'ok';
  }

  @Post('guarded')
  @RequireRecentAuth(300, { action: (request) => request.body })
  write(): string {
    return 'ok';
  }
}

async function main(): Promise<void> {
  const redisUrl = process.env.MEASURE_REDIS_URL;
  const store: ReauthStore = redisUrl
    ? new RedisReauthStore({ connection: redisUrl })
    : new MemoryReauthStore();
  @Module({
    imports: [
      ReauthModule.forRoot({
        apiKey: 'sk_test_memory',
        clientId: 'client_memory',
        apiHostname: '127.0.0.1',
        port: 9,
        https: false,
        redirectUri: 'http://localhost:3999/auth/callback',
        cookiePassword: 'memory-measurement-cookie-password!!',
        store,
      }),
    ],
    controllers: [GuardedController],
  })
  class TargetModule {}
  const app = await NestFactory.create(TargetModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const report = async () => {
    // Let closed sockets go and collect twice, so the reading shows what is retained.
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let round = 0; round < 2; round++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      gc?.();
    }
    const size = store instanceof MemoryReauthStore ? store.size : undefined;
    process.send?.({
      rss: process.memoryUsage().rss,
      heapUsed: process.memoryUsage().heapUsed,
      storeEntries: size,
    });
  };
  process.on('message', (message: string) => {
    if (message === 'measure') void report();
  });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
  process.send?.({ port });
}

void main();
