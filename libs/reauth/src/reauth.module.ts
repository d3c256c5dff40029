import {
  Inject,
  Logger,
  Module,
  RequestMethod,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import {
  APP_FILTER,
  APP_GUARD,
  DiscoveryModule,
  DiscoveryService,
  MetadataScanner,
  ModuleRef,
  Reflector,
} from '@nestjs/core';
import { RecentAuthMetadata } from './decorators/require-recent-auth.decorator';
import { HttpResponses } from './http/http-responses';
import type { ReauthModuleExtras, ReauthModuleOptions } from './interfaces';
import { IdentityProvider } from './providers/identity-provider';
import { checkProvider } from './providers/provider-check';
import { REAUTH_RESOLVED_OPTIONS, REAUTH_SETUP } from './reauth.constants';
import {
  REAUTH_MODULE_EXTRAS,
  REAUTH_MODULE_OPTIONS,
  ReauthConfigurableModule,
} from './reauth.module-definition';
import {
  resolveReauthSetup,
  type ReauthSetup,
  type ResolvedReauthOptions,
} from './options/reauth.options';
import { SETTINGS_PROVIDERS } from './options/reauth-settings';
import { ReauthEvents } from './events/reauth-events';
import { ReauthMetrics } from './events/reauth-metrics';
import { ReauthClock } from './reauth.clock';
import { ReauthExceptionFilter } from './exceptions/reauth-exception.filter';
import { ReauthRecords } from './flow/reauth-records';
import { ReauthStarter } from './flow/reauth-starter';
import { SignInAdmission } from './flow/sign-in-admission';
import { StateBindings } from './flow/state-binding';
import { ReauthCallback } from './flow/reauth-callback';
import { CodeExchange } from './flow/code-exchange';
import { RefusalReports } from './exceptions/refusal-reports';
import { GraphQLRefusals } from './graphql/graphql-refusals';
import { ReauthService } from './reauth.service';
import { RecentAuthGuard } from './guard/recent-auth.guard';
import { ReauthStore } from './stores/reauth.store';
import { AccessTokenVerifier } from './authentication/access-token.verifier';
import { RequestAuthenticator } from './authentication/request-authenticator';
import { SessionCookieService } from './authentication/session-cookie.service';
import { SessionRevocations } from './authentication/session-revocations';

/** `@nestjs/graphql`'s names, read without loading it: its options and `@ResolveField()`. */
const GRAPHQL_MODULE_OPTIONS = 'GqlModuleOptions';
const GRAPHQL_FIELD_RESOLVER = 'graphql:resolve_property';

/** Below this, users find re-authentication prompts frustrating (WorkOS's guidance). */
const SHORT_MAX_AGE_SECONDS = 60;

/**
 * Step-up authentication for NestJS on WorkOS AuthKit. Registers `RecentAuthGuard` as a global
 * guard and `ReauthExceptionFilter` as a global filter, and mounts the callback, login and logout
 * routes.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     ReauthModule.forRoot({
 *       apiKey: process.env.WORKOS_API_KEY!,
 *       clientId: process.env.WORKOS_CLIENT_ID!,
 *       redirectUri: process.env.WORKOS_REDIRECT_URI!,
 *       cookiePassword: process.env.WORKOS_COOKIE_PASSWORD!,
 *     }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: REAUTH_SETUP,
      useFactory: (options: ReauthModuleOptions, extras: ReauthModuleExtras) =>
        resolveReauthSetup(options, extras),
      inject: [REAUTH_MODULE_OPTIONS, REAUTH_MODULE_EXTRAS],
    },
    {
      provide: REAUTH_RESOLVED_OPTIONS,
      useFactory: (setup: ReauthSetup) => setup.options,
      inject: [REAUTH_SETUP],
    },
    {
      provide: IdentityProvider,
      useFactory: (setup: ReauthSetup) => setup.provider,
      inject: [REAUTH_SETUP],
    },
    {
      provide: ReauthStore,
      useFactory: (setup: ReauthSetup) => setup.store,
      inject: [REAUTH_SETUP],
    },
    {
      provide: ReauthClock,
      useFactory: (setup: ReauthSetup) => setup.clock,
      inject: [REAUTH_SETUP],
    },
    {
      provide: ReauthMetrics,
      useFactory: (setup: ReauthSetup) => setup.metrics,
      inject: [REAUTH_SETUP],
    },
    ...SETTINGS_PROVIDERS,
    ReauthEvents,
    AccessTokenVerifier,
    SessionRevocations,
    SessionCookieService,
    RequestAuthenticator,
    ReauthRecords,
    StateBindings,
    ReauthStarter,
    SignInAdmission,
    CodeExchange,
    ReauthCallback,
    RefusalReports,
    GraphQLRefusals,
    ReauthService,
    HttpResponses,
    RecentAuthGuard,
    { provide: APP_GUARD, useExisting: RecentAuthGuard },
    { provide: APP_FILTER, useClass: ReauthExceptionFilter },
  ],
  exports: [ReauthClock, ReauthStore, ReauthService, RecentAuthGuard],
})
export class ReauthModule
  extends ReauthConfigurableModule
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly provider: IdentityProvider,
    private readonly store: ReauthStore,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  onModuleInit(): void {
    this.refuseUnguardedFieldResolvers();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const verb: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (verb === undefined) continue;
        const requirement = this.reflector.getAllAndOverride(RecentAuthMetadata, [
          handler,
          controller,
        ]);
        if (!requirement) continue;
        const route = () =>
          `${RequestMethod[verb as RequestMethod]} /${[
            Reflect.getMetadata(PATH_METADATA, controller),
            Reflect.getMetadata(PATH_METADATA, handler),
          ]
            .filter(
              (part): part is string => typeof part === 'string' && part !== '' && part !== '/',
            )
            .map((part) => part.replace(/^\/+|\/+$/g, ''))
            .join('/')} (${controller.name}.${name})`;
        const { maxAge } = requirement;
        if (typeof maxAge === 'number' && maxAge > 0 && maxAge < SHORT_MAX_AGE_SECONDS) {
          this.logger.warn(
            `${route()} requires a sign-in within ${maxAge}s; under ${SHORT_MAX_AGE_SECONDS}s users are asked to re-authenticate almost at once`,
          );
        }
        if (
          this.provider.dependency === 'workos' &&
          (requirement.acr !== undefined || requirement.amr !== undefined)
        ) {
          this.logger.warn(
            `${route()} requires an acr or amr, which WorkOS AuthKit does not issue: every attempt will end in acr_not_satisfied`,
          );
        }
      }
    }
    this.logger.log(
      `Step-up authentication ready: callback ${this.options.routes.callback}, ${this.provider.describe()}`,
    );
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
      const resolver = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!resolver || typeof resolver !== 'function' || !resolver.prototype) continue;
      const prototype = resolver.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(GRAPHQL_FIELD_RESOLVER, handler) !== true) continue;
        if (!this.reflector.getAllAndOverride(RecentAuthMetadata, [handler, resolver])) continue;
        throw new Error(
          `ReauthModule: ${resolver.name}.${name} is a GraphQL field resolver that requires a sign-in, but GraphQLModule runs field resolvers without guards: add fieldResolverEnhancers: ['guards'] to its options, or it would be left open`,
        );
      }
    }
  }

  /** With `checkProviderOnStart`, the app starts only once the provider proved usable. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.checkProviderOnStart) return;
    await checkProvider(this.provider, { jwksTimeoutMs: this.options.jwksTimeoutMs });
    this.logger.log(`checkProviderOnStart: ${this.provider.describe()} is usable`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
