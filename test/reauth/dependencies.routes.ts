import { Controller, Get } from '@nestjs/common';
import {
  AuthClaims,
  type AuthKitClaims,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';

/** The routes that need the provider the dependency scenarios take away. */
@Controller()
export class DependenciesRoutes {
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

export const ROUTES = [DependenciesRoutes];
