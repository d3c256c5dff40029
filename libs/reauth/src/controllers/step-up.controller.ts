import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { answerStepUp } from './step-up-answer';
import { ReauthEvents } from '../events/reauth-events';
import { HttpResponses } from '../http/http-responses';
import type { ReauthRequest } from '../interfaces';
import { ConfirmationAttempts } from '../factors/confirmation-attempts';
import { PasskeyConfirmation } from '../factors/passkey-confirmation';
import { PasswordConfirmation } from '../factors/password-confirmation';
import { StepUpCallers, type StepUpCaller } from '../factors/step-up-caller';
import { StepUpRefusal, type StepUpErrorCode } from '../factors/step-up.errors';
import { StepUpStatus } from '../factors/step-up-status';

/** Refusals that count as a failed confirmation (see `ConfirmationAttempts`). */
const FAILURES: ReadonlySet<StepUpErrorCode> = new Set([
  'passkey_not_verified',
  'unknown_credential',
  'invalid_credentials',
  'invalid_code',
]);

/**
 * `<routes.stepUp>`: confirmation inside the page. `GET` tells the page how recent each proof of
 * the session is and what it can confirm with; `POST passkey/options` and `POST passkey`
 * confirm with a passkey; `POST password` with the provider password (then `{ code }` when a
 * TOTP code must follow). Each proof adds an entry to the session's factor ledger; none starts
 * or switches a session.
 */
@Controller()
export class StepUpController {
  constructor(
    protected readonly callers: StepUpCallers,
    protected readonly status: StepUpStatus,
    protected readonly passkeys: PasskeyConfirmation,
    protected readonly passwords: PasswordConfirmation,
    protected readonly attempts: ConfirmationAttempts,
    protected readonly responses: HttpResponses,
    protected readonly events: ReauthEvents,
  ) {}

  @Get()
  async freshness(@Req() request: ReauthRequest, @Res() response: unknown): Promise<void> {
    await this.answer(request, response, 200, (caller) => this.status.of(caller));
  }

  @Post('passkey/options')
  @HttpCode(200)
  async passkeyOptions(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Body() body: unknown,
  ): Promise<void> {
    await this.answer(request, response, 200, async (caller) => {
      await this.attempts.admit(caller, request);
      return this.passkeys.options(caller, body);
    });
  }

  @Post('passkey')
  @HttpCode(200)
  async passkey(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Body() body: unknown,
  ): Promise<void> {
    await this.answer(request, response, 200, (caller) =>
      this.counted('passkey', caller, request, () => this.passkeys.confirm(caller, body)),
    );
  }

  @Post('password')
  @HttpCode(200)
  async password(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Body() body: unknown,
  ): Promise<void> {
    await this.answer(request, response, 200, (caller) =>
      this.counted('password', caller, request, () =>
        this.passwords.confirm(caller, body, request),
      ),
    );
  }

  /** Runs a confirmation after the limits admit it, counting a failed one. */
  private async counted<T>(
    method: 'passkey' | 'password',
    caller: StepUpCaller,
    request: ReauthRequest,
    confirm: () => Promise<T>,
  ): Promise<T> {
    await this.attempts.admit(caller, request);
    try {
      return await confirm();
    } catch (error) {
      if (error instanceof StepUpRefusal) {
        this.events.emit({
          type: 'step-up.failed',
          userId: caller.sub,
          sessionId: caller.sessionId,
          method,
          reason: error.code,
        });
        if (FAILURES.has(error.code)) await this.attempts.failed(caller, request);
      }
      throw error;
    }
  }

  private answer(
    request: ReauthRequest,
    response: unknown,
    status: number,
    work: (caller: StepUpCaller) => Promise<object>,
  ): Promise<void> {
    return answerStepUp(this.callers, this.responses, { request, response, status }, work);
  }
}
