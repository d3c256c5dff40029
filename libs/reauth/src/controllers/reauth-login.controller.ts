import { Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { negotiateResponse, sanitizeReturnTo } from '../core';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthStarter, type StartedFlow } from '../flow/reauth-starter';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { describeError } from '../core/describe-error';
import { RedirectSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';

/** Seconds a client is asked to wait before trying again, as every 503 of the library says. */
const RETRY_AFTER_SECONDS = '5';

/**
 * `GET <routes.login>?returnTo=/path`: starts a plain sign-in at the provider and comes back to
 * `returnTo` (a same-origin path; anything else falls back to `fallbackReturnTo`). When the
 * provider (or the store) does not answer, a browser navigation gets a 503 page to try again
 * from; any other request gets the JSON 503 of `ReauthExceptionFilter`.
 */
@Controller()
export class ReauthLoginController {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    protected readonly starter: ReauthStarter,
    protected readonly redirects: RedirectSettings,
    protected readonly responses: HttpResponses,
    protected readonly events: ReauthEvents,
    protected readonly pages: PageResponses,
  ) {}

  @Get()
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): Promise<void> {
    let started: StartedFlow;
    try {
      started = await this.starter.start({
        request,
        returnTo: sanitizeReturnTo(returnTo, { fallback: this.redirects.fallbackReturnTo }),
      });
    } catch (error) {
      if (
        !(error instanceof ReauthUnavailableException) ||
        negotiateResponse(request.headers) !== 'redirect'
      ) {
        throw error;
      }
      return this.unavailable(request, response, error);
    }
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    this.responses.appendCookies(response, started.setCookie);
    this.responses.redirect(response, 302, started.authorizationUrl);
  }

  /** The 503 page of a browser navigation, with a link that asks again for the same sign-in. */
  protected unavailable(
    request: ReauthRequest,
    response: unknown,
    error: ReauthUnavailableException,
  ): void {
    if (this.events.unavailable(error.dependency)) {
      this.logger.warn(
        `Authentication unavailable: ${error.dependency} failed with ${describeError(error.cause)}`,
      );
    }
    this.responses.setHeaders(response, {
      ...NO_STORE_HEADERS,
      'Retry-After': RETRY_AFTER_SECONDS,
      Vary: 'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With',
    });
    if (error.setCookie) this.responses.appendCookies(response, error.setCookie);
    const leave = this.redirects.fallbackReturnTo;
    const retry = sanitizeReturnTo(request.originalUrl ?? request.url, { fallback: leave });
    this.pages.problem(request, response, 503, (text) => ({
      title: text('unavailable.title'),
      message: text('unavailable.message'),
      code: 'reauth_unavailable',
      links: [
        { href: retry, label: text('link.retry'), id: 'retry' },
        { href: leave, label: text('link.leave'), id: 'leave' },
      ],
    }));
  }
}
