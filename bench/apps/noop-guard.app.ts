import { Controller, Get, Injectable, Module, type CanActivate, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ROUTE } from '../config';

/** A guard that decides nothing: what any async global guard costs in Nest. */
@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

@Controller()
class GuardedController {
  @Get(ROUTE)
  read() {
    return { ok: true };
  }
}

/** (a′) The floor for any guard: the bare route behind a global guard that returns true. */
export function noopGuardApp(): Type {
  @Module({
    controllers: [GuardedController],
    providers: [{ provide: APP_GUARD, useClass: AllowAllGuard }],
  })
  class NoopGuardAppModule {}
  return NoopGuardAppModule;
}
