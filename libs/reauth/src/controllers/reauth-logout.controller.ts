import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { isSameOriginRequest } from '../core';
import { FactorLedger } from '../factors/factor-ledger';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { RedirectSettings, RequestPolicySettings, RouteSettings } from '../options/reauth-settings';
import { SessionCookieService } from '../authentication/session-cookie.service';
import type { EndedSession } from '../authentication/session-sign-out';
import { StateBindings } from '../flow/state-binding';

/**
 * `POST <routes.logout>`: revokes the session, clears the session cookie and sends the browser to
 * the provider's logout URL (AuthKit's, or an OpenID Provider's `end_session_endpoint` with the
 * `id_token_hint` and a `state` bound to the browser), which ends the provider's own browser
 * session and returns to `logoutReturnTo` (from an OpenID Provider through `GET <routes.logout>`,
 * which checks the `state`). Cross-origin posts are refused, so another site cannot sign users
 * out.
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
    protected readonly bindings: StateBindings,
    protected readonly routes: RouteSettings,
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
    this.responses.redirect(
      response,
      303,
      ended ? await this.endAtProvider(request, response, ended) : this.redirects.logoutReturnTo,
    );
  }

  /**
   * `GET <routes.logout>?state=`: where the provider's logout sends the browser back with the
   * `state` the sign-out sent (OpenID Providers), checked against this browser's binding cookie,
   * then `303` to `logoutReturnTo`. A return that is not this browser's gets a `400` page: the
   * browser was not sent here by its own sign-out, so nothing says where it was going.
   */
  @Get()
  signedOut(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Query('state') state: unknown,
  ): void {
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    if (this.bindings.isSignOutReturn(request, state)) {
      this.responses.redirect(response, 303, this.redirects.logoutReturnTo);
      return;
    }
    this.pages.problem(request, response, 400, (text) => ({
      title: text('signOutReturn.title'),
      message: text('signOutReturn.message'),
      code: 'sign_out_state_invalid',
      links: [
        { href: this.redirects.logoutReturnTo, label: text('link.continue'), id: 'continue' },
      ],
    }));
  }

  /**
   * The provider's logout URL. Where it takes a `state`, the browser comes back through
   * {@link signedOut} with one bound to it; without an end-session endpoint, straight to
   * `logoutReturnTo`.
   */
  private async endAtProvider(
    request: ReauthRequest,
    response: unknown,
    ended: EndedSession,
  ): Promise<string> {
    const logout = this.routes.routes.logout;
    if (!this.provider.signOutState || logout === false) {
      return this.provider.logoutUrl(ended, this.redirects.logoutReturnTo);
    }
    const back = new URL(this.routes.routes.prefix + logout, this.redirects.redirectUri).href;
    const binding = this.bindings.signOutState(request);
    const target = await this.provider.logoutUrl(ended, back, binding.hash);
    if (target === back) return this.redirects.logoutReturnTo;
    this.responses.appendCookies(response, binding.setCookie);
    return target;
  }
}
