import {
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { HttpResponses } from './http/http-responses';
import { PageResponses } from './http/page-responses';
import { PageSettings } from './pages/page-settings';
import type { ReauthModuleExtras, ReauthModuleOptions } from './interfaces';
import { IdentityProvider } from './providers/identity-provider';
import { REAUTH_RESOLVED_OPTIONS, REAUTH_SETUP } from './core/constants';
import {
  REAUTH_MODULE_EXTRAS,
  REAUTH_MODULE_OPTIONS,
  ReauthConfigurableModule,
  type ReauthModuleAsyncOptions,
  type ReauthModuleForRootOptions,
} from './reauth.module-definition';
import { resolveReauthSetup, type ReauthSetup } from './options/reauth.options';
import { SETTINGS_PROVIDERS } from './options/reauth-settings';
import { ReauthEvents } from './events/reauth-events';
import { ReauthMetrics } from './events/reauth-metrics';
import { ReauthClock } from './core/clock';
import { ReauthStartupChecks } from './reauth.startup-checks';
import { ReauthExceptionFilter } from './filter/reauth-exception.filter';
import { ReauthRecords } from './flow/reauth-records';
import { FactorLedger } from './factors/factor-ledger';
import { FreshnessProofs } from './factors/freshness-proofs';
import { StepUpOffers } from './factors/step-up-offers';
import { StepUpCallers } from './factors/step-up-caller';
import { WebAuthnChallenges } from './factors/webauthn-challenges';
import { ProofRecorder } from './factors/proof-recorder';
import { ConfirmationAttempts } from './factors/confirmation-attempts';
import { PasskeyConfirmation } from './factors/passkey-confirmation';
import { PasskeyEnrolment } from './factors/passkey-enrolment';
import { PasswordConfirmation } from './factors/password-confirmation';
import { StepUpStatus } from './factors/step-up-status';
import { StepUpSettings } from './options/step-up-settings';
import { PolicySettings } from './options/policy-settings';
import { RoutePolicies } from './policies/route-policies';
import { RouteInventory } from './policies/route-inventory';
import { SlidingWindows } from './policies/sliding-windows';
import { OrganizationPolicies } from './policies/organization-policies';
import { OrganizationPolicySettings } from './options/organization-policy-settings';
import { PolicyLevels } from './options/policy-levels';
import { ReauthStarter } from './flow/reauth-starter';
import { SignInAdmission } from './flow/sign-in-admission';
import { StateBindings } from './flow/state-binding';
import { ReauthCallback } from './flow/reauth-callback';
import { CodeExchange } from './flow/code-exchange';
import { RefusalReports } from './flow/refusal-reports';
import { GraphQLRefusals } from './graphql/graphql-refusals';
import { SocketRefusals } from './websockets/socket-refusals';
import { ReauthService } from './reauth.service';
import { ChallengeRelay } from './challenges/challenge-relay';
import { RecentAuthGuard } from './guard/recent-auth.guard';
import { ReauthStore } from './stores/reauth.store';
import { AccessTokenVerifier } from './authentication/access-token.verifier';
import { RequestAuthenticator } from './authentication/request-authenticator';
import { SessionCookieService } from './authentication/session-cookie.service';
import { SessionUnsealer } from './authentication/session-unsealer';
import { RefreshSharing } from './authentication/refresh-sharing';
import { SessionRefresher } from './authentication/session-refresher';
import { SessionSignOut } from './authentication/session-sign-out';
import { SessionRevocations } from './authentication/session-revocations';
import { ProviderSignals } from './authentication/provider-signals';

/** A part the options configure, provided from the checked setup. */
function fromSetup(
  token: symbol | (abstract new (...args: never[]) => unknown),
  part: keyof ReauthSetup,
): Provider {
  return {
    provide: token,
    useFactory: (setup: ReauthSetup) => setup[part],
    inject: [REAUTH_SETUP],
  };
}

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
    fromSetup(REAUTH_RESOLVED_OPTIONS, 'options'),
    fromSetup(IdentityProvider, 'provider'),
    fromSetup(ReauthStore, 'store'),
    fromSetup(ReauthClock, 'clock'),
    fromSetup(ReauthMetrics, 'metrics'),
    fromSetup(StepUpSettings, 'stepUp'),
    fromSetup(PolicySettings, 'policies'),
    fromSetup(OrganizationPolicySettings, 'organizations'),
    fromSetup(PageSettings, 'pages'),
    { provide: PolicyLevels, useExisting: PolicySettings },
    ...SETTINGS_PROVIDERS,
    ReauthEvents,
    AccessTokenVerifier,
    SessionRevocations,
    ProviderSignals,
    SessionUnsealer,
    RefreshSharing,
    SessionRefresher,
    SessionSignOut,
    SessionCookieService,
    RequestAuthenticator,
    ReauthRecords,
    FactorLedger,
    FreshnessProofs,
    RoutePolicies,
    RouteInventory,
    SlidingWindows,
    OrganizationPolicies,
    StepUpOffers,
    StepUpCallers,
    WebAuthnChallenges,
    ProofRecorder,
    ConfirmationAttempts,
    PasskeyConfirmation,
    PasskeyEnrolment,
    PasswordConfirmation,
    StepUpStatus,
    StateBindings,
    ReauthStarter,
    SignInAdmission,
    CodeExchange,
    ReauthCallback,
    RefusalReports,
    GraphQLRefusals,
    SocketRefusals,
    ReauthService,
    ChallengeRelay,
    HttpResponses,
    PageResponses,
    RecentAuthGuard,
    { provide: APP_GUARD, useExisting: RecentAuthGuard },
    { provide: APP_FILTER, useClass: ReauthExceptionFilter },
    ReauthStartupChecks,
  ],
  exports: [ReauthClock, ReauthStore, ReauthService, RecentAuthGuard],
})
export class ReauthModule implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  /**
   * The module with options known when the app module is declared.
   *
   * @param options - The options, with the extras `isGlobal` (default `true`) and `routes`.
   */
  static forRoot(options: ReauthModuleForRootOptions): DynamicModule {
    return { ...ReauthConfigurableModule.forRoot(options), module: ReauthModule };
  }

  /**
   * The module with options made by a factory, a class or an existing provider (from
   * `ConfigService`, say); the extras are given here, since they shape the module itself.
   *
   * @param options - `useFactory` (with `inject` and `imports`), `useClass` or `useExisting`,
   * and the extras `isGlobal` and `routes`.
   */
  static forRootAsync(options: ReauthModuleAsyncOptions): DynamicModule {
    return { ...ReauthConfigurableModule.forRootAsync(options), module: ReauthModule };
  }

  /** @internal Made by Nest. */
  constructor(
    private readonly startupChecks: ReauthStartupChecks,
    private readonly store: ReauthStore,
    private readonly stepUp: StepUpSettings,
  ) {}

  /**
   * Nest's hook: checks the guarded routes (short `maxAge`s, `acr`/`amr` a provider cannot
   * issue, unguarded GraphQL field resolvers), reports the inventory as the `inventory` option
   * asks, and logs that step-up authentication is ready.
   */
  onModuleInit(): void {
    this.startupChecks.checkRoutes();
  }

  // In the module class, so the check runs once the module's providers have bootstrapped.
  /** Nest's hook: with `checkProviderOnStart`, checks the provider answers before the app serves. */
  async onApplicationBootstrap(): Promise<void> {
    await this.startupChecks.checkProvider();
  }

  /**
   * Nest's hook: closes the store (a Redis connection the module opened, say) and the passkey
   * credential store.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.stepUp.passkeys?.credentials.close();
  }
}
