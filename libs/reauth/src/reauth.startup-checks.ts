import { IN_PAGE_METHODS, StepUpSettings, type InPageMethod } from './options/step-up-settings';
import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { RecentAuthMetadata } from './decorators/require-recent-auth.decorator';
import { ProviderCheckSettings, RouteSettings } from './options/reauth-settings';
import { IdentityProvider } from './providers/identity-provider';
import { checkProvider } from './providers/provider-check';
import { declaredHandlers } from './policies/guarded-handlers';
import { RoutePolicies } from './policies/route-policies';
import { inventoryTable, RouteInventory } from './policies/route-inventory';
import { PolicySettings } from './options/policy-settings';
import { RecentAuthGatewayGuard } from './websockets/gateway.guard';

/** `@nestjs/graphql`'s names, read without loading it: its options and `@ResolveField()`. */
const GRAPHQL_MODULE_OPTIONS = 'GqlModuleOptions';
const GRAPHQL_FIELD_RESOLVER = 'graphql:resolve_property';
/** `@nestjs/websockets`' names: `@WebSocketGateway()`, `@SubscribeMessage()`; Nest's guards list. */
const GATEWAY_METADATA = 'websockets:is_gateway';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
const GUARDS_METADATA = '__guards__';

/** Below this, users find re-authentication prompts frustrating (WorkOS's guidance). */
const SHORT_MAX_AGE_SECONDS = 60;

type Handler = (...args: unknown[]) => unknown;
type ClassOf = new (...args: never[]) => object;

/**
 * What the module checks once the app's modules are known: marked routes whose requirement
 * cannot work as meant (a warning), GraphQL field resolvers and WebSocket message handlers that
 * would run unguarded (the app * does not start), and with `checkProviderOnStart` that the provider is usable.
 */
