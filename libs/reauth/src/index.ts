export {
  ACTION_MAX_BYTES,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  evaluateFreshness,
  negotiateResponse,
  sanitizeReturnTo,
  type FreshnessResult,
  type ReauthResponseStyle,
} from './core';
export {
  CallbackQueryDto,
  ReauthCallbackController,
  ReauthLoginController,
  ReauthLogoutController,
} from './controllers';
export {
  AuthClaims,
  RecentAuthMetadata,
  RequireRecentAuth,
  RequireSignIn,
  type RecentAuthRequirement,
  type RequireRecentAuthOptions,
} from './decorators';
export type {
  Authentication,
  AuthKitClaims,
  ReauthCookieOptions,
  ReauthModuleExtras,
  ReauthModuleOptions,
  ReauthRequest,
  ReauthRoutes,
  TokenSource,
  WorkOSClient,
} from './interfaces';
export { REAUTH_RESOLVED_OPTIONS } from './reauth.constants';
export { ReauthModule } from './reauth.module';
export { REAUTH_ASYNC_OPTIONS_TYPE, REAUTH_OPTIONS_TYPE } from './reauth.module-definition';
export { DEFAULT_ROUTES, resolveReauthOptions, type ResolvedReauthOptions } from './reauth.options';
export { ReauthService } from './reauth.service';
export { challengeFor, ReauthExceptionFilter } from './reauth-exception.filter';
export {
  REAUTH_MARKER,
  ReauthFlowService,
  STATE_COOKIE,
  type CallbackOutcome,
  type CallbackParams,
  type StartedFlow,
  type StartFlowInput,
} from './reauth-flow.service';
export {
  ReauthRequiredException,
  type ReauthReason,
  type ReauthRequiredDetails,
} from './reauth-required.exception';
export { ReauthUnavailableException, type ReauthDependency } from './reauth-unavailable.exception';
export { RecentAuthGuard } from './recent-auth.guard';
export { MemoryReauthStore, ReauthStore, type MemoryReauthStoreOptions } from './stores';
export { AccessTokenVerifier, InvalidAccessTokenError } from './tokens/access-token.verifier';
export { RequestAuthenticator, type AuthenticationResult } from './tokens/request-authenticator';
export {
  SessionCookieService,
  type RefreshOutcome,
  type SessionContents,
} from './tokens/session-cookie.service';
