import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { isSameOriginRequest } from '../core';
import { FactorLedger } from '../factors/factor-ledger';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { RedirectSettings, RequestPolicySettings } from '../options/reauth-settings';
import { SessionCookieService } from '../authentication/session-cookie.service';

/**
 * `POST <routes.logout>`: revokes the session, clears the session cookie and sends the browser to
 * the provider's logout URL (AuthKit's, or an OpenID Provider's `end_session_endpoint` with the
 * `id_token_hint`), which ends the provider's own browser session and returns to
 * `logoutReturnTo`. Cross-origin posts are refused, so another site cannot sign users out.
 */
@Controller()
export class ReauthLogoutController {
  constructor(
    protected readonly sessions: SessionCookieService,
    protected readonly policy: RequestPolicySettings,
    protected readonly redirects: RedirectSettings,
    protected readonly provider: IdentityProvider,
    protected readonly responses: HttpResponses,
    protected readonly ledger: FactorLedger,
    protected readonly pages: PageResponses,
  ) {}

  @Post()
  @HttpCode(303)
  async logout(@Req() request: ReauthRequest, @Res() response: unknown): Promise<void> {
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    if (!isSameOriginRequest(request.headers, this.policy.allowedOrigins)) {
      this.pages.problem(request, response, 403, (text) => ({
        title: text('signOutRefused.title'),
        message: text('signOutRefused.message'),
        code: 'cross_origin',
        links: [{ href: '/', label: text('link.continue'), id: 'continue' }],
      }));
      return;
    }
    const ended = await this.sessions.end(request);
    if (ended?.sessionId !== undefined) await this.ledger.forget(ended.sessionId);
    this.responses.appendCookies(response, this.sessions.clear());
    const target = ended
      ? await this.provider.logoutUrl(ended, this.redirects.logoutReturnTo)
      : this.redirects.logoutReturnTo;
    this.responses.redirect(response, 303, target);
  }
}
