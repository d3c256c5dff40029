import { createReadStream } from 'node:fs';
import { Body, Controller, Get, HttpCode, Post, StreamableFile } from '@nestjs/common';
import {
  AuthClaims,
  CurrentAuthentication,
  ReauthClock,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
} from 'nest-workos-reauth';

// The browser helper for pages that call the JSON API (an ES module, served as it is).
const STEP_UP_FETCH = require.resolve('step-up-fetch');

interface ChangeEmailBody {
  email?: string;
}

@Controller()
export class AppController {
  constructor(private readonly clock: ReauthClock) {}

  @Get()
  home(): { app: string } {
    return { app: 'nest11-cjs' };
  }

  @Get('assets/step-up-fetch.js')
  stepUpFetch(): StreamableFile {
    return new StreamableFile(createReadStream(STEP_UP_FETCH), { type: 'text/javascript' });
  }

  /** Any signed-in user, however long ago they signed in. */
  @Get('account')
  @RequireSignIn()
  account(@CurrentAuthentication() auth: Authentication) {
    return {
      userId: auth.claims.sub,
      signedInSecondsAgo: this.clock.nowSeconds() - (auth.claims.auth_time ?? 0),
    };
  }

  /** A sensitive action: only within 5 minutes of an active sign-in. */
  @Post('account/email')
  @HttpCode(200)
  @RequireRecentAuth(300, {
    action: (request) => ({ email: (request.body as ChangeEmailBody | undefined)?.email }),
  })
  changeEmail(@AuthClaims('sub') userId: string, @Body() body: ChangeEmailBody) {
    return { userId, email: body.email };
  }

  /** A JSON API route with the same requirement: API clients get a 401 they can act on. */
  @Get('api/profile')
  @RequireRecentAuth(300)
  profile(@AuthClaims('sub') userId: string, @AuthClaims('auth_time') authTime: number) {
    return { userId, authTime };
  }
}
