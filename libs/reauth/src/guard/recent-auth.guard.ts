import {
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { isSameOriginRequest } from '../core';
import {
  RecentAuthMetadata,
  type RecentAuthRequirement,
} from '../decorators/require-recent-auth.decorator';
import { markChecked } from '../decorators/route-check';
import type { Authentication, ReauthRequest } from '../interfaces';
import { RequestPolicySettings } from '../options/reauth-settings';
import { FreshnessProofs } from '../factors/freshness-proofs';
import { graphqlTarget, writeHeader } from '../graphql';
import { GraphQLRefusals } from '../graphql/graphql-refusals';
import { isReauthRefusal } from '../exceptions/reauth-refusal';
import { withoutStack } from '../exceptions/without-stack';
import { captureAction } from './action-capture';
import { ReauthForbiddenException } from '../exceptions/reauth-forbidden.exception';
import {
  ReauthRequiredException,
  type ReauthRequiredDetails,
} from '../exceptions/reauth-required.exception';
import {
  RequestAuthenticator,
  type AuthenticationResult,
} from '../authentication/request-authenticator';
import { RoutePolicies } from '../policies/route-policies';
import { OrganizationPolicies } from '../policies/organization-policies';
import type { EffectivePolicy } from '../policies/effective-policy';
import { bindAction, type BoundAction } from '../policies/action-binding';
import { explainRefusal } from '../policies/refusal-explanation';
import { handshakeOf } from '../websockets/socket-handshake';
import { SocketReconnectRequired, SocketRefusals } from '../websockets/socket-refusals';

/** What a refusal of this request is built from; `policy` is tightened once the caller is known. */
interface Refusal {
  requirement: RecentAuthRequirement;
  policy: EffectivePolicy;
  context: ExecutionContext;
  request: ReauthRequest & { body?: unknown };
  bound?: BoundAction;
}

/** Methods that change nothing (RFC 9110 §9.2.1), so a forged one cannot act for the user. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Lets a request reach a handler marked `@RequireRecentAuth(maxAge)` only when its verified
 * access token shows an active sign-in within `maxAge` seconds (or, for `@RequireSignIn()`, any
 * verified token); otherwise throws {@link ReauthRequiredException}. Routes without either
 * decorator pass untouched.
 *
 * GraphQL queries, mutations and field resolvers (`@nestjs/graphql`) are checked the same way on
 * the request in the GraphQL context (`req`); a refused field gets a GraphQL error with
 * `extensions.code` `REAUTH_REQUIRED` (see `ReauthExceptionFilter`). WebSocket gateway handlers
 * (`@nestjs/websockets`, socket.io or `ws`, with `RecentAuthGatewayGuard` on the gateway) are
 * checked on each message against the connection's handshake (see `rememberUpgradeRequests`);
 * a refused message gets the `reauth_error` event or its socket.io acknowledgement.
 * Subscriptions and microservice handlers that carry a decorator are refused, with a warning.
 *
 * `ReauthModule` registers it as a global guard (`APP_GUARD`); an app does not register or
 * construct it. What it decides is configured through the module's options and the decorators.
 */
@Injectable()
export class RecentAuthGuard implements CanActivate {
  private readonly logger = new Logger('ReauthModule');
  private readonly graphqlAuthentications = new WeakMap<object, Promise<AuthenticationResult>>();

  /** @internal Made by Nest, inside `ReauthModule`. */
  constructor(
    private readonly reflector: Reflector,
    // Optional only so that a guard registered without the module says what is missing, instead
    // of Nest's generic "can't resolve dependencies".
    @Optional() private readonly authenticator: RequestAuthenticator,
    @Optional() private readonly proofs: FreshnessProofs,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() private readonly options: RequestPolicySettings,
    /** Answers refused GraphQL fields. */
    @Optional() private readonly graphqlRefusals: GraphQLRefusals,
    @Optional() private readonly policies: RoutePolicies,
    @Optional() private readonly organizations: OrganizationPolicies,
    /** Answers refused WebSocket messages. */
    @Optional() private readonly socketRefusals: SocketRefusals,
  ) {
    if (
      !authenticator ||
      !proofs ||
      !options ||
      !graphqlRefusals ||
      !policies ||
      !organizations ||
      !socketRefusals
    ) {
      throw new Error(
        "RecentAuthGuard needs ReauthModule: import ReauthModule.forRoot(...) (or forRootAsync) in the application's root module, which registers the guard globally, instead of registering RecentAuthGuard by hand",
      );
    }
  }

  /** Nest's guard hook: whether the handler may run for this request (otherwise it throws). */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.getRequirement(context);
    if (!requirement) return true;
    const type = context.getType<string>();
    if (type === 'graphql') return this.canActivateGraphQL(context, requirement);
    if (type === 'ws') return this.canActivateSocket(context, requirement);
    if (type !== 'http') {
      // Only HTTP requests carry what the guard checks; a decorated gateway or message handler
      // is refused rather than silently left open.
      this.logger.warn(
        `${this.routeKey(context)} requires a recent sign-in but is not an HTTP route: refused`,
      );
      return false;
    }
    const http = context.switchToHttp();
    const request = http.getRequest<ReauthRequest & { body?: unknown }>();
    const result = await this.authenticator.authenticate(request);
    this.sendRefreshedSession(result, http.getResponse());
    await this.authorize(result, requirement, context, request);
    return true;
  }

  /**
   * A GraphQL query or mutation field (or a field resolver, with `fieldResolverEnhancers:
   * ['guards']`): the same checks on the HTTP request of the GraphQL context's `req`. A refusal
   * is thrown as the field's GraphQL error (see {@link GraphQLRefusals}), since Nest runs no
   * filters for field resolvers unless told to. Subscriptions are refused: their events reach
   * the client long after any check, over a connection the step-up flow cannot answer.
   */
  private async canActivateGraphQL(
    context: ExecutionContext,
    requirement: RecentAuthRequirement,
  ): Promise<boolean> {
    const target = graphqlTarget(context);
    if (target.kind !== 'operation') {
      this.logger.warn(
        target.kind === 'subscription'
          ? `${this.routeKey(context)} requires a recent sign-in but is a GraphQL subscription: refused`
          : `${this.routeKey(context)} requires a recent sign-in but its GraphQL context has no \`req\`: refused`,
      );
      return false;
    }
    const { request, response } = target;
    try {
      // Every guarded field of the request (aliases, batched operations) shares one verification,
      // and one refresh of an expired session cookie.
      let result = this.graphqlAuthentications.get(request);
      if (!result) {
        result = this.authenticator.authenticate(request).then((outcome) => {
          if (outcome.status !== 'invalid' && outcome.setCookie) {
            writeHeader(this.adapterHost.httpAdapter, request, response, {
              name: 'Set-Cookie',
              value: outcome.setCookie,
              append: true,
            });
          }
          return outcome;
        });
        this.graphqlAuthentications.set(request, result);
      }
      await this.authorize(await result, requirement, context, request);
      return true;
    } catch (error) {
      if (!isReauthRefusal(error)) throw error;
      throw await this.graphqlRefusals.errorFor(error, target);
    }
  }

  /**
   * A WebSocket message: the same checks on the connection's handshake (its cookie or token,
   * never refreshed here: a socket cannot send the new cookie back), read again for every
   * message, so a session that ended or went stale since the connection opened is refused on its
   * next message. A cookie-authenticated connection must come from the app's own pages (CSWSH).
   */
  private async canActivateSocket(
    context: ExecutionContext,
    requirement: RecentAuthRequirement,
  ): Promise<boolean> {
    const ws = context.switchToWs();
    const request = handshakeOf(ws.getClient(), ws.getData());
    if (!request) {
      this.logger.error(
        `${this.routeKey(context)} requires a recent sign-in but its WebSocket connection's handshake is unknown: refused. With @nestjs/platform-ws, create the adapter as app.useWebSocketAdapter(rememberUpgradeRequests(new WsAdapter(app)))`,
      );
      return false;
    }
    let cookie = false;
    try {
      // The origin first, whatever the cookie holds: another site's page reads the answer, so
      // signed in, signed out and expired must all look the same to it. Only a bearer token
      // (a header or `auth.token`) is the caller's own code's, and may come from anywhere.
      if (
        !(requirement.allowCrossOrigin ?? this.options.allowCrossOrigin) &&
        this.authenticator.credentialSource(request) !== 'bearer' &&
        !isSameOriginRequest(request.headers, this.options.allowedOrigins)
      ) {
        throw new ReauthForbiddenException('cross_site_request');
      }
      const result = await this.authenticator.authenticate(request, { refresh: false });
      cookie = result.status === 'authenticated' && result.authentication.source === 'cookie';
      if (result.status === 'anonymous' && result.renewable) throw new SocketReconnectRequired();
      await this.authorize(result, requirement, context, request);
      markChecked(context.getArgs(), context.getHandler());
      return true;
    } catch (error) {
      if (!isReauthRefusal(error) && !(error instanceof SocketReconnectRequired)) throw error;
      throw await this.socketRefusals.refuse(error, context, this.routeKey(context), cookie);
    }
  }

  /** The checks after authentication; sets `request.reauth` when they pass. */
  private async authorize(
    result: AuthenticationResult,
    requirement: RecentAuthRequirement,
    context: ExecutionContext,
    request: ReauthRequest & { body?: unknown },
  ): Promise<void> {
    const declared = this.policies.of(requirement);
    const refusal: Refusal = { requirement, policy: declared, context, request };
    // A bound route knows its action before the caller: a sign-in it asks for is then for that
    // action too. A request that cannot be bound is refused once the caller is known.
    let unbound: Error | undefined;
    try {
      refusal.bound = this.boundActionOf(refusal);
    } catch (error) {
      unbound = error as Error;
    }
    const authentication = this.requireAuthentication(result, refusal);
    if (unbound !== undefined) throw unbound;
    this.checkOrigin(authentication, requirement, request);
    this.checkActor(authentication, requirement, declared);
    refusal.policy = await this.tighten(declared, authentication, context);
    await this.checkFreshness(authentication, refusal);
    request.reauth = authentication;
    markChecked(request, context.getHandler());
  }

  /**
   * The route's policy for this caller: an organization rule (the module's
   * `organizationPolicy`) may tighten it, never loosen it.
   */
  private tighten(
    policy: EffectivePolicy,
    authentication: Authentication,
    context: ExecutionContext,
  ): Promise<EffectivePolicy> {
    return this.organizations.apply(policy, authentication.claims, this.routeKey(context));
  }

  /** A bound route's action, from the request body (HTTP) or the field's arguments (GraphQL). */
  private boundActionOf(refusal: Refusal): BoundAction | undefined {
    const { bind } = refusal.policy;
    if (!bind) return undefined;
    const { context, request } = refusal;
    const type = context.getType<string>();
    const graphql = type === 'graphql';
    return bindAction(
      bind,
      graphql ? 'GRAPHQL' : type === 'ws' ? 'WS' : request.method,
      this.routeKey(context),
      graphql ? context.getArgs()[1] : request.body,
    );
  }

  /** Sends back a session cookie the authentication refreshed (or cleared). */
  private sendRefreshedSession(result: AuthenticationResult, response: unknown): void {
    if (result.status !== 'invalid' && result.setCookie) {
      this.adapterHost.httpAdapter.appendHeader?.(response, 'Set-Cookie', result.setCookie);
    }
  }

  /** The route's requirement; the handler's decorator wins over its controller's. */
  private getRequirement(context: ExecutionContext): RecentAuthRequirement | undefined {
    return this.reflector.getAllAndOverride(RecentAuthMetadata, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  /** A verified token, or the exception that asks for a sign-in. */
  private requireAuthentication(result: AuthenticationResult, refusal: Refusal): Authentication {
    if (result.status === 'authenticated') return result.authentication;
    throw this.reauthRequired(
      { reason: result.status === 'invalid' ? 'invalid_token' : 'unauthenticated' },
      refusal,
    );
  }

  /**
   * Refuses a cookie-authenticated unsafe request that did not come from the app's own pages
   * (CSRF): the browser attaches the cookie to a form another site (or a sibling subdomain, or
   * another port) posts. Bearer and custom tokens are attached by the caller's own code.
   */
  private checkOrigin(
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
  private checkActor(
    authentication: Authentication,
    requirement: RecentAuthRequirement,
    policy: EffectivePolicy,
  ): void {
    if (policy.maxAge === null || authentication.claims.act === undefined) return;
    if (requirement.allowImpersonation ?? this.options.allowImpersonation) return;
    throw new ReauthForbiddenException('impersonation_not_allowed');
  }

  /**
   * Throws unless the session's latest accepted proof satisfies the route's `max_age` and its
   * `acr`/`amr`: the token's sign-in, or a confirmation in the page (see `FreshnessProofs`).
   */
  private async checkFreshness(authentication: Authentication, refusal: Refusal): Promise<void> {
    const { policy } = refusal;
    const { maxAge } = policy;
    if (maxAge === null) return;
    const { bound } = refusal;
    // A bound route's grant is kept per action: another amount or payee finds none.
    const scope = bound?.scope ?? this.routeKey(refusal.context);
    const shortfall = await this.proofs.check(authentication, { ...policy, maxAge }, scope);
    if (shortfall === undefined) return;
    const methods = this.proofs.offeredMethods(authentication, policy);
    throw this.reauthRequired(
      {
        ...shortfall,
        sub: authentication.claims.sub,
        sid: authentication.sessionId,
        loginHint: authentication.user?.email,
        ...(methods.length > 0 ? { methods } : {}),
      },
      refusal,
    );
  }

  /** `<controller path>:Controller.handler`: names the route in grants and logs. */
  private routeKey(context: ExecutionContext): string {
    const controller = context.getClass();
    const path: unknown = Reflect.getMetadata(PATH_METADATA, controller);
    return `${typeof path === 'string' ? path : ''}:${controller.name}.${context.getHandler().name}`;
  }

  private reauthRequired(
    details: Pick<
      ReauthRequiredDetails,
      'reason' | 'authTime' | 'sub' | 'sid' | 'loginHint' | 'methods'
    >,
    refusal: Refusal,
  ): ReauthRequiredException {
    const { requirement, policy, context, request, bound } = refusal;
    const action =
      details.sub === undefined || context.getType<string>() !== 'http'
        ? undefined
        : captureAction(requirement, request, this.options.allowedOrigins, this.logger);
    const route = this.routeKey(context);
    return withoutStack(
      () =>
        new ReauthRequiredException({
          ...details,
          maxAge: policy.maxAge ?? undefined,
          acrValues: policy.acr,
          amr: policy.amr,
          route: bound?.scope ?? route,
          action,
          ...(bound
            ? {
                boundAction: { digest: bound.digest, summary: bound.summary, fields: bound.fields },
              }
            : {}),
          explanation: explainRefusal(
            route,
            details.reason,
            policy,
            details.methods ?? [],
            bound?.summary,
          ),
        }),
    );
  }
}
