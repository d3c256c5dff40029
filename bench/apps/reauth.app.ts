import { ReauthModule, RequireRecentAuth } from 'nest-workos-reauth';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { COOKIE_PASSWORD, MAX_AGE, ROUTE, type AppConfig } from '../config';

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
        apiKey: config.apiKey,
        clientId: config.clientId,
        apiHostname: '127.0.0.1',
        port: config.emulatorPort,
        https: false,
        redirectUri: config.redirectUri,
        cookiePassword: COOKIE_PASSWORD,
      }),
    ],
    controllers: [RecentAuthController],
  })
  class ReauthAppModule {}
  return ReauthAppModule;
}
