import { Controller, Get } from '@nestjs/common';
import {
  AuthClaims,
  type AuthKitClaims,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';

/** The routes the browser helper calls. */
@Controller()
export class StepUpFetchRoutes {
  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AuthKitClaims, @AuthClaims('sub') sub: string) {
    return { sub, authTime: claims.auth_time, sid: claims.sid };
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

/** Requirements set on the class, which a handler may override. */
@Controller('strict')
@RequireRecentAuth(600)
export class StepUpFetchStrictRoutes {
  @Get('overrides')
  @RequireRecentAuth(120)
  overrides(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [StepUpFetchRoutes, StepUpFetchStrictRoutes];
