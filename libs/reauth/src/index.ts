// The public API of nest-workos-reauth. Everything else is internal and may change in any
// release; api-extractor locks this surface (etc/nest-workos-reauth.api.md).
export {
  AuthClaims,
  CurrentAuthentication,
  RequireRecentAuth,
  RequireSignIn,
  type RequireRecentAuthOptions,
  type RequireSignInOptions,
} from './decorators';
export {
  ReauthGraphQLError,
  type ReauthGraphQLCode,
  type ReauthGraphQLExtensions,
} from './graphql';
export {
  RecentAuthGatewayGuard,
  rememberUpgradeRequests,
  type ConnectingWebSocketAdapter,
  type SocketRefusalPayload,
} from './websockets';
export {
  REAUTH_EVENT_TYPES,
  type ReauthCompletedEvent,
  type ReauthEvent,
  type ReauthEventBase,
  type ReauthEventListener,
  type ReauthEventType,
  type ReauthFailedEvent,
  type ReauthFailureReason,
  type ReauthRequiredEvent,
  type ReauthStartedEvent,
  type SessionRefreshedEvent,
  type SessionRevokedEvent,
  type StepUpConfirmedEvent,
  type StepUpFailedEvent,
  type StoreUnavailableEvent,
} from './events/event.types';
export type {
  ReauthMeter,
  ReauthMetricAttributes,
  ReauthMetricsOptions,
} from './events/reauth-metrics';
export type {
  AccessTokenClaims,
  Authentication,
  AuthKitClaims,
  ReauthCookieOptions,
  ReauthEventsOptions,
  ReauthModuleExtras,
  ReauthModuleOptions,
  ReauthOidcOptions,
  ReauthProviderSignalsOptions,
  ReauthRequest,
  ReauthRevocationViewOptions,
  ReauthRoutes,
  ReauthSignInLimits,
  TokenSource,
  WorkOSClient,
} from './interfaces';
export { ReauthClock } from './core/clock';
export { ReauthModule } from './reauth.module';
export type {
  ReauthModuleAsyncOptions,
  ReauthModuleForRootOptions,
} from './reauth.module-definition';
export { ReauthService } from './reauth.service';
export type { InventoryEntry } from './policies/route-inventory';
export {
  parseDownstreamChallenge,
  type ClaimsRequest,
  type DownstreamChallenge,
  type DownstreamChallengeKind,
  type DownstreamHeaders,
} from './challenges/downstream-challenge';
export type { DownstreamResponse } from './challenges/challenge-relay';
export {
  DownstreamChallengeException,
  type DownstreamChallengeRefusal,
} from './challenges/downstream-challenge.exception';
export { ReauthException } from './exceptions/reauth.exception';
export { ReauthExceptionFilter } from './filter/reauth-exception.filter';
export {
  ReauthForbiddenException,
  type ReauthForbiddenReason,
} from './exceptions/reauth-forbidden.exception';
export {
  ReauthRequiredException,
  type ReauthBoundAction,
  type ReauthReason,
  type ReauthRequiredDetails,
  type RefusalExplanation,
} from './exceptions/reauth-required.exception';
export {
  ReauthBadActionException,
  type ReauthBadActionReason,
} from './exceptions/reauth-bad-action.exception';
export {
  ReauthUnavailableException,
  type ReauthDependency,
} from './exceptions/reauth-unavailable.exception';
export { RecentAuthGuard } from './guard/recent-auth.guard';
export {
  MemoryReauthStore,
  ReauthStore,
  ReauthStoreFullError,
  type MemoryReauthStoreOptions,
  type ReauthStoreChannel,
  type ReauthStoreChannelListener,
  type ReauthStoreSubscription,
} from './stores';
export type { InPageMethod, ReauthPasskeyOptions, ReauthStepUpOptions } from './interfaces';
export type {
  PolicyRoute,
  ReauthExplainOptions,
  ReauthInventoryOptions,
  ReauthLevel,
  ReauthOrganizationPolicy,
  ReauthPolicyOverride,
} from './interfaces';
export type { BoundValue } from './policies/effective-policy';
export type { ReauthPagesOptions, ReauthPageTheme } from './interfaces';
export type { ReauthRelayedChallengesOptions } from './interfaces';
export type { ReauthPageMessageKey, ReauthPageMessages } from './pages/page-messages';
export { REAUTH_PAGE_MESSAGES, type ReauthPageLanguage } from './pages/page-catalogue';
export {
  PasskeyCredentialStore,
  type PasskeyCredential,
  type PasskeyCredentialUse,
} from './stores/passkey-credential.store';
export {
  MemoryPasskeyCredentialStore,
  PasskeyCredentialLimitError,
  type MemoryPasskeyCredentialStoreOptions,
} from './stores/memory-passkey-credential.store';
export type { StepUpMethodOffer, StepUpOffer } from './factors/step-up-offers';
export type { StepUpConfirmed } from './factors/proof-recorder';
export type { CodeRequired } from './factors/password-confirmation';
export type { ProofStatus, StepUpStatusBody } from './factors/step-up-status';
export type { PasskeySummary } from './factors/passkey-enrolment';
export { StepUpRefusal, type StepUpErrorCode } from './factors/step-up.errors';