@Injectable()
export class ReauthStartupChecks {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly routes: RouteSettings,
    private readonly providerCheck: ProviderCheckSettings,
    private readonly provider: IdentityProvider,
    private readonly stepUp: StepUpSettings,
    private readonly policies: RoutePolicies,
    private readonly policySettings: PolicySettings,
    private readonly inventory: RouteInventory,
  ) {}

  /**
   * Runs when the module initialises: after every controller and provider is known. A guarded
   * handler whose level is unknown, or whose policy contradicts itself, stops the start.
   */
  checkRoutes(): void {
    this.refuseUnguardedFieldResolvers();
    this.refuseUnguardedGateways();
    for (const declared of declaredHandlers(this.discovery, this.scanner, this.reflector)) {
      const { requirement } = declared;
      if (!requirement) continue;
      const route = () => `${declared.endpoint} (${declared.handlerName})`;
      const problem = this.policies.problemOf(requirement);
      if (problem !== undefined) throw new Error(`ReauthModule: ${route()} ${problem}`);
      const policy = this.policies.of(requirement);
      const { maxAge } = policy;
      if (typeof maxAge === 'number' && maxAge > 0 && maxAge < SHORT_MAX_AGE_SECONDS) {
        this.logger.warn(
          `${route()} requires a sign-in within ${maxAge}s; under ${SHORT_MAX_AGE_SECONDS}s users are asked to re-authenticate almost at once`,
        );
      }
      if (
        policy.slide &&
        policy.slide.capSeconds > this.stepUp.proofLifetimeSeconds &&
        this.inPageMethods(policy.methods).length > 0
      ) {
        this.logger.warn(
          `${route()} slides up to ${policy.slide.capSeconds}s, but confirmations in the page are kept ${this.stepUp.proofLifetimeSeconds}s (stepUp.proofLifetimeSeconds): a window started by one ends with it`,
        );
      }
      if (this.provider.dependency === 'workos' && policy.acr !== undefined) {
        this.logger.warn(
          `${route()} requires an acr, which WorkOS AuthKit does not issue: every attempt will end in acr_missing`,
        );
      } else if (
        this.provider.dependency === 'workos' &&
        policy.amr !== undefined &&
        !this.inPageMethods(policy.methods).length
      ) {
        this.logger.warn(
          `${route()} requires an amr, which WorkOS AuthKit does not issue and no confirmation in the page can show here (see the stepUp option): every attempt will end in acr_not_satisfied`,
        );
      }
    }
    this.reportInventory();
    this.logger.log(
      `Step-up authentication ready: callback ${this.routes.routes.callback}, ${this.provider.describe()}`,
    );
    const logout = this.routes.routes.logout;
    if (this.provider.signOutState && logout !== false) {
      this.logger.log(
        `Sign-out comes back from the provider to ${this.routes.routes.prefix}${logout} on the app's origin (its post_logout_redirect_uri), which checks the state: allow it at the provider`,
      );
    }
  }

  /**
   * With `inventory.log`, the guarded handlers as a table; with `inventory.unguardedWrites`, the
   * state-changing handlers left without a requirement: a warning each, or (`'error'`) no start.
   */
  private reportInventory(): void {
    const { log, unguardedWrites } = this.policySettings.inventory;
    if (log) {
      const entries = this.inventory.list();
      this.logger.log(`Guarded handlers (${entries.length}):`);
      for (const line of inventoryTable(entries)) this.logger.log(line);
    }
    if (unguardedWrites === 'off') return;
    const unguarded = this.inventory.unguardedWrites();
    if (unguarded.length === 0) return;
    if (unguardedWrites === 'error') {
      throw new Error(
        `ReauthModule: state-changing handlers without @RequireRecentAuth or @RequireSignIn next to guarded ones: ${unguarded.join(', ')}; guard them, or list them in inventory.allowUnguarded`,
      );
    }
    for (const handler of unguarded) {
      this.logger.warn(
        `${handler} changes state without @RequireRecentAuth or @RequireSignIn, in a module that guards other handlers: guard it, or list it in inventory.allowUnguarded`,
      );
    }
  }

  /** The in-page methods the module enables that a route with `methods` accepts. */
  private inPageMethods(methods: readonly InPageMethod[] | undefined): InPageMethod[] {
    return IN_PAGE_METHODS.filter(
      (method) =>
        (methods ?? IN_PAGE_METHODS).includes(method) &&
        (method === 'passkey' ? this.stepUp.passkeys !== undefined : this.stepUp.password),
    );
  }

  /** With `checkProviderOnStart`, the app starts only once the provider proved usable. */
  async checkProvider(): Promise<void> {
    if (!this.providerCheck.checkProviderOnStart) return;
    await checkProvider(this.provider, { jwksTimeoutMs: this.providerCheck.jwksTimeoutMs });
    this.logger.log(`checkProviderOnStart: ${this.provider.describe()} is usable`);
  }

  /**
   * `@nestjs/graphql` runs field resolvers (`@ResolveField`) without any guard unless
   * `GraphQLModule` says `fieldResolverEnhancers: ['guards']`: a decorated one would be left open
   * without a word. The app does not start instead.
   */
  private refuseUnguardedFieldResolvers(): void {
    let graphqlOptions: { fieldResolverEnhancers?: unknown } | undefined;
    try {
      graphqlOptions = this.moduleRef.get(GRAPHQL_MODULE_OPTIONS, { strict: false });
    } catch {
      return; // No GraphQL in this app.
    }
    const enhancers = graphqlOptions?.fieldResolverEnhancers;
    if (Array.isArray(enhancers) && enhancers.includes('guards')) return;
    for (const wrapper of this.discovery.getProviders()) {
      const resolver = wrapper.metatype as ClassOf | null;
      if (!resolver || typeof resolver !== 'function' || !resolver.prototype) continue;
      for (const [name, handler] of this.methodsOf(resolver)) {
        if (Reflect.getMetadata(GRAPHQL_FIELD_RESOLVER, handler) !== true) continue;
        if (!this.reflector.getAllAndOverride(RecentAuthMetadata, [handler, resolver])) continue;
        throw new Error(
          `ReauthModule: ${resolver.name}.${name} is a GraphQL field resolver that requires a sign-in, but GraphQLModule runs field resolvers without guards: add fieldResolverEnhancers: ['guards'] to its options, or it would be left open`,
        );
      }
    }
  }

  /**
   * Nest applies no global guard to WebSocket gateways, so a decorated message handler of a
   * gateway without `@UseGuards(RecentAuthGatewayGuard)` (on the class or the handler) would
   * never be checked; the decorator's own check would refuse its every message. The app does not
   * start instead, naming the handler and the fix.
   */
  private refuseUnguardedGateways(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const gateway = wrapper.metatype as ClassOf | null;
      if (!gateway || typeof gateway !== 'function' || !gateway.prototype) continue;
      if (Reflect.getMetadata(GATEWAY_METADATA, gateway) !== true) continue;
      const classGuarded = hasGatewayGuard(gateway);
      for (const [name, handler] of this.methodsOf(gateway)) {
        if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler) !== true) continue;
        if (!this.reflector.getAllAndOverride(RecentAuthMetadata, [handler, gateway])) continue;
        if (classGuarded || hasGatewayGuard(handler)) continue;
        throw new Error(
          `ReauthModule: ${gateway.name}.${name} is a WebSocket message handler that requires a sign-in, but Nest applies no global guard to gateways: add @UseGuards(RecentAuthGatewayGuard) to ${gateway.name}, or none of its messages could be checked`,
        );
      }
    }
  }

  /** The methods of a class's prototype, by name. */
  private methodsOf(type: ClassOf): [string, Handler][] {
    const prototype = type.prototype as Record<string, unknown>;
    return this.scanner
      .getAllMethodNames(prototype)
      .map((name) => [name, prototype[name] as Handler]);
  }
}

/** Whether `@UseGuards()` on `target` names `RecentAuthGatewayGuard` (or a subclass, or one). */
function hasGatewayGuard(target: object): boolean {
  const guards: unknown = Reflect.getMetadata(GUARDS_METADATA, target);
  if (!Array.isArray(guards)) return false;
  return guards.some(
    (guard) =>
      guard instanceof RecentAuthGatewayGuard ||
      (typeof guard === 'function' &&
        (guard === RecentAuthGatewayGuard ||
          (guard as { prototype?: unknown }).prototype instanceof RecentAuthGatewayGuard)),
  );
}
