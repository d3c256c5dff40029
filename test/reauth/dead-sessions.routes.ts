import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { AuthClaims, ReauthService, RequireSignIn } from 'nest-workos-reauth';

/** The route a dead session must no longer reach. */
@Controller()
export class DeadSessionsRoutes {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

/** Ending a session from the app: the account goes, and its session with it. */
@Controller('account')
export class DeadSessionsAccountRoutes {
  constructor(private readonly reauth: ReauthService) {}

  @Post('delete')
  @RequireSignIn()
  async remove(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.reauth.endSession(request, response);
    return { deleted: true };
  }
}

export const ROUTES = [DeadSessionsRoutes, DeadSessionsAccountRoutes];
