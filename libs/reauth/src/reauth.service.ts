import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Authentication, ReauthRequest } from './interfaces';
import { ReauthRecords, sessionKeyOf } from './flow/reauth-records';
import { RequestAuthenticator } from './authentication/request-authenticator';
import { SessionCookieService } from './authentication/session-cookie.service';
import { RouteInventory, type InventoryEntry } from './policies/route-inventory';
import { ChallengeRelay, type DownstreamResponse } from './challenges/challenge-relay';
import { RequestPolicySettings, TokenSourceSettings } from './options/reauth-settings';
import { wasGuardChecked } from './decorators/route-check';
import { isSameOriginRequest } from './core/same-origin';
import { ReauthForbiddenException } from './exceptions/reauth-forbidden.exception';
import {
  refreshedSessionCookieOf,
  type AuthenticationResult,
} from './authentication/request-authenticator';

/**
 * What an app calls directly.
 *
 * @example
 * ```ts
 * @Get('security')
 * @RequireRecentAuth(300)
 * async security(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
 *   const draft = await this.reauth.takeRestoredAction<{ email: string }>(req, res);
 *   return this.render({ email: draft?.email ?? '' });
 * }
 * ```
 */
@Injectable()
export class ReauthService {
  /** @internal Made by Nest; inject `ReauthService` where the module is visible. */
  constructor(
    private readonly records: ReauthRecords,
    private readonly authenticator: RequestAuthenticator,
    private readonly sessions: SessionCookieService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly routeInventory: RouteInventory,
    private readonly challenges: ChallengeRelay,
    private readonly tokenSources: TokenSourceSettings,
    private readonly policy: RequestPolicySettings,
  ) {}

  /**
   * Every handler of the app that carries `@RequireRecentAuth` or `@RequireSignIn`, HTTP routes
   * and GraphQL operations, with the policy it enforces (levels and the module default resolved;
   * an organization rule may still tighten it per request, see `organizationRules`), sorted by
   * endpoint. Plain data: serve it on an admin route, or compare it with a list in a test. Known
   * once the app has initialised; the option `inventory.log` logs it as a table at start-up.
   *
   * @example
   * ```ts
   * it('guards every money-moving route', async () => {
   *   const app = await NestFactory.create(AppModule, { logger: false });
   *   await app.init();
   *   expect(app.get(ReauthService).inventory()).toContainEqual(
   *     expect.objectContaining({
   *       endpoint: 'POST /api/transfers',
   *       handler: 'TransfersController.create',
   *       maxAge: 0,
   *       boundFields: ['amount', 'payee'],
   *     }),
   *   );
   * });
   * ```
   */
  inventory(): InventoryEntry[] {
    return [...this.routeInventory.list()];
  }

  /**
   * Who is signed in, on routes without a guard decorator (a home page, say); `undefined` for
   * anonymous callers and ended sessions. Pass the response: a refreshed or ended session's
   * cookie is written to it, as the guard does. Without one (`undefined`: a resolver whose
   * context has no `res`), the session is not refreshed, since the browser would keep a spent
   * refresh token: a session that needs a refresh throws a `TypeError`.
   */
  async currentAuthentication(
    request: ReauthRequest,
    response: unknown,
  ): Promise<Authentication | undefined> {
    if (request.reauth) return request.reauth;
    const result = await this.authenticate(request, response, 'currentAuthentication');
    if (result.status !== 'authenticated') return undefined;
    request.reauth = result.authentication;
    return result.authentication;
  }

