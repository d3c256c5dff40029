import { RequireSignIn } from 'nest-workos-reauth';
import { Controller, Get, Header, Query } from '@nestjs/common';
import { spaPage } from './views/spa-page';

@Controller()
export class SpaController {
  @Get('spa')
  @RequireSignIn()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Query('mode') mode: unknown): string {
    return spaPage(mode === 'redirect' ? 'redirect' : 'popup');
  }
}
