import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { randomBytes } from '../crypto/random';
import { PROTOCOL } from '../core/protocol';
import { HttpResponses } from '../http/http-responses';
import {
  NO_STORE_HEADERS,
  popupResultPage,
  popupResultPolicy,
  problemPage,
} from '../http/problem-page';
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
      return send(
        this.responses,
        response,
        this.flow.malformed(fields),
        this.flow.popupTargetOrigin,
      );
    }
    const outcome = await this.flow.complete(request, {
      code: dto.code,
      state: dto.state,
      error: dto.error,
      errorDescription: dto.error_description,
      iss: dto.iss,
    });
    send(this.responses, response, outcome, this.flow.popupTargetOrigin);
  }
}

/** Writes the callback's outcome: a 303, the popup's result page, or a failure page. */
export function send(
  responses: HttpResponses,
  response: unknown,
  outcome: CallbackOutcome,
  popupOrigin: string,
): void {
  responses.setHeaders(response, NO_STORE_HEADERS);
  if (outcome.setCookies.length > 0) responses.appendCookies(response, outcome.setCookies);
  if (outcome.kind === 'redirect') {
    responses.redirect(response, 303, outcome.location);
    return;
  }
  if (outcome.kind === 'popup') {
    const nonce = randomBytes(16).toString('base64');
    responses.setHeaders(response, { 'Content-Security-Policy': popupResultPolicy(nonce) });
    responses.html(
      response,
      200,
      popupResultPage(
        { type: PROTOCOL.popupMessageType, status: outcome.status, code: outcome.code },
        popupOrigin,
        nonce,
        outcome.summary,
      ),
    );
    return;
  }
  responses.html(
    response,
    outcome.status,
    problemPage(
      outcome.title,
      outcome.message,
      outcome.code,
      outcome.continueTo,
      outcome.summary === undefined
        ? undefined
        : { label: 'You were confirming:', summary: outcome.summary },
    ),
  );
}
