import { Controller, Get } from '@nestjs/common';
import { AuthClaims, type AuthKitClaims, RequireRecentAuth } from 'nest-workos-reauth';

/** A guarded route whose re-authentication reports to a popup. */
@Controller()
export class PopupPageRoutes {
  @Get('public')
  public(): { ok: true } {
    return { ok: true };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AuthKitClaims, @AuthClaims('sub') sub: string) {
    return { sub, authTime: claims.auth_time, sid: claims.sid };
  }
}

export const ROUTES = [PopupPageRoutes];
