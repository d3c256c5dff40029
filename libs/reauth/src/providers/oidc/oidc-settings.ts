import type { ConsentPrompt } from './oidc-sign-in';

/** The JWS algorithms an OpenID Provider's access tokens may use: asymmetric only. */
export const OIDC_ALGORITHMS = Object.freeze(['RS256', 'PS256', 'ES256', 'EdDSA'] as const);

/** What the OpenID Connect provider needs, checked by the options. */
export interface OidcProviderSettings {
  issuer: string;
  /** `oidc.issuer` exactly as the options gave it, for the start-up log. */
  configuredIssuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'none';
  redirectUri: string;
  cookiePassword: string;
  scope: readonly string[];
  /** The scope is the default one: its `offline_access` goes where discovery does not list it. */
  defaultScope: boolean;
  /** When sign-ins send `prompt=consent` (`auto` already resolved for the issuer). */
  consentPrompt: ConsentPrompt;
  /** How `@RequireRecentAuth(0)` asks (see `ReauthOidcOptions.maxAgeZero`). */
  maxAgeZero: 'auto' | 'max_age' | 'prompt_login';
  audience?: readonly string[];
  algorithms: readonly string[];
  /** See `TokenVerificationSettings.accessTokenType`. */
  accessTokenType: 'at+jwt' | 'auto' | 'any';
  authorizationParams: Readonly<Record<string, string>>;
  /** The RFC 9396 type a bound action's `authorization_details` entry has. */
  authorizationDetailsType: string;
  clockToleranceSeconds: number;
  nowMs: () => number;
  discoveryTimeoutMs: number;
  /** How long a sealed session opens: the cookie's lifetime. */
  sessionLifetimeSeconds: number;
}
