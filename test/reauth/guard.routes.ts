import { Controller, Get, Post } from '@nestjs/common';
import { AuthClaims, RequireRecentAuth } from 'nest-workos-reauth';
import { AccountRoutes } from './account.routes';

/** Beyond the account routes: a public page and a deletion that needs a sign-in this moment. */
@Controller()
export class GuardRoutes {
  @Get('public')
  public(): { ok: true } {
    return { ok: true };
  }

  @Post('delete')
  @RequireRecentAuth(0)
  remove(@AuthClaims('sub') sub: string) {
    return { deleted: sub };
  }
}

/** Requirements set on the class, which a handler may override. */
@Controller('strict')
@RequireRecentAuth(600)
export class GuardStrictRoutes {
  @Get('inherits')
  inherits(@AuthClaims('sub') sub: string) {
    return { sub };
  }

  @Get('overrides')
  @RequireRecentAuth(120)
  overrides(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [AccountRoutes, GuardRoutes, GuardStrictRoutes];
