import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import {
  AuthClaims,
  type AuthKitClaims,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';

/**
 * The account routes most scenarios sign in to, return to and restore actions on; each
 * scenario's own routes file adds what only it needs.
 */
@Controller()
export class AccountRoutes {
  constructor(private readonly reauth: ReauthService) {}

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

  @Get('form')
  @RequireSignIn()
  async form(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    return { restored: (await this.reauth.takeRestoredAction(request, response)) ?? null };
  }

  @Post('transfer')
  @RequireRecentAuth(300, { action: (request) => request.body })
  transfer(@Body() body: unknown) {
    return { done: true, body };
  }
}
