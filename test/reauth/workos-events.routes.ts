import { Controller, Get } from '@nestjs/common';
import {
  AuthClaims,
  RequireRecentAuth,
  RequireSignIn,
  type AuthKitClaims,
} from 'nest-workos-reauth';

/** A signed-in page and a step-up page, to watch a session end. */
@Controller()
export class WorkOSEventsRoutes {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims() claims: AuthKitClaims) {
    return { sub: claims.sub, sid: claims.sid };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims('sid') sid: string) {
    return { sid };
  }
}
