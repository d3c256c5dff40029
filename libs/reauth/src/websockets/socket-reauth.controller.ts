import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { SessionCookieService } from '../authentication/session-cookie.service';
import { refererPath, sanitizeReturnTo } from '../core';
import { ReauthClock } from '../core/clock';
import { negotiateResponse } from '../core/negotiation';
import { ReauthStarter } from '../flow/reauth-starter';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import { callbackKeys } from '../pages/page-catalogue';
import type { ReauthRequest } from '../interfaces';
import { RedirectSettings, StateSealSettings } from '../options/reauth-settings';
import { openSocketTicket } from './socket-ticket';

/** The route's path under the login route: `<routes.login>/socket`. */
export const SOCKET_REAUTH_PATH = 'socket';

/**
 * `GET <routes.login>/socket?ticket=...[&mode=popup][&returnTo=/path]`: the `reauthUrl` of a
 * refused WebSocket message. It starts the sign-in that refusal asks for (the ticket seals its
 * `max_age`, `acr_values`, user and session) as an HTTP refusal would, setting the cookie that
 * binds the sign-in's `state` to this browser, and redirects to the provider. A socket cannot
 * set that cookie, so the sign-in starts here, in the browser that will come back to the
 * callback; the callback's checks (binding, same user, `max_age`) are those of any sign-in.
 * `mode=popup` makes the callback answer with the page that tells the opener (as the
 * `X-Reauth-Mode: popup` header does for HTTP refusals). After the callback the browser goes to
 * `returnTo` (a same-origin path), else to the page that opened this route.
 *
 * Only the browser of the ticket's own sign-in may open it: one that holds no session, another
 * user's, or (for a cookie-authenticated connection) another session gets a 403 `user_mismatch`
 * and nothing starts. Otherwise another user's link would start a sign-in that the browser's
 * provider completes silently for its own user, and the refused sign-in could take that user's
 * provider session with it.
 */
@Controller()
export class SocketReauthController {
  constructor(
    protected readonly starter: ReauthStarter,
    protected readonly sealing: StateSealSettings,
    protected readonly redirects: RedirectSettings,
    protected readonly clock: ReauthClock,
    protected readonly responses: HttpResponses,
    protected readonly sessions: SessionCookieService,
    protected readonly pages: PageResponses,
  ) {}

  @Get(SOCKET_REAUTH_PATH)
  async start(
    @Query('ticket') ticketParam: unknown,
    @Query('mode') mode: unknown,
    @Query('returnTo') returnTo: unknown,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): Promise<void> {
    this.responses.setHeaders(response, { 'Cache-Control': 'no-store' });
    const ticket = openSocketTicket(
      ticketParam,
      this.sealing.cookiePassword,
      this.clock.nowSeconds(),
    );
    if (!ticket) {
      this.responses.json(response, 400, {
        statusCode: 400,
        error: 'socket_ticket_invalid',
        message:
          'This sign-in link is not valid or has expired: send the message again for a new one.',
      });
      return;
    }
    const fallback = this.redirects.fallbackReturnTo;
    const held = await this.sessions.held(request);
    if (
      held === undefined ||
      held.sub !== ticket.sub ||
      (ticket.cookie === true && held.sessionId !== ticket.sid)
    ) {
      this.refuseBrowser(request, response, fallback);
      return;
    }
    const host = request.headers.host;
    const started = await this.starter.start({
      request,
      maxAge: ticket.maxAge,
      sub: ticket.sub,
      sid: ticket.sid,
      authTime: ticket.authTime,
      loginHint: ticket.loginHint,
      route: ticket.route,
      acrValues: ticket.acr,
      amr: ticket.amr,
      mode: mode === 'popup' ? 'popup' : 'redirect',
      returnTo:
        sanitizeReturnTo(returnTo) ?? refererPath(request.headers.referer, host) ?? fallback,
    });
    this.responses.appendCookies(response, started.setCookie);
    this.responses.redirect(response, 302, started.authorizationUrl);
  }

  /** The 403 of a browser that is not the one the ticket was made for: a page, or JSON. */
  protected refuseBrowser(request: ReauthRequest, response: unknown, leave: string): void {
    this.responses.setHeaders(response, {
      Vary: 'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With, Cookie',
    });
    if (negotiateResponse(request.headers) !== 'redirect') {
      this.responses.json(response, 403, {
        statusCode: 403,
        error: 'reauth_forbidden',
        reason: 'user_mismatch',
        message:
          'This sign-in link was made for another signed-in user or session: open it in the browser that asked for it.',
      });
      return;
    }
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    const keys = callbackKeys('user_mismatch');
    this.pages.problem(request, response, 403, (text) => ({
      title: text(keys.title),
      message: text(keys.message),
      code: 'user_mismatch',
      links: [{ href: leave, label: text('link.continue'), id: 'continue' }],
    }));
  }
}
