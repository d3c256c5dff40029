import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { PROTOCOL } from '../core/protocol';
import { NO_STORE_HEADERS, popupResultPage, problemPage } from '../http/problem-page';
import { ReauthFlowService, type CallbackOutcome } from '../reauth-flow.service';
import { CallbackQueryDto } from './callback-query.dto';

/**
 * `GET <redirectUri path>`: where the provider sends the browser back. Validates the query, then
 * lets {@link ReauthFlowService.complete} check the state, exchange the code and verify the new
 * sign-in; answers with a 303 to where the user was, or a page that says what went wrong.
 * `ReauthModule` mounts it on the path of `redirectUri` (`routes.callback`).
 */
@Controller()
export class ReauthCallbackController {
  constructor(protected readonly flow: ReauthFlowService) {}

  @Get()
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const dto = plainToInstance(CallbackQueryDto, query);
    const problems = validateSync(dto, { forbidUnknownValues: true });
    if (problems.length > 0) {
      const fields = problems.map((problem) => problem.property);
      return send(response, this.flow.malformedCallback(fields), this.flow.popupTargetOrigin);
    }
    const outcome = await this.flow.complete(request, {
      code: dto.code,
      state: dto.state,
      error: dto.error,
      errorDescription: dto.error_description,
      iss: dto.iss,
    });
    send(response, outcome, this.flow.popupTargetOrigin);
  }
}

export function send(response: Response, outcome: CallbackOutcome, popupOrigin: string): void {
  response.set(NO_STORE_HEADERS);
  if (outcome.setCookies.length > 0) response.append('Set-Cookie', outcome.setCookies);
  if (outcome.kind === 'redirect') {
    response.redirect(303, outcome.location);
    return;
  }
  if (outcome.kind === 'popup') {
    const nonce = randomBytes(16).toString('base64');
    response
      .set(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; frame-ancestors 'none'`,
      )
      .status(200)
      .type('html')
      .send(
        popupResultPage(
          { type: PROTOCOL.popupMessageType, status: outcome.status, code: outcome.code },
          popupOrigin,
          nonce,
        ),
      );
    return;
  }
  response
    .status(outcome.status)
    .type('html')
    .send(problemPage(outcome.title, outcome.message, outcome.code, outcome.continueTo));
}