  /**
   * Authenticates `request` as the guard does, writing a refreshed or cleared session cookie to
   * `response`. Without a response that can take a header, the session is not refreshed: a
   * refresh spends the browser's single-use refresh token, and a new cookie that cannot be sent
   * back would leave the browser with a spent one. A session that needs a refresh then throws a
   * `TypeError` naming `method`, instead of signing the user out.
   */
  private async authenticate(
    request: ReauthRequest,
    response: unknown,
    method: string,
  ): Promise<AuthenticationResult> {
    const writable =
      ((typeof response === 'object' && response !== null) || typeof response === 'function') &&
      this.adapterHost.httpAdapter.appendHeader !== undefined;
    const result = await this.authenticator.authenticate(request, { refresh: writable });
    if (!writable) {
      if (result.status === 'anonymous' && result.renewable) {
        throw new TypeError(
          `ReauthService.${method}() needs the response to refresh the session: pass the framework's response (Express res, Fastify reply, or a GraphQL context's res), or call it where one exists`,
        );
      }
      return result;
    }
    if (result.status !== 'invalid' && result.setCookie) {
      this.adapterHost.httpAdapter.appendHeader?.(response, 'Set-Cookie', result.setCookie);
    }
    return result;
  }

  /**
   * The in-progress action that `@RequireRecentAuth(..., { action })` captured before sending
   * the user to re-authenticate, handed back once, on the page the user returned to, to the same
   * session. `undefined` when there is none (or it was already taken, or expired after
   * 10 minutes). Pass the response, as for {@link ReauthService.currentAuthentication}.
   */
  async takeRestoredAction<T = unknown>(
    request: ReauthRequest,
    response: unknown,
  ): Promise<T | undefined> {
    const authentication = await this.currentAuthentication(request, response);
    if (!authentication) return undefined;
    const path = request.originalUrl ?? request.url ?? '/';
    const key = sessionKeyOf(authentication.sessionId, authentication.claims.sub);
    return (await this.records.takeAction(key, path)) as T | undefined;
  }

  /**
   * Signs the caller out from inside a handler (after deleting their account, say): revokes
   * their session at the provider (WorkOS: the session; OpenID Connect: the refresh token, where
   * the provider offers revocation), so it cannot be refreshed, and clears the session cookie on
   * `response`. Unlike the logout route it does not redirect: the provider's own browser session
   * stays, so the next sign-in may not prompt. A failed revocation at the provider is logged.
   * When the store cannot record the sign-out it rejects with `ReauthUnavailableException`, whose
   * 503 still clears the cookie: copies of the session would go on passing, so it is not done.
   *
   * @example
   * ```ts
   * @Post('delete')
   * @RequireRecentAuth(0)
   * async remove(
   *   @AuthClaims('sub') userId: string,
   *   @Req() req: Request,
   *   @Res({ passthrough: true }) res: Response,
   * ) {
   *   await this.accounts.delete(userId);
   *   await this.reauth.endSession(req, res);
   *   return 'Your account is deleted.';
   * }
   * ```
   */
  async endSession(request: ReauthRequest, response: unknown): Promise<void> {
    await this.sessions.end(request);
    this.adapterHost.httpAdapter.appendHeader?.(response, 'Set-Cookie', this.sessions.clear());
    request.reauth = undefined;
  }

