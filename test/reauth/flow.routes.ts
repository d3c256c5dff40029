import { Controller, Get, Post } from '@nestjs/common';
import { AuthClaims, RequireRecentAuth } from 'nest-workos-reauth';
import { AccountRoutes } from './account.routes';

/** Beyond the account routes: a public page, and deletions that need a sign-in this moment. */
@Controller()
export class FlowRoutes {
  @Get('public')
  public(): { ok: true } {
    return { ok: true };
  }

  @Post('delete')
  @RequireRecentAuth(0)
  remove(@AuthClaims('sub') sub: string) {
    return { deleted: sub };
  }

  @Get('delete-page')
  @RequireRecentAuth(0)
  deletePage(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }
}

/** Requirements set on the class, which a handler may override. */
@Controller('strict')
@RequireRecentAuth(600)
export class FlowStrictRoutes {
  @Get('inherits')
  inherits(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [AccountRoutes, FlowRoutes, FlowStrictRoutes];
