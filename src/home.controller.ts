import { ReauthService, type ReauthRequest } from 'nest-workos-reauth';
import { Controller, Get, Header, Query, Redirect, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DEMO_LANGUAGES, demoLanguage, languageCookie, pageBefore } from './demo-language';
import { AccountsService } from './accounts.service';
import { viewerOf } from './viewer';
import { homePage } from './views/pages';

@Controller()
export class HomeController {
  constructor(
    private readonly reauth: ReauthService,
    private readonly accounts: AccountsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async home(
    @Req() request: ReauthRequest,
    // Express's Response or Fastify's Reply: the library writes a refreshed session's cookie to it.
    @Res({ passthrough: true }) response: unknown,
    @Query('reauth') marker: unknown,
  ): Promise<string> {
    const authentication = await this.reauth.currentAuthentication(request, response);
    const message =
      marker === 'cancelled'
        ? 'You cancelled confirming it’s you. Nothing was changed.'
        : undefined;
    return homePage(
      authentication && viewerOf(authentication, this.accounts),
      message,
      demoLanguage(request),
    );
  }

  /** The language switch: keeps the choice in a cookie, and goes back to the page it was on. */
  @Get('language')
  @Redirect('/', 303)
  language(
    @Req() request: ReauthRequest,
    @Res({ passthrough: true }) response: unknown,
    @Query('lang') lang: unknown,
  ): { url: string } {
    const chosen = DEMO_LANGUAGES.find((language) => language.tag === lang);
    if (chosen) {
      this.adapterHost.httpAdapter.setHeader(response, 'Set-Cookie', languageCookie(chosen.tag));
    }
    return { url: pageBefore(request) };
  }
}
