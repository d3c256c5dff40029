import {
  ReauthModule,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type ReauthRequest,
} from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { Controller, Get, HttpCode, Module, Post, Req, Res, type Type } from '@nestjs/common';
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

/** Ends the caller's session, as an app's "sign out everywhere" or account deletion does. */
@Controller()
class EndSessionController {
  constructor(private readonly reauth: ReauthService) {}

  @Post('end-session')
  @HttpCode(204)
  @RequireSignIn()
  async end(@Req() request: ReauthRequest, @Res({ passthrough: true }) response: unknown) {
    await this.reauth.endSession(request, response);
  }
}

/**
 * (m), (n) The app of (b) and (c) with its store on the run's `redis-server`, as a fleet runs it;
 * `bench:revocation` ends sessions on one such instance and times their refusal on another.
 */
export function reauthRedisApp(config: AppConfig): Type {
  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorOptions(config),
        store: new RedisReauthStore({ connection: config.redisUrl, keyPrefix: 'bench:' }),
        ...(config.revocationView === false ? { revocationView: false as const } : {}),
      }),
    ],
    controllers: [RecentAuthController, EndSessionController],
  })
  class ReauthRedisAppModule {}
  return ReauthRedisAppModule;
}
