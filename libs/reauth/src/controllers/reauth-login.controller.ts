import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sanitizeReturnTo } from '../core';
import { NO_STORE_HEADERS } from '../http/problem-page';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { ReauthFlowService } from '../reauth-flow.service';

/**
 * `GET <routes.login>?returnTo=/path`: starts a plain AuthKit sign-in and comes back to
 * `returnTo` (a same-origin path; anything else falls back to `fallbackReturnTo`).
 */
@Controller()
export class ReauthLoginController {
  constructor(
    protected readonly flow: ReauthFlowService,
    @Inject(REAUTH_RESOLVED_OPTIONS) protected readonly options: ResolvedReauthOptions,
  ) {}

  @Get()
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const started = await this.flow.start({
      request,
      returnTo: sanitizeReturnTo(returnTo, { fallback: this.options.fallbackReturnTo }),
    });
    response.set(NO_STORE_HEADERS).append('Set-Cookie', started.setCookie);
    response.redirect(302, started.authorizationUrl);
  }
}
