import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ActionInvalidError, ActionTooLargeError, negotiateResponse } from '../core';
import {
  graphqlTarget,
  ReauthGraphQLError,
  startInTurn,
  writeHeader,
  type GraphQLTarget,
} from '../graphql';
import type { ReauthRequest } from '../interfaces';
import { describeError } from '../core/describe-error';
import { JSON_HEADERS, NO_STORE_HEADERS, problemPage } from '../http/problem-page';
import { replyJson } from '../http/http-responses';
import { PROTOCOL } from '../core/protocol';
import { ReauthFlowService } from '../flow/reauth-flow.service';
import { ReauthForbiddenException } from './reauth-forbidden.exception';
import { ReauthRequiredException } from './reauth-required.exception';
import { ReauthUnavailableException } from './reauth-unavailable.exception';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';

const CHALLENGE_DESCRIPTION = 'More recent authentication is required';
const ASSURANCE_DESCRIPTION = 'A stronger authentication is required';

/** The marker the callback adds when the user cancelled or failed at the provider. */
function cameBackFromProvider(request: ReauthRequest): boolean {
  const target = request.originalUrl ?? request.url ?? '';
  const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
  const marker = new URLSearchParams(query).get(PROTOCOL.marker);
  return marker === 'cancelled' || marker === 'failed';
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The RFC 6750 / RFC 9470 `WWW-Authenticate` challenge for a reason. */
export function challengeFor(exception: ReauthRequiredException): string {
  switch (exception.reason) {
    case 'unauthenticated':
      // RFC 6750 §3.1: no error code when the request carried no credentials.
      return 'Bearer';
    case 'invalid_token':
      return 'Bearer error="invalid_token", error_description="The access token is invalid"';
    default: {
      const maxAge = exception.maxAge === undefined ? '' : `, max_age="${exception.maxAge}"`;
      // The values were checked at decoration: no spaces, quotes or backslashes.
      const acr = exception.acrValues?.length
        ? `, acr_values="${exception.acrValues.join(' ')}"`
        : '';
      const description =
        exception.reason === 'insufficient_assurance'
          ? ASSURANCE_DESCRIPTION
          : CHALLENGE_DESCRIPTION;
      return `Bearer error="insufficient_user_authentication", error_description="${description}"${maxAge}${acr}`;
    }
  }
}

/** The exceptions the filter answers. */
export type ReauthException =
  ReauthRequiredException | ReauthForbiddenException | ReauthUnavailableException;

/** Whether `error` is one of the exceptions the filter answers. */
export function isReauthException(error: unknown): error is ReauthException {
  return (
    error instanceof ReauthRequiredException ||
    error instanceof ReauthForbiddenException ||
    error instanceof ReauthUnavailableException
  );
}

/**
 * Turns {@link ReauthRequiredException} into what the caller can use: for browser navigations a
 * redirect to AuthKit (302 for GET/HEAD, 303 otherwise), for everything else a JSON 401 with the
 * re-auth URL and the RFC 9470 challenge. {@link ReauthForbiddenException} becomes a 403 (a page
 * for browser navigations, else JSON) and {@link ReauthUnavailableException} a 503.
 *
 * In a GraphQL resolver it returns the refused field's error instead (GraphQL filters answer with
 * an error, they do not write responses): a {@link ReauthGraphQLError} whose `extensions.code` is
 * `REAUTH_REQUIRED` (with `reason`, `maxAge`, `acrValues` and `reauthUrl`), `REAUTH_FORBIDDEN`
 * (with `reason`) or `REAUTH_UNAVAILABLE`. The HTTP response gets the RFC 9470 challenge (or
 * `Retry-After`), the binding cookie and `Cache-Control: no-store`; its status is GraphQL's.
 * `ReauthModule` registers it globally (`APP_FILTER`).
 */
@Catch(ReauthRequiredException, ReauthForbiddenException, ReauthUnavailableException)
export class ReauthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly flow: ReauthFlowService,
  ) {}

  async catch(exception: ReauthException, host: ArgumentsHost): Promise<void | ReauthGraphQLError> {
    if (host.getType<string>() === 'graphql') {
      return this.graphqlError(exception, graphqlTarget(host));
    }
    const http = host.switchToHttp();
    const request = http.getRequest<ReauthRequest>();
    const response = http.getResponse<unknown>();
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
        return this.page(
          response,
          413,
          problemPage(
            'This form is too large to keep',
            'Confirming it’s you would lose what you entered: it is more than 2 KB. Shorten it and try again.',
            error.code,
            this.flow.fallbackReturnTo,
          ),
        );
      }
      const unavailable =
        error instanceof ReauthUnavailableException
          ? error
          : new ReauthUnavailableException(this.flow.dependency, { cause: error });
      this.unavailable(response, unavailable);
    }
  }

  /** The GraphQL error of a refused field; never throws. */
  private async graphqlError(
    exception: ReauthException,
    target: GraphQLTarget,
  ): Promise<ReauthGraphQLError> {
    const request = target.kind === 'operation' ? target.request : undefined;
    const response = target.kind === 'operation' ? target.response : undefined;
    try {
      if (exception instanceof ReauthUnavailableException) {
        return this.graphqlUnavailable(exception, request, response);
      }
      if (exception instanceof ReauthForbiddenException) {
        this.logger.warn(`Refused the GraphQL field ${target.field}: ${exception.reason}`);
        return new ReauthGraphQLError(
          (exception.getResponse() as { message: string }).message,
          { code: 'REAUTH_FORBIDDEN', reason: exception.reason },
          { cause: exception },
        );
      }
      return await this.graphqlReauthRequired(exception, target, request, response);
    } catch (error) {
      const unavailable =
        error instanceof ReauthUnavailableException
          ? error
          : new ReauthUnavailableException(this.flow.dependency, { cause: error });
      return this.graphqlUnavailable(unavailable, request, response);
    }
  }

  private async graphqlReauthRequired(
    exception: ReauthRequiredException,
    target: GraphQLTarget,
    request: (ReauthRequest & { body?: unknown }) | undefined,
    response: object | undefined,
  ): Promise<ReauthGraphQLError> {
    this.reportRefusal(exception, request);
    const message = (exception.getResponse() as { message: string }).message;
    const extensions = {
      code: 'REAUTH_REQUIRED' as const,
      reason: exception.reason,
      maxAge: exception.maxAge,
      acrValues: exception.acrValues,
    };
    if (!request) {
      this.logger.warn(
        `The GraphQL field ${target.field} needs a sign-in, but its GraphQL context has no \`req\` to start one from`,
      );
      return new ReauthGraphQLError(message, extensions, { cause: exception });
    }
    const { details } = exception;
    const startKey = JSON.stringify([
      details.route,
      details.maxAge,
      details.acrValues,
      details.amr,
      details.sub,
    ]);
    const started = await startInTurn(request, startKey, (flowRequest) =>
      this.flow.start({
        request: flowRequest,
        maxAge: details.maxAge,
        sub: details.sub,
        authTime: details.authTime,
        loginHint: details.loginHint,
        route: details.route,
        // A script sent the operation and retries it itself: no action to restore.
        action: undefined,
        sid: details.sid,
        acrValues: details.acrValues,
        amr: details.amr,
        mode: request.headers[PROTOCOL.modeHeader] === 'popup' ? 'popup' : 'redirect',
        clientRequestId: singleHeader(request.headers[PROTOCOL.idHeader]),
      }),
    );
    const adapter = this.adapterHost.httpAdapter;
    writeHeader(adapter, request, response, {
      name: 'Set-Cookie',
      value: started.setCookie,
      append: true,
    });
    writeHeader(adapter, request, response, {
      name: 'WWW-Authenticate',
      value: challengeFor(exception),
      append: true,
    });
    writeHeader(adapter, request, response, { name: 'Cache-Control', value: 'no-store' });
    return new ReauthGraphQLError(
      message,
      { ...extensions, reauthUrl: started.authorizationUrl },
      { cause: exception },
    );
  }

  private graphqlUnavailable(
    exception: ReauthUnavailableException,
    request: ReauthRequest | undefined,
    response: object | undefined,
  ): ReauthGraphQLError {
    this.logUnavailable(exception, request);
    if (request) {
      const adapter = this.adapterHost.httpAdapter;
      if (exception.setCookie) {
        writeHeader(adapter, request, response, {
          name: 'Set-Cookie',
          value: exception.setCookie,
          append: true,
        });
      }
      writeHeader(adapter, request, response, { name: 'Retry-After', value: '5' });
    }
    return new ReauthGraphQLError(
      (exception.getResponse() as { message: string }).message,
      { code: 'REAUTH_UNAVAILABLE' },
      { cause: exception },
    );
  }

  private async reauthRequired(
    request: ReauthRequest,
    response: unknown,
    exception: ReauthRequiredException,
  ): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    const { details } = exception;
    this.reportRefusal(exception);
    const started = await this.flow.start({
      request,
      maxAge: details.maxAge,
      sub: details.sub,
      authTime: details.authTime,
      loginHint: details.loginHint,
      route: details.route,
      action: details.action,
      sid: details.sid,
      acrValues: details.acrValues,
      amr: details.amr,
      mode: request.headers[PROTOCOL.modeHeader] === 'popup' ? 'popup' : 'redirect',
      clientRequestId: singleHeader(request.headers[PROTOCOL.idHeader]),
    });
    adapter.appendHeader?.(response, 'Set-Cookie', started.setCookie);
    for (const [name, value] of Object.entries(JSON_HEADERS)) {
      adapter.setHeader(response, name, value);
    }
    adapter.setHeader(
      response,
      'Vary',
      'Accept, Sec-Fetch-Mode, Authorization, X-Requested-With, X-Reauth-Mode, X-Reauth-Id',
    );
    if (negotiateResponse(request.headers) === 'redirect') {
      if (cameBackFromProvider(request)) {
        // The user just cancelled (or failed) at the provider and landed on a guarded page:
        // sending them straight back would trap them, so let them choose.
        this.page(
          response,
          401,
          problemPage(
            'Confirm it’s you to continue',
            'This page needs a recent sign-in, and the confirmation was not completed.',
            'reauth_required',
            [
              { href: started.authorizationUrl, label: 'Confirm it’s you', id: 'reauthenticate' },
              { href: this.flow.fallbackReturnTo, label: 'Go to the start page', id: 'leave' },
            ],
          ),
        );
        return;
      }
      const read = ['GET', 'HEAD'].includes(request.method.toUpperCase());
      adapter.redirect(response, read ? 302 : 303, started.authorizationUrl);
      return;
    }
    adapter.setHeader(response, 'WWW-Authenticate', challengeFor(exception));
    replyJson(adapter, response, 401, {
      ...(exception.getResponse() as object),
      reauthUrl: started.authorizationUrl,
    });
  }

  private forbidden(
    request: ReauthRequest,
    response: unknown,
    exception: ReauthForbiddenException,
  ): void {
    this.logger.warn(`Refused ${request.method} with 403: ${exception.reason}`);
    this.adapterHost.httpAdapter.setHeader(response, 'Vary', 'Accept, Sec-Fetch-Mode');
    if (negotiateResponse(request.headers) === 'redirect') {
      this.page(
        response,
        403,
        problemPage(
          exception.title,
          (exception.getResponse() as { message: string }).message,
          exception.reason,
          this.flow.fallbackReturnTo,
        ),
      );
      return;
    }
    this.reply(response, 403, exception.getResponse() as object);
  }

  private unavailable(response: unknown, exception: ReauthUnavailableException): void {
    this.logUnavailable(exception);
    const adapter = this.adapterHost.httpAdapter;
    if (exception.setCookie) adapter.appendHeader?.(response, 'Set-Cookie', exception.setCookie);
    adapter.setHeader(response, 'Retry-After', '5');
    this.reply(response, 503, exception.getResponse() as object);
  }

  /** A GraphQL request's refused fields are one refusal: `request` reports it once. */
  private reportRefusal(exception: ReauthRequiredException, request?: object): void {
    const { details } = exception;
    this.flow.events.emitOnce(request, 'reauth.required', {
      type: 'reauth.required',
      reason: details.reason,
      userId: details.sub,
      sessionId: details.sid,
      route: details.route,
      maxAge: details.maxAge,
      acrValues: details.acrValues,
    });
  }

  /** Logs and counts a 503; the fields of one GraphQL request that fail together, once. */
  private logUnavailable(exception: ReauthUnavailableException, request?: object): void {
    if (!this.flow.events.unavailable(exception.dependency, request)) return;
    this.logger.warn(
      exception.cause instanceof ReauthStoreFullError
        ? `Authentication unavailable: the store is full (${exception.cause.maxEntries} live entries); size it for the peak sign-in rate`
        : `Authentication unavailable: ${exception.dependency} failed with ${describeError(exception.cause)}`,
    );
  }

  private page(response: unknown, status: number, html: string): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(NO_STORE_HEADERS))
      adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Content-Type', 'text/html; charset=utf-8');
    adapter.reply(response, html, status);
  }

  private reply(response: unknown, status: number, body: object): void {
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(JSON_HEADERS)) {
      adapter.setHeader(response, name, value);
    }
    replyJson(adapter, response, status, body);
  }
}
