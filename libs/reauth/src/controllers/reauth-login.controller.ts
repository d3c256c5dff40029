import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { sanitizeReturnTo } from '../core';
import { HttpResponses } from '../http/http-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { ReauthFlowService } from '../reauth-flow.service';

/**
 * `GET <routes.login>?returnTo=/path`: starts a plain sign-in at the provider and comes back to
 * `returnTo` (a same-origin path; anything else falls back to `fallbackReturnTo`).
 */
@Controller()
export class ReauthLoginController {
  constructor(
    protected readonly flow: ReauthFlowService,
    @Inject(REAUTH_RESOLVED_OPTIONS) protected readonly options: ResolvedReauthOptions,
    protected readonly responses: HttpResponses,
  ) {}

  @Get()
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): Promise<void> {
    const started = await this.flow.start({
      request,
      returnTo: sanitizeReturnTo(returnTo, { fallback: this.options.fallbackReturnTo }),
    });
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    this.responses.appendCookies(response, started.setCookie);
    this.responses.redirect(response, 302, started.authorizationUrl);
  }
}
