import { Controller, Get } from '@nestjs/common';
import {
  AuthClaims,
  type AuthKitClaims,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';

/** The routes an impersonated session tries. */
@Controller()
export class ImpersonationRoutes {
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

/** A route that lets someone acting as the user through. */
@Controller('support')
export class ImpersonationSupportRoutes {
  @Get('notes')
  @RequireRecentAuth(300, { allowImpersonation: true })
  notes(@AuthClaims('act') act: unknown) {
    return { act };
  }
}

export const ROUTES = [ImpersonationRoutes, ImpersonationSupportRoutes];
