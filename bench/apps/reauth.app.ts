import { ReauthModule, RequireRecentAuth } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { emulatorOptions, MAX_AGE, ROUTE, type AppConfig } from '../config';

@Controller()
class RecentAuthController {
  @Get(ROUTE)
  @RequireRecentAuth(MAX_AGE)
  read() {
    return { ok: true };
  }
}

/** (b), (c), (f) Our library as an app uses it: the global guard, configured for the emulator. */
export function reauthApp(config: AppConfig): Type {
  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorOptions(config),
      }),
    ],
    controllers: [RecentAuthController],
  })
  class ReauthAppModule {}
  return ReauthAppModule;
}

/** (m), (n) The app of (b) and (c) with its store on the run's `redis-server`, as a fleet runs it. */
export function reauthRedisApp(config: AppConfig): Type {
  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorOptions(config),
        store: new RedisReauthStore({ connection: config.redisUrl, keyPrefix: 'bench:' }),
      }),
    ],
    controllers: [RecentAuthController],
  })
  class ReauthRedisAppModule {}
  return ReauthRedisAppModule;
}
