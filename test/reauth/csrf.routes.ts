import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';

/** Unsafe and safe requests, same-site only or open to other sites. */
@Controller('csrf')
export class CsrfRoutes {
  @Post('transfer')
  @RequireRecentAuth(300, { action: (request) => request.body })
  transfer(@Body() body: unknown) {
    return { done: true, body };
  }

  @Post('profile')
  @RequireSignIn()
  profile() {
    return { saved: true };
  }

  @Post('webhook-like')
  @RequireRecentAuth(300, { allowCrossOrigin: true })
  open() {
    return { done: true };
  }

  @Get('search')
  @RequireRecentAuth(300, { action: (request) => ({ q: (request as { query?: unknown }).query }) })
  search(@Query('q') q: unknown) {
    return { q };
  }
}

export const ROUTES = [CsrfRoutes];
