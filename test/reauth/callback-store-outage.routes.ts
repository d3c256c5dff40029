import { Controller, Get } from '@nestjs/common';
import { AuthClaims, RequireSignIn } from 'nest-workos-reauth';

/** The route a sign-in returns to while the store is down. */
@Controller()
export class CallbackStoreOutageRoutes {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [CallbackStoreOutageRoutes];
