import { Body, Controller, Get, Post } from '@nestjs/common';
import { AuthClaims, RequireRecentAuth } from 'nest-workos-reauth';
import { AccountRoutes } from './account.routes';

/** Routes that ask for proofs of different kinds and ages. */
@Controller()
class StepUpRoutes {
  @Post('close-account')
  @RequireRecentAuth(0)
  closeAccount(@AuthClaims('sub') sub: string) {
    return { closed: sub };
  }

  @Get('mfa')
  @RequireRecentAuth(300, { amr: ['mfa'] })
  mfa() {
    return { mfa: true };
  }

  @Get('passkey-only')
  @RequireRecentAuth(300, { methods: ['passkey'] })
  passkeyOnly() {
    return { passkey: true };
  }

  @Get('provider-only')
  @RequireRecentAuth(300, { methods: [] })
  providerOnly() {
    return { provider: true };
  }

  @Get('acr')
  @RequireRecentAuth(300, { acr: ['urn:example:loa:2'] })
  acr() {
    return { acr: true };
  }

  @Post('echo')
  @RequireRecentAuth(60)
  echo(@Body() body: unknown) {
    return { body };
  }
}

export const ROUTES = [AccountRoutes, StepUpRoutes];
