import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { NO_STORE_HEADERS, problemPage } from '../http/problem-page';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { SessionCookieService } from '../tokens/session-cookie.service';

/**
 * `POST <routes.logout>`: clears the session cookie and sends the browser to AuthKit's logout
 * URL, which ends the AuthKit session and returns to `logoutReturnTo`. Cross-origin posts are
 * refused, so another site cannot sign users out.
 */
@Controller()
export class ReauthLogoutController {
  constructor(
    protected readonly sessions: SessionCookieService,
    @Inject(REAUTH_RESOLVED_OPTIONS) protected readonly options: ResolvedReauthOptions,
  ) {}

  @Post()
  @HttpCode(303)
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.set(NO_STORE_HEADERS);
    if (!isSameOrigin(request)) {
      response
        .status(403)
        .type('html')
        .send(
          problemPage(
            'Sign-out refused',
            'Sign-out must start from this site.',
            'cross_origin',
            '/',
          ),
        );
      return;
    }
    const sealed = this.sessions.read(request);
    const contents = sealed === undefined ? undefined : await this.sessions.unseal(sealed);
    const sessionId = contents ? sessionIdOf(contents.accessToken) : undefined;
    response.append('Set-Cookie', this.sessions.clear());
    const target = sessionId
      ? this.options.workos.userManagement.getLogoutUrl({
          sessionId,
          returnTo: this.options.logoutReturnTo,
        })
      : this.options.logoutReturnTo;
    response.redirect(303, target);
  }
}

function sessionIdOf(accessToken: string): string | undefined {
  try {
    const { sid } = decodeJwt(accessToken);
    return typeof sid === 'string' ? sid : undefined;
  } catch {
    return undefined;
  }
}

/** `Origin` (or, failing that, `Sec-Fetch-Site`) must not name another site. */
function isSameOrigin(request: Request): boolean {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    return URL.canParse(origin) && new URL(origin).host === request.headers.host;
  }
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}
