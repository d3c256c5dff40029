import { ReauthService, RequireSignIn, type ReauthRequest } from 'nest-workos-reauth';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';

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
