import { AuthClaims, RequireSignIn } from 'nest-workos-reauth';
import { BadRequestException, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { AuthKitSessions } from './authkit-sessions';
import { endedAtAuthKitPage } from './views/pages';

/**
 * "End this session at AuthKit", on the account page with the embedded emulator only. The demo
 * ends the session where an admin would, and leaves the cookie alone: the browser is signed out
 * by AuthKit's `session.revoked` webhook, which the library receives at `/auth/workos/events`.
 */
@Controller('account')
export class AuthKitSessionsController {
  constructor(private readonly sessions: AuthKitSessions) {}

  @Post('end-at-authkit')
  @RequireSignIn()
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async end(@AuthClaims('sid') sessionId: unknown): Promise<string> {
    if (typeof sessionId !== 'string') {
      throw new BadRequestException('This sign-in has no AuthKit session to end.');
    }
    await this.sessions.end(sessionId);
    return endedAtAuthKitPage();
  }
}
