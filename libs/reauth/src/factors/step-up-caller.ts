import { Injectable } from '@nestjs/common';
import { isSameOriginRequest } from '../core';
import { withoutStack } from '../exceptions/without-stack';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { sessionKeyOf } from '../flow/reauth-records';
import { HttpResponses } from '../http/http-responses';
import type { Authentication, ReauthRequest } from '../interfaces';
import { RequestPolicySettings } from '../options/reauth-settings';
import { RequestAuthenticator } from '../authentication/request-authenticator';
import { StepUpRefusal } from './step-up.errors';

/** The signed-in caller of a step-up or passkey route, with the session its proofs belong to. */
export interface StepUpCaller {
  authentication: Authentication;
  sub: string;
  sessionId: string;
  /** What the session's grants, actions and ledger are kept by. */
  sessionKey: string;
}

/**
 * Who is asking, for the library's own step-up and passkey routes: a verified token of a live
 * session, as the guard reads it (a refreshed cookie is sent back). No token, or one of an ended
 * session, is the usual 401; a token that names no session is refused (400), since a proof is
 * kept per session. A cookie-authenticated `POST`/`PATCH`/`DELETE` must come from the app's own
 * pages (403 otherwise), as on guarded routes.
 */
@Injectable()
export class StepUpCallers {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly policy: RequestPolicySettings,
    private readonly responses: HttpResponses,
  ) {}

  async identify(request: ReauthRequest, response: unknown): Promise<StepUpCaller> {
    const result = await this.authenticator.authenticate(request);
    if (result.status !== 'invalid' && result.setCookie) {
      this.responses.appendCookies(response, result.setCookie);
    }
    if (result.status !== 'authenticated') {
      throw withoutStack(
        () =>
          new ReauthRequiredException({
            reason: result.status === 'invalid' ? 'invalid_token' : 'unauthenticated',
          }),
      );
    }
    const { authentication } = result;
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method.toUpperCase());
    if (
      unsafe &&
      authentication.source === 'cookie' &&
      !isSameOriginRequest(request.headers, this.policy.allowedOrigins)
    ) {
      throw new ReauthForbiddenException('cross_site_request');
    }
    const sub = authentication.claims.sub;
    const sessionId = authentication.sessionId;
    if (sessionId === undefined) {
      throw new StepUpRefusal(
        'method_unavailable',
        'Confirming in the page needs a token that names its session (sid).',
      );
    }
    return { authentication, sub, sessionId, sessionKey: sessionKeyOf(sessionId, sub) };
  }
}
