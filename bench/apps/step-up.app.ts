import { MemoryPasskeyCredentialStore, ReauthModule, RequireRecentAuth } from 'nest-workos-reauth';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import {
  emulatorOptions,
  MAX_AGE,
  ROUTE,
  STEP_UP_RP_ID,
  pageOrigin,
  type AppConfig,
} from '../config';

@Controller()
class RecentAuthController {
  @Get(ROUTE)
  @RequireRecentAuth(MAX_AGE)
  read() {
    return { ok: true };
  }
}

/**
 * (i), (j), (k) The `reauth` app with confirmation inside the page: passkeys (relying party
 * `localhost`, pages on `http://localhost:<port>`, a memory credential store) and the AuthKit
 * password. The
 * sign-in limits are as high as the library allows, so that no measured confirmation is ever
 * refused for the number of attempts (only failed ones count, and none should fail).
 */
export function stepUpApp(config: AppConfig): Type {
  const origin = pageOrigin(`http://127.0.0.1:${config.port}`);
  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorOptions(config),
        // The pages' origin: their requests that a cookie authenticates come from there.
        trustedOrigins: [origin],
        signInLimits: { perUser: 100_000, perAddress: 1_000_000, windowSeconds: 600 },
        stepUp: {
          password: true,
          passkeys: {
            rpId: STEP_UP_RP_ID,
            rpName: 'Bench',
            origins: [origin],
            credentials: new MemoryPasskeyCredentialStore(),
          },
        },
      }),
    ],
    controllers: [RecentAuthController],
  })
  class StepUpAppModule {}
  return StepUpAppModule;
}
