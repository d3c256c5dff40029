import { StepUpOffers } from '../factors/step-up-offers';
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ActionInvalidError, ActionTooLargeError, negotiateResponse } from '../core';
import { PROTOCOL } from '../core/protocol';
import { graphqlTarget, type ReauthGraphQLError } from '../graphql';
import { GraphQLRefusals } from '../graphql/graphql-refusals';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { JSON_HEADERS } from '../http/problem-page';
import { forbiddenKeys } from '../pages/page-catalogue';
import type { ReauthRequest } from '../interfaces';
import { RedirectSettings } from '../options/reauth-settings';
import { ReauthStarter } from '../flow/reauth-starter';
import { DownstreamChallengeException } from '../challenges/downstream-challenge.exception';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { challengeFor } from '../exceptions/reauth-refusal';
import { EXPLAIN_HEADER, RefusalReports } from '../flow/refusal-reports';

/** What a 401 (and a redirect standing in for one) depends on. */
const REAUTH_VARY =
  'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With, X-Reauth-Mode, X-Reauth-Id';

/** The marker the callback adds when the user cancelled or failed at the provider. */
function cameBackFromProvider(request: ReauthRequest): boolean {
  const target = request.originalUrl ?? request.url ?? '';
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  const marker = new URLSearchParams(query).get(PROTOCOL.marker);
  return marker === 'cancelled' || marker === 'failed';
}

/**
 * Turns {@link ReauthRequiredException} into what the caller can use: for browser navigations a
 * redirect to AuthKit (302 for GET/HEAD, 303 otherwise), for everything else a JSON 401 with the
 * re-auth URL and the RFC 9470 challenge. {@link ReauthForbiddenException} becomes a 403 (a page
 * for browser navigations, else JSON), {@link ReauthUnavailableException} a 503, and
 * `DownstreamChallengeException` (a downstream API's challenge `ReauthService.relayChallenge`
 * would not relay) a 502: a page for browser navigations, else its JSON, never cached.
 *
 * In a GraphQL resolver it returns the refused field's error instead (GraphQL filters answer with
 * an error, they do not write responses): a {@link ReauthGraphQLError} whose `extensions.code` is
 * `REAUTH_REQUIRED` (with `reason`, `maxAge`, `acrValues` and `reauthUrl`), `REAUTH_FORBIDDEN`
 * (with `reason`), `REAUTH_UNAVAILABLE` or `DOWNSTREAM_CHALLENGE_REFUSED` (with `reason`). The HTTP response gets the RFC 9470 challenge (or
 * `Retry-After`), the binding cookie and `Cache-Control: no-store`; its status is GraphQL's.
 * `ReauthModule` registers it globally (`APP_FILTER`).
 */
@Catch(
  ReauthRequiredException,
  ReauthForbiddenException,
  ReauthUnavailableException,
  DownstreamChallengeException,
)
export class ReauthExceptionFilter implements ExceptionFilter {
  /** @internal Made by Nest, inside `ReauthModule`. */
  constructor(
    private readonly responses: HttpResponses,
    private readonly starter: ReauthStarter,
    private readonly reports: RefusalReports,
    private readonly graphql: GraphQLRefusals,
    private readonly redirects: RedirectSettings,
    private readonly offers: StepUpOffers,
    private readonly pages: PageResponses,
  ) {}

  /**
   * Nest's filter hook: answers the refusal, or returns the GraphQL error for a resolver.
   *
   * @param exception - A {@link ReauthRequiredException}, {@link ReauthForbiddenException},
   * {@link ReauthUnavailableException} or `DownstreamChallengeException`.
   */
  async catch(
    exception:
      | ReauthRequiredException
      | ReauthForbiddenException
      | ReauthUnavailableException
      | DownstreamChallengeException,
    host: ArgumentsHost,
  ): Promise<void | ReauthGraphQLError> {
    if (host.getType<string>() === 'graphql') {
      if (exception instanceof DownstreamChallengeException) {
        return this.graphql.downstreamRefused(exception, graphqlTarget(host));
      }
      return this.graphql.errorFor(exception, graphqlTarget(host));
    }
    const http = host.switchToHttp();
    const request = http.getRequest<ReauthRequest>();
    const response = http.getResponse<unknown>();
    if (exception instanceof DownstreamChallengeException) {
      return this.downstreamRefused(request, response, exception);
    }
    try {
      if (exception instanceof ReauthUnavailableException) {
        return this.unavailable(response, exception);
      }
      if (exception instanceof ReauthForbiddenException) {
        return this.forbidden(request, response, exception);
      }
      await this.reauthRequired(request, response, exception);
    } catch (error) {
      if (error instanceof ActionTooLargeError || error instanceof ActionInvalidError) {
        // Only browser navigations carry an action, so the answer is a page.
        return this.pages.problem(request, response, 413, (text) => ({
          title: text('formTooLarge.title'),
          message: text('formTooLarge.message'),
          code: error.code,
          links: [
            { href: this.redirects.fallbackReturnTo, label: text('link.continue'), id: 'continue' },
          ],
        }));
      }
      this.unavailable(response, this.reports.asUnavailable(error));
    }
  }

