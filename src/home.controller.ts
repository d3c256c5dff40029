import { ReauthService, type ReauthRequest } from 'nest-workos-reauth';
import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import { AccountsService } from './accounts.service';
import { viewerOf } from './viewer';
import { homePage } from './views/pages';

@Controller()
export class HomeController {
  constructor(
    private readonly reauth: ReauthService,
    private readonly accounts: AccountsService,
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
    return homePage(authentication && viewerOf(authentication, this.accounts), message);
  }
}
