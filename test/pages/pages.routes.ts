import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { RequireRecentAuth, type ReauthRequest } from 'nest-workos-reauth';
import { PROTOCOL } from '../../libs/reauth/src/core/protocol';
import { PageResponses } from '../../libs/reauth/src/http/page-responses';

/** The app's theme files, served from its own origin as the `pages.theme` option names them. */
export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32"><rect width="32" height="32" rx="8" fill="#0b7a4b"/><text x="40" y="23" font-family="sans-serif" font-size="18" fill="#0b7a4b">Acme</text></svg>`;
export const PAGES_CSS = `main { border-top: 6px solid #0b7a4b; }\nh1 { letter-spacing: 0.01em; }`;

/** A guarded page, and the theme's files. */
@Controller()
export class PagesRoutes {
  @Get('account')
  @RequireRecentAuth(300)
  account(): string {
    return 'account';
  }

  @Get('brand/logo.svg')
  @Header('Content-Type', 'image/svg+xml')
  logo(): string {
    return LOGO_SVG;
  }

  @Get('brand/pages.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  stylesheet(): string {
    return PAGES_CSS;
  }
}

/**
 * The popup's last page as the callback writes it (through the module's own page writer), for
 * a result chosen by the test: a real popup re-authentication would need a provider that signs
 * the user in inside Chromium.
 */
@Controller()
export class PopupPreviewRoutes {
  constructor(private readonly moduleRef: ModuleRef) {}

  @Get('popup-preview')
  popup(
    @Query('status') status: string,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): void {
    const pages = this.moduleRef.get(PageResponses, { strict: false });
    pages.popup(
      request,
      response,
      { type: PROTOCOL.popupMessageType, status: status === 'ok' ? 'ok' : 'failed' },
      'http://localhost',
      'Transfer 50 EUR to Bob',
    );
  }
}
