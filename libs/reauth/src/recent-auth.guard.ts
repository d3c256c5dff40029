import {
  Inject,
  Injectable,
  Logger,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { evaluateFreshness, isSameOriginRequest, meetsAssurance, negotiateResponse } from './core';
import {
  RecentAuthMetadata,
  type RecentAuthRequirement,
} from './decorators/require-recent-auth.decorator';
import type { Authentication, ReauthRequest } from './interfaces';
import { REAUTH_RESOLVED_OPTIONS } from './reauth.constants';
import { type ResolvedReauthOptions } from './reauth.options';
import { ReauthClock } from './reauth.clock';
import { ReauthRecords, sessionKeyOf } from './flow/reauth-records';
import { ReauthForbiddenException } from './reauth-forbidden.exception';
import { ReauthRequiredException, type ReauthRequiredDetails } from './reauth-required.exception';
import { describeError } from './reauth.errors';
import { RequestAuthenticator, type AuthenticationResult } from './tokens/request-authenticator';

/** Methods that change nothing (RFC 9110 §9.2.1), so a forged one cannot act for the user. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Lets a request reach a handler marked `@RequireRecentAuth(maxAge)` only when its verified
 * access token shows an active sign-in within `maxAge` seconds (or, for `@RequireSignIn()`, any
 * verified token); otherwise throws {@link ReauthRequiredException}. Routes without either
 * decorator pass untouched.
 *
 * `ReauthModule` registers it as a global guard (`APP_GUARD`). Its steps are protected methods,
 * so an app can extend it and override one.
 */
@Injectable()
export class RecentAuthGuard implements CanActivate {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    protected readonly reflector: Reflector,
    protected readonly authenticator: RequestAuthenticator,
    protected readonly records: ReauthRecords,
    protected readonly adapterHost: HttpAdapterHost,
    @Inject(REAUTH_RESOLVED_OPTIONS) protected readonly options: ResolvedReauthOptions,
    protected readonly clock: ReauthClock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.getRequirement(context);
    if (!requirement) return true;
    if (context.getType() !== 'http') {
      // Only HTTP requests carry what the guard checks; a decorated GraphQL resolver, gateway or
      // message handler is refused rather than silently left open.
      this.logger.warn(
        `${this.routeKey(context)} requires a recent sign-in but is not an HTTP route: refused`,
      );
      return false;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<ReauthRequest & { body?: unknown }>();
    const result = await this.authenticator.authenticate(request);
    if (result.status !== 'invalid' && result.setCookie) {
      this.adapterHost.httpAdapter.appendHeader?.(
        http.getResponse(),
        'Set-Cookie',
        result.setCookie,
      );
    }
    const authentication = this.requireAuthentication(result, requirement, context, request);
    this.checkOrigin(authentication, requirement, request);
    this.checkActor(authentication, requirement);
    await this.checkFreshness(authentication, requirement, context, request);
    request.reauth = authentication;
    return true;
  }

  /** The route's requirement; the handler's decorator wins over its controller's. */
  protected getRequirement(context: ExecutionContext): RecentAuthRequirement | undefined {
    return this.reflector.getAllAndOverride(RecentAuthMetadata, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  /** A verified token, or the exception that asks for a sign-in. */
  protected requireAuthentication(
    result: AuthenticationResult,
    requirement: RecentAuthRequirement,
    context: ExecutionContext,
    request: ReauthRequest & { body?: unknown },
  ): Authentication {
    if (result.status === 'authenticated') return result.authentication;
    throw this.reauthRequired(
      { reason: result.status === 'invalid' ? 'invalid_token' : 'unauthenticated' },
      requirement,
      context,
      request,
    );
  }

  /**
   * Refuses a cookie-authenticated unsafe request that did not come from the app's own pages
   * (CSRF): the browser attaches the cookie to a form another site (or a sibling subdomain, or
   * another port) posts. Bearer and custom tokens are attached by the caller's own code.
   */
  protected checkOrigin(
    authentication: Authentication,
    requirement: RecentAuthRequirement,
    request: ReauthRequest,
  ): void {
    if (authentication.source !== 'cookie' || SAFE_METHODS.has(request.method.toUpperCase())) {
      return;
    }
    if (requirement.allowCrossOrigin ?? this.options.allowCrossOrigin) return;
    if (!isSameOriginRequest(request.headers, this.options.allowedOrigins)) {
      throw new ReauthForbiddenException('cross_site_request');
    }
  }

  /**
   * Refuses a token with an `act` claim (RFC 8693: someone acting as the user) on a route that
   * needs the user's own recent sign-in, unless the route or the module allows it.
   */
  protected checkActor(authentication: Authentication, requirement: RecentAuthRequirement): void {
    if (requirement.maxAge === null || authentication.claims.act === undefined) return;
    if (requirement.allowImpersonation ?? this.options.allowImpersonation) return;
    throw new ReauthForbiddenException('impersonation_not_allowed');
  }

  /**
   * Throws unless the token's `auth_time` satisfies the route's `max_age`, and its `acr` and
   * `amr` the route's assurance requirement.
   */
  protected async checkFreshness(
    authentication: Authentication,
    requirement: RecentAuthRequirement,
    context: ExecutionContext,
    request: ReauthRequest & { body?: unknown },
  ): Promise<void> {
    if (requirement.maxAge === null) return;
    const { claims } = authentication;
    const freshness = evaluateFreshness({
      authTime: claims.auth_time,
      maxAge: requirement.maxAge,
      now: this.clock.nowSeconds(),
      toleranceSeconds: this.options.clockToleranceSeconds,
    });
    const assured = meetsAssurance(claims, requirement);
    if (freshness.fresh && assured) return;
    if (
      requirement.maxAge === 0 &&
      assured &&
      !freshness.fresh &&
      freshness.reason === 'stale' &&
      Number.isSafeInteger(claims.auth_time) &&
      (await this.records.takeGrant(
        sessionKeyOf(authentication.sessionId, claims.sub),
        claims.auth_time!,
        this.routeKey(context),
      ))
    ) {
      return;
    }
    throw this.reauthRequired(
      {
        reason: freshness.fresh ? 'insufficient_assurance' : freshness.reason,
        authTime: freshness.authTime,
        sub: claims.sub,
        sid: authentication.sessionId,
        loginHint: authentication.user?.email,
      },
      requirement,
      context,
      request,
    );
  }

  /** `<controller path>:Controller.handler`: names the route in grants and logs. */
  protected routeKey(context: ExecutionContext): string {
    const controller = context.getClass();
    const path: unknown = Reflect.getMetadata(PATH_METADATA, controller);
    return `${typeof path === 'string' ? path : ''}:${controller.name}.${context.getHandler().name}`;
  }

  private reauthRequired(
    details: Pick<ReauthRequiredDetails, 'reason' | 'authTime' | 'sub' | 'sid' | 'loginHint'>,
    requirement: RecentAuthRequirement,
    context: ExecutionContext,
    request: ReauthRequest & { body?: unknown },
  ): ReauthRequiredException {
    return new ReauthRequiredException({
      ...details,
      maxAge: requirement.maxAge ?? undefined,
      acrValues: requirement.acr,
      amr: requirement.amr,
      route: this.routeKey(context),
      action: details.sub === undefined ? undefined : this.captureAction(requirement, request),
    });
  }

  /**
   * The in-progress action, for a signed-in user's own browser navigation only. Another site's
   * form (a cross-site POST) must not plant an action in the user's session, and scripts and API
   * clients retry their own requests instead. A failing capture must not turn a 401 into a 500.
   */
  private captureAction(
    requirement: RecentAuthRequirement,
    request: ReauthRequest & { body?: unknown },
  ): unknown {
    if (!requirement.action) return undefined;
    if (
      !isSameOriginRequest(request.headers, this.options.allowedOrigins) ||
      negotiateResponse(request.headers) !== 'redirect'
    ) {
      return undefined;
    }
    try {
      return requirement.action?.(request);
    } catch (error) {
      this.logger.warn(
        `The action capture of a guarded route threw ${describeError(error)}; nothing will be restored`,
      );
      return undefined;
    }
  }
}
