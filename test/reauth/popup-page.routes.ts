import { Body, Controller, Get, Post } from '@nestjs/common';
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

  /** Confirmed for one amount and payee only: the popup's page names what was confirmed. */
  @Post('transfers')
  @RequireRecentAuth(0, {
    bind: {
      fields: ['amount', 'payee'],
      summary: ({ amount, payee }) => `Transfer ${amount} EUR to ${payee}`,
    },
  })
  transfer(@Body() body: { amount: number; payee: string }) {
    return { done: true, amount: body.amount, payee: body.payee };
  }
}

export const ROUTES = [PopupPageRoutes];
