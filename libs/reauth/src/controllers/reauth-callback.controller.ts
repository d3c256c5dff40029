import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PROTOCOL } from '../core/protocol';
import { HttpResponses } from '../http/http-responses';
import { PageResponses } from '../http/page-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import { callbackKeys } from '../pages/page-catalogue';
import { CALLBACK_FAILURES, type CallbackFailureCode } from '../flow/callback-failures';
import type { ReauthRequest } from '../interfaces';
import { type CallbackOutcome } from '../flow/callback-outcome';
import { ReauthCallback } from '../flow/reauth-callback';
import { CallbackQueryDto } from './callback-query.dto';

/**
 * `GET <redirectUri path>`: where the provider sends the browser back. Validates the query, then
 * lets {@link ReauthCallback.complete} check the state, exchange the code and verify the new
 * sign-in; answers with a 303 to where the user was, or a page that says what went wrong.
 * `ReauthModule` mounts it on the path of `redirectUri` (`routes.callback`).
 */
@Controller()
export class ReauthCallbackController {
  constructor(
    protected readonly flow: ReauthCallback,
    protected readonly responses: HttpResponses,
    protected readonly pages: PageResponses,
  ) {}

  @Get()
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: ReauthRequest,
    @Res() response: unknown,
  ): Promise<void> {
    const dto = plainToInstance(CallbackQueryDto, query);
    const problems = validateSync(dto, { forbidUnknownValues: true });
    if (problems.length > 0) {
      const fields = problems.map((problem) => problem.property);
      return send(this.responses, this.pages, request, response, {
        outcome: this.flow.malformed(fields),
        popupOrigin: this.flow.popupTargetOrigin,
      });
    }
    const outcome = await this.flow.complete(request, {
      code: dto.code,
      state: dto.state,
      error: dto.error,
      errorDescription: dto.error_description,
      iss: dto.iss,
    });
    send(this.responses, this.pages, request, response, {
      outcome,
      popupOrigin: this.flow.popupTargetOrigin,
    });
  }
}

/** Writes the callback's outcome: a 303, the popup's result page, or a failure page. */
export function send(
  responses: HttpResponses,
  pages: PageResponses,
  request: ReauthRequest,
  response: unknown,
  { outcome, popupOrigin }: { outcome: CallbackOutcome; popupOrigin: string },
): void {
  responses.setHeaders(response, NO_STORE_HEADERS);
  if (outcome.setCookies.length > 0) responses.appendCookies(response, outcome.setCookies);
  if (outcome.kind === 'redirect') {
    responses.redirect(response, 303, outcome.location);
    return;
  }
  if (outcome.kind === 'popup') {
    pages.popup(
      request,
      response,
      { type: PROTOCOL.popupMessageType, status: outcome.status, code: outcome.code },
      popupOrigin,
      outcome.summary,
    );
    return;
  }
  pages.problem(request, response, outcome.status, (text) => {
    const keys = Object.hasOwn(CALLBACK_FAILURES, outcome.code)
      ? callbackKeys(outcome.code as CallbackFailureCode)
      : undefined;
    const message = keys ? text(keys.message) : outcome.message;
    return {
      title: keys ? text(keys.title) : outcome.title,
      message: keys && outcome.details ? `${message} (${outcome.details.join(', ')})` : message,
      code: outcome.code,
      links: [{ href: outcome.continueTo, label: text('link.continue'), id: 'continue' }],
      action:
        outcome.summary === undefined
          ? undefined
          : { label: text('action.wereConfirming'), summary: outcome.summary },
    };
  });
}
