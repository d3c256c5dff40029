export type { AccessTokenClaims, AuthKitClaims } from './authkit-claims.interface';
export type {
  ReauthCookieOptions,
  ReauthEventsOptions,
  ReauthModuleExtras,
  ReauthModuleOptions,
  ReauthOidcOptions,
  ReauthProviderSignalsOptions,
  ReauthRelayedChallengesOptions,
  ReauthRevocationViewOptions,
  ReauthRoutes,
  ReauthSignInLimits,
  WorkOSClient,
} from './reauth-module-options.interface';
export type { Authentication, ReauthRequest, TokenSource } from './reauth-request.interface';
export type {
  InPageMethod,
  ReauthPasskeyOptions,
  ReauthStepUpOptions,
} from './step-up-options.interface';
export type { ReauthPagesOptions, ReauthPageTheme } from './page-options.interface';
export type {
  PolicyRoute,
  ReauthExplainOptions,
  ReauthInventoryOptions,
  ReauthLevel,
  ReauthOrganizationPolicy,
  ReauthPolicyOverride,
} from './policy-options.interface';
