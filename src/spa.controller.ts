import { RequireSignIn, type ReauthRequest } from 'nest-workos-reauth';
import { Controller, Get, Header, Query, Req } from '@nestjs/common';
import { demoLanguage } from './demo-language';
import { spaPage } from './views/spa-page';

@Controller()
export class SpaController {
  @Get('spa')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('mode') mode: unknown, @Req() request: ReauthRequest): string {
    return spaPage(mode === 'redirect' ? 'redirect' : 'popup', demoLanguage(request));
  }
}
