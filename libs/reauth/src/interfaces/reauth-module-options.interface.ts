import type { WorkOS } from '@workos-inc/node';

/**
 * The parts of a `WorkOS` client the library uses. Any `@workos-inc/node` from 8 on provides
 * them; the library puts `max_age` on the authorization URL itself for SDKs that drop `maxAge`.
 */
export interface WorkOSClient {
  readonly baseURL: string;
  readonly userManagement: Pick<
    WorkOS['userManagement'],
    | 'getAuthorizationUrl'
    | 'authenticateWithCode'
    | 'authenticateWithRefreshToken'
    | 'getSessionFromCookie'
    | 'getJwksUrl'
    | 'getLogoutUrl'
    | 'revokeSession'
  >;
}
import type { ReauthStore } from '../stores/reauth.store';
import type { ReauthRequest } from './reauth-request.interface';

/** The session cookie's attributes. */
export interface ReauthCookieOptions {
  /** Default `wos-session`, the name WorkOS's own SDKs use. */
  name?: string;
  /** Default: `true` when `redirectUri` is https. */
  secure?: boolean;
  /** Default: none (the cookie stays on the app's host). */
  domain?: string;
  /** Lifetime of the session cookie in seconds. Default 30 days. */
  maxAgeSeconds?: number;
}

/**
 * Options of `ReauthModule.forRoot()` / `forRootAsync()`. Checked once at start-up: a mistake
 * throws a `TypeError` that names the option.
 */
export interface ReauthModuleOptions {
  /** A `WorkOS` client to use. Without it, one is made from `apiKey` and the host settings. */
  workos?: WorkOSClient;
  /** `WORKOS_API_KEY`. Required unless `workos` is given. */
  apiKey?: string;
  /** `WORKOS_CLIENT_ID`. Required. */
  clientId: string;
  /** `WORKOS_REDIRECT_URI`: the absolute URL of the callback route. Required. */
  redirectUri: string;
  /**
   * `WORKOS_COOKIE_PASSWORD`: seals the session cookie (as WorkOS's SDKs do, so their cookies
   * interoperate) and the re-auth `state`. At least 32 characters. Required.
   */
  cookiePassword: string;
  /** Where the SDK sends API calls, e.g. `127.0.0.1` for the emulator. Default WorkOS's. */
  apiHostname?: string;
  port?: number;
  https?: boolean;
  /**
   * Accepted `iss` values of access tokens. AuthKit's issuer depends on the environment (and on a
   * custom authentication domain). Default: `<API base URL>/user_management/<clientId>`.
   */
  issuers?: string[];
  /** Clock skew allowed when checking `exp`, `nbf` and `auth_time`, in seconds (0-300). Default 5. */
  clockToleranceSeconds?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Shared state. Default a bounded in-memory store (one instance only). */
  store?: ReauthStore;
  cookie?: ReauthCookieOptions;
  /** Where users go when no safe `returnTo` can be derived. Default `/`. */
  fallbackReturnTo?: string;
  /** Where sign-out ends up (an absolute URL). Default the origin of `redirectUri` + `/`. */
  logoutReturnTo?: string;
  /** Reads a token from somewhere else than the `Authorization` header or the session cookie. */
  tokenExtractor?: (request: ReauthRequest) => string | undefined;
  /** Timeout of a JWKS fetch, in ms. Default 5000. */
  jwksTimeoutMs?: number;
  /**
   * How long the one-time grant that `@RequireRecentAuth(0)` needs stays usable after the
   * re-authentication, in seconds. Default 300.
   */
  zeroMaxAgeGrantSeconds?: number;
}

/** Paths of the routes the module adds; `false` leaves a route out. */
export interface ReauthRoutes {
  /** Default `/auth/callback`; it must be the path of `redirectUri`. */
  callback?: string;
  /** `GET ?returnTo=`: starts a sign-in. Default `/auth/login`. */
  login?: string | false;
  /** `POST`: signs out. Default `/auth/logout`. */
  logout?: string | false;
}

/** Extras of `forRoot`/`forRootAsync`, known before any async option factory runs. */
export interface ReauthModuleExtras {
  /** Make the module's exports available everywhere. Default `true`. */
  isGlobal?: boolean;
  routes?: ReauthRoutes;
}