  /**
   * The caller's verified access token, to call a downstream API as the user (a
   * backend-for-frontend): the `Authorization: Bearer` token, the app's extractor's, or the one
   * in the session cookie (refreshed first when it has expired; pass the response, as for
   * {@link ReauthService.currentAuthentication}; without one, a session that needs a refresh
   * throws a `TypeError` before any refresh). `undefined` for anonymous callers and ended
   * sessions. Never log it nor send it to the browser. On a guarded route it reads what the guard
   * authenticated, without authenticating again.
   *
   * On a route without a guard decorator it applies the guard's cross-site rule itself: a
   * cookie-authenticated `POST`, `PUT`, `PATCH` or `DELETE` that does not come from the app's own
   * pages (or the module's `allowedOrigins`) throws `ReauthForbiddenException`
   * (`cross_site_request`, 403) unless the module's `allowCrossOrigin` is set, so another site
   * cannot make the app call a downstream API with the user's token.
   *
   * @example
   * ```ts
   * const token = await this.reauth.accessToken(req, res);
   * const answer = await fetch('https://api.example.com/transfers', {
   *   method: 'POST',
   *   headers: { authorization: `Bearer ${token}` },
   * });
   * ```
   */
  async accessToken(request: ReauthRequest, response: unknown): Promise<string | undefined> {
    // Authenticated already (by the guard, or currentAuthentication): no second authentication,
    // which could spend the session's refresh token once more.
    let authentication = request.reauth;
    if (authentication === undefined) {
      const result = await this.authenticate(request, response, 'accessToken');
      if (result.status !== 'authenticated') return undefined;
      authentication = result.authentication;
    }
    // The guard checked the origin of the requests it let through; other routes are checked here.
    if (!wasGuardChecked(request)) this.checkOrigin(authentication, request);
    request.reauth ??= authentication;
    switch (authentication.source) {
      case 'custom':
        return this.tokenSources.tokenExtractor?.(request);
      case 'bearer':
        return /^bearer +(\S+) *$/i.exec(String(request.headers.authorization))?.[1];
      default: {
        // A refreshed session is the one in the Set-Cookie, read as the next request would.
        const setCookie = refreshedSessionCookieOf(request);
        const sealed = this.sessions.read(
          setCookie === undefined ? request : { headers: { cookie: setCookie.split(';', 1)[0] } },
        );
        return sealed === undefined ? undefined : (await this.sessions.unseal(sealed))?.accessToken;
      }
    }
  }

  /**
   * The guard's cross-site rule, for a route it did not check: a cookie-authenticated `POST`,
   * `PUT`, `PATCH` or `DELETE` hands out the user's token only to the app's own pages (and the
   * module's `allowedOrigins`), unless the module's `allowCrossOrigin` is set.
   */
  private checkOrigin(authentication: Authentication, request: ReauthRequest): void {
    if (authentication.source !== 'cookie' || this.policy.allowCrossOrigin) return;
    if (['GET', 'HEAD', 'OPTIONS'].includes(String(request.method).toUpperCase())) return;
    if (!isSameOriginRequest(request.headers, this.policy.allowedOrigins)) {
      throw new ReauthForbiddenException('cross_site_request');
    }
  }

  /**
   * Relays a downstream API's step-up challenge to the caller: when `downstream` is a 401 or 403
   * whose `WWW-Authenticate` carries RFC 9470's `insufficient_user_authentication` (`max_age`,
   * `acr_values`), Entra's `insufficient_claims` (`claims`, with authentication contexts as
   * `acrs`) or RFC 6750's `insufficient_scope` (`scope`), it throws `ReauthRequiredException`
   * asking for exactly that, which `ReauthExceptionFilter` answers as for a guarded route (the
   * JSON 401 with `reauthUrl`, or a redirect); the callback then checks the new sign-in meets it.
   * Resolves when there is no such challenge (a success, or another error for the app to handle).
   *
   * Throws `DownstreamChallengeException` (502, `downstream_challenge_refused`) instead of
   * starting a sign-in that cannot help: a `malformed` challenge, an `unsatisfiable` one (a
   * `claims` request where the provider takes none, as on WorkOS; an `acr` it does not offer;
   * `max_age=0`), or a `loop` (the caller's token already shows what it asks for). Pass the
   * response, as for {@link ReauthService.currentAuthentication}.
   *
   * @example
   * ```ts
   * @Post('transfers')
   * @RequireSignIn()
   * async transfer(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
   *   const token = await this.reauth.accessToken(req, res);
   *   const answer = await fetch('https://payments.example.com/transfers', {
   *     method: 'POST',
   *     headers: { authorization: `Bearer ${token}` },
   *   });
   *   await this.reauth.relayChallenge(req, res, answer);
   *   if (!answer.ok) throw new BadGatewayException();
   *   return answer.json();
   * }
   * ```
   */
  async relayChallenge(
    request: ReauthRequest,
    response: unknown,
    downstream: DownstreamResponse,
  ): Promise<void> {
    const status = downstream.status ?? downstream.statusCode;
    if (status !== 401 && status !== 403) return;
    await this.challenges.relay(await this.currentAuthentication(request, response), downstream);
  }
}
