import { Controller, Get } from '@nestjs/common';
import { AuthClaims, type AuthKitClaims, RequireRecentAuth } from 'nest-workos-reauth';

/** The guarded route whose refusals and re-authentications the events report. */
@Controller()
export class EventsRoutes {
  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AuthKitClaims, @AuthClaims('sub') sub: string) {
    return { sub, authTime: claims.auth_time, sid: claims.sid };
  }
}

export const ROUTES = [EventsRoutes];
