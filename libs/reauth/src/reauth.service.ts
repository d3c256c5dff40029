import { Injectable } from '@nestjs/common';
import type { ReauthRequest } from './interfaces';
import { ReauthFlowService } from './reauth-flow.service';
import { RequestAuthenticator } from './tokens/request-authenticator';

/**
 * What an app calls directly.
 *
 * @example
 * ```ts
 * @Get('security')
 * @RequireRecentAuth(300)
 * async security(@Req() req: Request) {
 *   const draft = await this.reauth.takeRestoredAction<{ email: string }>(req);
 *   return this.render({ email: draft?.email ?? '' });
 * }
 * ```
 */
@Injectable()
export class ReauthService {
  constructor(
    private readonly flow: ReauthFlowService,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  /**
   * The in-progress action that `@RequireRecentAuth(..., { action })` captured before sending
   * the user to re-authenticate, handed back once, on the page the user returned to, to the same
   * AuthKit session. `undefined` when there is none (or it was already taken, or expired after
   * 10 minutes).
   */
  async takeRestoredAction<T = unknown>(request: ReauthRequest): Promise<T | undefined> {
    let claims = request.reauth?.claims;
    if (!claims) {
      const result = await this.authenticator.authenticate(request);
      if (result.status !== 'authenticated') return undefined;
      claims = result.authentication.claims;
    }
    const path = request.originalUrl ?? request.url ?? '/';
    return (await this.flow.takeRestoredAction(claims, path)) as T | undefined;
  }
}
