import { Controller, Get, Module, type Type } from '@nestjs/common';
import { ROUTE } from '../config';

@Controller()
class BareController {
  @Get(ROUTE)
  read() {
    return { ok: true };
  }
}

/** (a) The baseline: the same route and answer as the guarded apps, with no guard at all. */
export function bareApp(): Type {
  @Module({ controllers: [BareController] })
  class BareAppModule {}
  return BareAppModule;
}
