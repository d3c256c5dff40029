import { ReauthService, RequireSignIn, type ReauthRequest } from 'nest-workos-reauth';
import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';

/** Where the downstream API listens; set by the suite once its resource server is up. */
export const DOWNSTREAM = { url: '' };

/**
 * A backend-for-frontend: each route calls the downstream API's route of the same name as the
 * signed-in user, and relays a step-up challenge it answers with.
 */
@Controller('bff')
export class BffController {
  constructor(private readonly reauth: ReauthService) {}

  @Get('signed-in')
  @RequireSignIn()
  signedIn() {
    return { ok: true };
  }

  @Get(':route')
  @RequireSignIn()
  async call(
    @Param('route') route: string,
    @Req() req: ReauthRequest,
    @Res({ passthrough: true }) res: unknown,
  ) {
    const token = await this.reauth.accessToken(req, res);
    const answer = await fetch(`${DOWNSTREAM.url}/${route}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await this.reauth.relayChallenge(req, res, answer);
    return { downstream: answer.status, body: (await answer.json()) as unknown };
  }
}

/** Routes without a guard decorator that still hand out the caller's token. */
@Controller('open')
export class OpenTokenController {
  constructor(private readonly reauth: ReauthService) {}

  @Post('token')
  async token(@Req() req: ReauthRequest, @Res({ passthrough: true }) res: unknown) {
    return { token: (await this.reauth.accessToken(req, res)) !== undefined };
  }

  /** As a resolver or gateway without a response would call it. */
  @Get('token-without-response')
  async tokenWithoutResponse(@Req() req: ReauthRequest) {
    try {
      return { token: (await this.reauth.accessToken(req, undefined)) !== undefined };
    } catch (error) {
      return { error: (error as Error).name, message: (error as Error).message };
    }
  }
}
