import { Controller, Get } from '@nestjs/common';
import { AuthClaims, RequireSignIn } from 'nest-workos-reauth';

/** The route the cache scenarios sign in to. */
@Controller()
export class CachesRoutes {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [CachesRoutes];
