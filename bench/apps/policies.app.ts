import { ReauthModule, RequireRecentAuth } from 'nest-workos-reauth';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { emulatorOptions, MAX_AGE, ROUTE, type AppConfig } from '../config';

@Controller()
class LevelController {
  @Get(ROUTE)
  @RequireRecentAuth('sensitive')
  read() {
    return { ok: true };
  }
}

/**
 * (l) The `reauth` app with its route on a level and an organization rule for every
 * organization: the emulator's tokens carry `org_id`, so each request resolves the level and
 * applies the organization's rule, answered from the cache after the first. The level alone
 * would let a sign-in of 1,000 s ago through; the rule tightens it to the `max_age` of (b), so the
 * row's refusal of the stale token shows the rule applied, and (l) lets through what (b) does.
 */
export function policiesApp(config: AppConfig): Type {
  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorOptions(config),
        levels: { sensitive: { maxAge: 4 * MAX_AGE } },
        organizationPolicy: {
          resolve: () => Promise.resolve({ maxAge: MAX_AGE }),
          cacheSeconds: 3600,
        },
      }),
    ],
    controllers: [LevelController],
  })
  class PoliciesAppModule {}
  return PoliciesAppModule;
}
