import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import {
  AuthClaims,
  type AuthKitClaims,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
} from 'nest-workos-reauth';

/** The routes the re-authentication flow starts from, returns to and restores actions on. */
@Controller()
export class FlowRoutes {
  constructor(private readonly reauth: ReauthService) {}

  @Get('public')
  public(): { ok: true } {
    return { ok: true };
  }

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

  @Post('delete')
  @RequireRecentAuth(0)
  remove(@AuthClaims('sub') sub: string) {
    return { deleted: sub };
  }

  @Get('delete-page')
  @RequireRecentAuth(0)
  deletePage(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }
}

/** Requirements set on the class, which a handler may override. */
@Controller('strict')
@RequireRecentAuth(600)
export class FlowStrictRoutes {
  @Get('inherits')
  inherits(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

export const ROUTES = [FlowRoutes, FlowStrictRoutes];