  private async reauthRequired(
    request: ReauthRequest,
    response: unknown,
    exception: ReauthRequiredException,
  ): Promise<void> {
    this.reports.required(exception);
    const started = await this.starter.startRefused(request, exception.details, {
      withAction: true,
    });
    this.responses.appendCookies(response, started.setCookie);
    this.responses.setHeaders(response, { ...JSON_HEADERS, Vary: REAUTH_VARY });
    const explanation = this.reports.explainHeader(exception);
    if (explanation !== undefined) {
      this.responses.setHeaders(response, { [EXPLAIN_HEADER]: explanation });
    }
    if (negotiateResponse(request.headers) === 'redirect') {
      if (cameBackFromProvider(request)) {
        // The user just cancelled (or failed) at the provider and landed on a guarded page:
        // sending them straight back would trap them, so let them choose.
        const bound = exception.details.boundAction;
        this.pages.problem(request, response, 401, (text) => ({
          title: text('cancelled.title'),
          message: text('cancelled.message'),
          code: 'reauth_required',
          links: [
            {
              href: started.authorizationUrl,
              label: text('link.reauthenticate'),
              id: 'reauthenticate',
            },
            { href: this.redirects.fallbackReturnTo, label: text('link.leave'), id: 'leave' },
          ],
          action: bound ? { label: text('action.confirming'), summary: bound.summary } : undefined,
        }));
        return;
      }
      const read = ['GET', 'HEAD'].includes(request.method.toUpperCase());
      this.responses.redirect(response, read ? 302 : 303, started.authorizationUrl);
      return;
    }
    const stepUp = await this.offers.offer(exception.details, started.authorizationUrl);
    this.responses.setHeaders(response, { 'WWW-Authenticate': challengeFor(exception) });
    this.responses.json(response, 401, {
      ...(exception.getResponse() as object),
      reauthUrl: started.authorizationUrl,
      ...(stepUp ? { stepUp } : {}),
    });
  }

  private forbidden(
    request: ReauthRequest,
    response: unknown,
    exception: ReauthForbiddenException,
  ): void {
    this.reports.forbidden(`${request.method} with 403`, exception.reason);
    this.responses.setHeaders(response, { Vary: 'Accept, Sec-Fetch-Mode' });
    if (negotiateResponse(request.headers) === 'redirect') {
      const keys = forbiddenKeys(exception.reason);
      this.pages.problem(request, response, 403, (text) => ({
        title: text(keys.title),
        message: text(keys.message),
        code: exception.reason,
        links: [
          { href: this.redirects.fallbackReturnTo, label: text('link.continue'), id: 'continue' },
        ],
      }));
      return;
    }
    this.reply(response, 403, exception.getResponse() as object);
  }

  /** A downstream API's challenge not relayed: the same 502 whoever asks, a page for browsers. */
  private downstreamRefused(
    request: ReauthRequest,
    response: unknown,
    exception: DownstreamChallengeException,
  ): void {
    this.responses.setHeaders(response, { Vary: 'Accept, Sec-Fetch-Mode' });
    if (negotiateResponse(request.headers) === 'redirect') {
      this.pages.problem(request, response, 502, (text) => ({
        title: text('downstreamRefused.title'),
        message: text('downstreamRefused.message'),
        code: `${exception.code}: ${exception.reason}`,
        links: [
          { href: this.redirects.fallbackReturnTo, label: text('link.continue'), id: 'continue' },
        ],
      }));
      return;
    }
    this.reply(response, 502, exception.getResponse() as object);
  }

  private unavailable(response: unknown, exception: ReauthUnavailableException): void {
    this.reports.unavailable(exception);
    if (exception.setCookie) this.responses.appendCookies(response, exception.setCookie);
    this.responses.setHeaders(response, { 'Retry-After': '5' });
    this.reply(response, 503, exception.getResponse() as object);
  }

  private reply(response: unknown, status: number, body: object): void {
    this.responses.setHeaders(response, JSON_HEADERS);
    this.responses.json(response, status, body);
  }
}
