import { Body, Controller, Delete, Get, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { HttpResponses } from '../http/http-responses';
import type { ReauthRequest } from '../interfaces';
import { PasskeyEnrolment } from '../factors/passkey-enrolment';
import { StepUpCallers, type StepUpCaller } from '../factors/step-up-caller';
import { answerStepUp } from './step-up-answer';

/**
 * `<routes.passkeys>`: the signed-in user's passkeys. `GET` lists them; `POST
 * registration/options` then `POST` (`{ name, response }`) enrol one; `PATCH :id` (`{ name }`)
 * renames and `DELETE :id` deletes one. Every change needs a recent sign-in at the provider
 * (otherwise the usual 401 with a re-auth URL).
 */
@Controller()
export class PasskeysController {
  constructor(
    protected readonly callers: StepUpCallers,
    protected readonly enrolment: PasskeyEnrolment,
    protected readonly responses: HttpResponses,
  ) {}

  @Get()
  async list(@Req() request: ReauthRequest, @Res() response: unknown): Promise<void> {
    await this.answer(request, response, 200, async (caller) => ({
      passkeys: await this.enrolment.list(caller),
    }));
  }

  @Post('registration/options')
  async options(@Req() request: ReauthRequest, @Res() response: unknown): Promise<void> {
    await this.answer(request, response, 200, (caller) => this.enrolment.options(caller));
  }

  @Post()
  async register(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Body() body: unknown,
  ): Promise<void> {
    await this.answer(request, response, 201, (caller) => this.enrolment.register(caller, body));
  }

  @Patch(':id')
  async rename(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.answer(request, response, 200, (caller) => this.enrolment.rename(caller, id, body));
  }

  @Delete(':id')
  async remove(
    @Req() request: ReauthRequest,
    @Res() response: unknown,
    @Param('id') id: string,
  ): Promise<void> {
    await this.answer(request, response, 204, async (caller) => {
      await this.enrolment.delete(caller, id);
      return null;
    });
  }

  private answer(
    request: ReauthRequest,
    response: unknown,
    status: number,
    work: (caller: StepUpCaller) => Promise<object | null>,
  ): Promise<void> {
    return answerStepUp(this.callers, this.responses, { request, response, status }, work);
  }
}
