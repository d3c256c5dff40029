import type { WorkOS } from '@workos-inc/node';
import type { ReauthEventListener } from '../events/event.types';
import type { ReauthMetricsOptions } from '../events/reauth-metrics';
import type { ReauthStepUpOptions } from './step-up-options.interface';
import type { ReauthPagesOptions } from './page-options.interface';
import type {
  ReauthExplainOptions,
  ReauthInventoryOptions,
  ReauthLevel,
  ReauthOrganizationPolicy,
} from './policy-options.interface';

/**
 * The parts of a `WorkOS` client the library uses. Any `@workos-inc/node` from 8 on provides
 * them; the library puts `max_age` on the authorization URL itself for SDKs that drop `maxAge`.
 */
export interface WorkOSClient {
  /** The API base URL the client calls; the default access-token issuer is derived from it. */
  readonly baseURL: string;
  /** The AuthKit calls: authorization URLs, code and refresh exchanges, cookies, JWKS, sign-out. */
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
  /**
   * Default `wos-session`, the name WorkOS's own SDKs use; `__Host-wos-session` when the cookie
   * is Secure and has no `domain`, so that no other host (a sibling subdomain, a plain-HTTP
   * page) can set or replace it.
   */
  name?: string;
  /** Default: `true` when `redirectUri` is https. */
  secure?: boolean;
  /** Default: none (the cookie stays on the app's host). */
  domain?: string;
  /** Lifetime of the session cookie in seconds. Default 30 days. */
  maxAgeSeconds?: number;
}

/**
 * An OpenID Provider (Auth0, Okta, Keycloak, Entra ID, Zitadel, your own...) instead of WorkOS:
 * found by discovery from `issuer`, signed in with the authorization code flow, PKCE and `nonce`.
 * `clientId`, `redirectUri` and `cookiePassword` are the module's own options.
 */
export interface ReauthOidcOptions {
  /**
   * The issuer identifier, e.g. `https://tenant.eu.auth0.com/`; its
   * `/.well-known/openid-configuration` must be reachable. https, except on localhost.
   */
  issuer: string;
  /** The client secret; omit it for a public client (`tokenEndpointAuthMethod: 'none'`). */
  clientSecret?: string;
  /** Default `client_secret_basic` with a secret, `none` without. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /**
   * Scopes to ask for; `openid` is always added. Default `openid profile email offline_access`
   * (`offline_access` for a refresh token, so the session outlives its first access token),
   * without `offline_access` where the discovery document lists the provider's scopes without
   * it (Google, Amazon Cognito). A scope given here is sent as it is.
   */
  scope?: string | string[];
  /**
   * When a sign-in sends `prompt=consent`, which some providers need before they issue a refresh
   * token for `offline_access` (OpenID Connect Core 11: panva's `oidc-provider`, authentik):
   * - `offline_access`: when the sign-in asks for `offline_access`;
   * - `always`: at every sign-in (Google, with `authorizationParams: { access_type: 'offline' }`);
   * - `never`: at no sign-in (providers that grant `offline_access` without it);
   * - `auto` (default): `never` for an issuer of Entra ID, Auth0, Okta, Keycloak, PingOne or
   *   ZITADEL recognised by its host (or Keycloak's `/realms/` path), else `offline_access`.
   *   An issuer on a custom domain is not recognised: set `never` where consent is not needed.
   *
   * @example
   * ```ts
   * oidc: { issuer: 'https://login.acme.example/', consentPrompt: 'never' } // Auth0, custom domain
   * ```
   */
  consentPrompt?: 'auto' | 'offline_access' | 'always' | 'never';
  /**
   * How `@RequireRecentAuth(0)` asks for a new sign-in (with `prompt=login` either way):
   * - `max_age`: with `max_age=0`;
   * - `prompt_login`: with `prompt=login` alone, which OpenID Connect Core 3.1.2.1 makes
   *   equivalent, for providers that refuse `max_age=0` (glewlwyd);
   * - `auto` (default): `max_age=0` until the provider answers it with `invalid_request`, then
   *   `prompt=login` alone (learned on each instance, with a warning), and back to `max_age=0`
   *   should the provider then skip the prompt.
   *
   * `auth_time` is checked against the start of the flow whichever is sent.
   */
  maxAgeZero?: 'auto' | 'max_age' | 'prompt_login';
  /**
   * What tells the provider's access tokens from its ID tokens, which are signed with the same
   * keys and must never pass as access tokens:
   * - `at+jwt`: only tokens whose JOSE header `typ` is RFC 9068's `at+jwt` (or
   *   `application/at+jwt`) are accepted;
   * - `any`: access tokens of any type; ID tokens are told by their claims (`nonce`, `at_hash`,
   *   `c_hash`, `s_hash`, Keycloak's `typ: "ID"`, `aud` naming this client without `client_id` or
   *   `azp`), which misses an ID token with `azp` that was asked for without a `nonce`;
   * - `auto` (default): `at+jwt` once the provider's token endpoint has issued the app an access
   *   token typed so (at a sign-in or refresh, on each instance), and as long as it keeps doing
   *   so; `any` before.
   *
   * Set `any` where the issuer types some access tokens `at+jwt` and not others (Auth0 APIs with
   * different token dialects, say) and the app accepts both.
   */
  accessTokenType?: 'auto' | 'at+jwt' | 'any';
  /**
   * Accepted `aud` values of access tokens (your API's identifier). Default: the token must have
   * been issued to this client (`aud` contains `clientId`, or `client_id` / `azp` equals it).
   */
  audience?: string | string[];
  /** Accepted JWS algorithms of access tokens. Default `RS256`, `PS256`, `ES256`, `EdDSA`. */
  algorithms?: Array<'RS256' | 'PS256' | 'ES256' | 'EdDSA'>;
  /**
   * Extra parameters of every authorization request, such as `{ audience: 'https://api' }` for
   * Auth0 or `{ resource: 'https://api' }` (RFC 8707). The library's own parameters cannot be
   * replaced. A `claims` request (JSON, OpenID Connect Core 5.5) is kept, with `auth_time` added
   * to its `id_token` member where the library asks for it that way.
   */
  authorizationParams?: Record<string, string>;
  /**
   * The RFC 9396 (Rich Authorization Requests) type of the action a bound re-authentication
   * confirms. Where the provider's discovery document lists it in
   * `authorization_details_types_supported`, that re-authentication's authorization request
   * carries `authorization_details=[{"type":…,"identifier":<digest>,"summary":…,"fields":{…}}]`,
   * and the sign-in is refused unless the token response's `authorization_details` has an entry
   * of this type with the same `identifier`. Elsewhere nothing is sent. Default `step_up_action`.
   *
   * @example
   * ```ts
   * oidc: { issuer: 'https://id.acme.example/', authorizationDetailsType: 'urn:acme:step-up' }
   * ```
   */
  authorizationDetailsType?: string;
  /** Timeout of each call to the provider (discovery, token endpoint), in ms. Default 10000. */
  timeoutMs?: number;
}

/**
 * Options of `ReauthModule.forRoot()` / `forRootAsync()`. Checked once at start-up: a mistake
 * throws a `TypeError` that names the option.
 */
export interface ReauthModuleOptions {
  /** A `WorkOS` client to use. Without it, one is made from `apiKey` and the host settings. */
  workos?: WorkOSClient;
  /** `WORKOS_API_KEY`. Required unless `workos` or `oidc` is given. */
  apiKey?: string;
  /** Sign in with an OpenID Provider instead of WorkOS AuthKit; see {@link ReauthOidcOptions}. */
  oidc?: ReauthOidcOptions;
  /** `WORKOS_CLIENT_ID`, or the client id registered at the OpenID Provider. Required. */
  clientId: string;
  /** `WORKOS_REDIRECT_URI`: the absolute URL of the callback route. Required. */
  redirectUri: string;
  /**
   * `WORKOS_COOKIE_PASSWORD`: seals the session cookie (on WorkOS as WorkOS's SDKs do, so their
   * cookies interoperate) and the re-auth `state`. At least 32 characters. Required.
   */
  cookiePassword: string;
  /** Where the SDK sends API calls, e.g. `127.0.0.1` for the emulator. Default WorkOS's. */
  apiHostname?: string;
  /** The port of `apiHostname`, when it is not the scheme's default. */
  port?: number;
  /** Whether the SDK calls `apiHostname` over HTTPS. Default `true`; `false` for the emulator. */
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
  /** The session cookie's name and attributes. */
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
  /**
   * Origins besides the app's own (the origin of `redirectUri`) whose pages may send
   * cookie-authenticated `POST`, `PUT`, `PATCH` and `DELETE` requests to guarded routes, such as
   * `https://admin.example.com`. Default none.
   */
  trustedOrigins?: string[];
  /**
   * Lets cookie-authenticated unsafe requests reach guarded routes whatever page sent them.
   * Default `false`: such a request must come from the app's own pages (`Sec-Fetch-Site:
   * same-origin`, else `Origin`, else `Referer`) or a trusted origin, or it gets 403. Turn it on
   * only where the app has CSRF protection of its own; a single route can opt out with
   * `@RequireRecentAuth(maxAge, { allowCrossOrigin: true })`. Bearer tokens are never affected.
   */
  allowCrossOrigin?: boolean;
  /**
   * Lets tokens with an `act` claim (someone acting on the user's behalf, such as support staff
   * impersonating them) pass `@RequireRecentAuth` routes. Default `false`: they get 403, since
   * the actor's sign-in says nothing about the user's. A single route can allow it with
   * `{ allowImpersonation: true }`. `@RequireSignIn` routes are not affected.
   */
  allowImpersonation?: boolean;
  /**
   * Accepted `aud` values. When given, a token must carry one of them. Default on WorkOS: not
   * checked (AuthKit's access tokens are for the app itself and carry none); with `oidc`, see
   * {@link ReauthOidcOptions.audience}.
   */
  audience?: string | string[];
  /** Bounds on what completed sign-ins may write to the store; see {@link ReauthSignInLimits}. */
  signInLimits?: ReauthSignInLimits;
  /**
   * The client's address, for {@link ReauthSignInLimits.perAddress}. Default: `request.ip`
   * (Express's, which honours `trust proxy`), else the socket's remote address.
   */
  clientAddress?: (request: ReauthRequest) => string | undefined;
  /** Where the audit events go; see {@link ReauthEventsOptions}. */
  events?: ReauthEventsOptions;
  /**
   * OpenTelemetry metrics (counters and latency histograms; see docs/events-and-metrics.md).
   * Default: the meter of `@opentelemetry/api` when that optional peer is installed, which
   * records nothing until the app registers an OpenTelemetry SDK. `false`: none.
   */
  metrics?: ReauthMetricsOptions | false;
  /**
   * Checks the provider once at start-up, and fails the start (an `Error` naming this option and
   * what failed) when it cannot be used: with `oidc`, the discovery document and the JWKS must
   * load; on WorkOS, the JWKS of `clientId`. Default `false`: the app starts without asking the
   * provider, and requests that need it answer 503 until it can be reached.
   */
  checkProviderOnStart?: boolean;
  /**
   * Confirmation inside the page with a passkey or the provider password, instead of a trip to
   * the provider; see {@link ReauthStepUpOptions}. Default: none (every refusal goes to the
   * provider). Given, even as `{}`: passwords where the provider can check them (AuthKit).
   */
  stepUp?: ReauthStepUpOptions;
  /**
   * Named levels (see {@link ReauthLevel}), used on routes by name:
   * `@RequireRecentAuth('strict')`. Names are 1 to 64 letters, digits or `_.:-`.
   */
  levels?: Record<string, ReauthLevel>;
  /** The level `@RequireRecentAuth()` without a number or name applies; one of `levels`. */
  defaultLevel?: string;
  /**
   * Per-organization rules that can only tighten a route's requirement; see
   * {@link ReauthOrganizationPolicy}. Default: none.
   */
  organizationPolicy?: ReauthOrganizationPolicy;
  /** The inventory of guarded handlers at start-up; see {@link ReauthInventoryOptions}. */
  inventory?: ReauthInventoryOptions;
  /** Explanations of refusals, for debugging; see {@link ReauthExplainOptions}. Default: off. */
  explainRefusals?: ReauthExplainOptions;
  /**
   * The provider's own word that sessions ended (OIDC Back-Channel Logout, WorkOS events); see
   * {@link ReauthProviderSignalsOptions}.
   */
  providerSignals?: ReauthProviderSignalsOptions;
  /**
   * Ended sessions kept in memory on each instance, where the store has a channel (Redis): a
   * request of a session the instance already asked about needs no round trip, and an end on
   * any instance (or from the provider) reaches every instance at once. See
   * {@link ReauthRevocationViewOptions}. `false`: ask the store on every request. Default: on.
   */
  revocationView?: ReauthRevocationViewOptions | false;
  /**
   * The language and the look of the library's own pages (popup, failure, cancel, 503 and 403
   * pages); see {@link ReauthPagesOptions}. Default: English, German, French and Spanish by
   * `Accept-Language`, English when none fits, the library's look.
   */
  pages?: ReauthPagesOptions;
  /**
   * What `ReauthService.relayChallenge` lets a downstream API's challenge add to the user's
   * sign-in; see {@link ReauthRelayedChallengesOptions}. Default: nothing beyond `max_age`,
   * `acr_values` and authentication contexts (`acrs`).
   */
  relayedChallenges?: ReauthRelayedChallengesOptions;
}

/**
 * The scopes and claims a downstream API's relayed challenge may ask for. The token the new
 * sign-in brings is the user's session token, which the app then sends to every downstream it
 * calls: an unlisted scope or claim would widen it for all of them, on one downstream's word. A
 * challenge asking for one is refused (502 `downstream_challenge_refused`, `unsatisfiable`)
 * before any sign-in starts.
 */
export interface ReauthRelayedChallengesOptions {
  /** Scopes an `insufficient_scope` challenge may add, such as `['files:write']`. Default none. */
  readonly scopes?: readonly string[];
  /**
   * Claim names an `insufficient_claims` challenge may ask for in `access_token` or `id_token`
   * (Entra's `nbf` after a revocation event, say), besides `acrs`, which is always allowed
   * (authentication contexts, checked like `acr`), and `id_token.auth_time`, which the library
   * asks for anyway. `userinfo` claims are not limited. Default none.
   */
  readonly claims?: readonly string[];
}

/** How the provider's word that sessions ended is received; see docs/revocation.md. */
export interface ReauthProviderSignalsOptions {
  /**
   * WorkOS: the secret of the webhook endpoint (the dashboard shows it) that WorkOS sends
   * `session.revoked` and `user.deleted` to, at `routes.providerEvents`. Without it that route
   * answers 404. The app must keep raw request bodies: `NestFactory.create(App, { rawBody: true })`.
   */
  workosWebhookSecret?: string;
  /**
   * OpenID Connect Back-Channel Logout at `routes.backchannelLogout`. Default `true` with `oidc`
   * (the route answers 404 without `oidc` or when `false`).
   */
  backchannelLogout?: boolean;
  /** Signals accepted per client address per minute; past it, 429. Default 600. */
  perAddressPerMinute?: number;
}

/** The local view of ended sessions (see `revocationView`). */
export interface ReauthRevocationViewOptions {
  /** Sessions and users remembered, each (least recently used dropped first). Default 100,000. */
  maxEntries?: number;
  /**
   * How often (ms) each instance proves the channel by hearing its own message, and reads the
   * store's generation. A channel cut without a word is noticed within two of these; the view is
   * not used until the next proof. Default 500.
   */
  heartbeatMs?: number;
}

/**
 * The audit events (`reauth.required`, `reauth.started`, `reauth.completed`, `reauth.failed`,
 * `session.refreshed`, `session.revoked`, `store.unavailable`, `step-up.confirmed`,
 * `step-up.failed`): user id, session id, route and
 * time, never a token, code, `state` or cookie. They are delivered after the decision they report
 * and can neither change it nor hold the request.
 */
export interface ReauthEventsOptions {
  /** Receives every event. */
  listener?: ReauthEventListener;
  /**
   * Also emit each event by its name (`@OnEvent('reauth.completed')`) on `@nestjs/event-emitter`'s
   * `EventEmitter2` when the app imports `EventEmitterModule`. Default `true`.
   */
  eventEmitter?: boolean;
}

/**
 * Each completed sign-in writes a single-use marker to the store for up to 10 minutes. These
 * limits keep one account or one client from filling the store (and so blocking everyone's
 * sign-in): past a limit, the callback answers 429 until the window ends.
 */
export interface ReauthSignInLimits {
  /** Completed sign-ins per user within the window. Default 30. */
  perUser?: number;
  /** Completed sign-ins per client address within the window. Default 120. */
  perAddress?: number;
  /** The window, in seconds. Default 600. */
  windowSeconds?: number;
}

/** Paths of the routes the module adds; `false` leaves a route out. */
export interface ReauthRoutes {
  /** Default `/auth/callback`; it must be the path of `redirectUri`. */
  callback?: string;
  /** `GET ?returnTo=`: starts a sign-in. Default `/auth/login`. */
  login?: string | false;
  /** `POST`: signs out. Default `/auth/logout`. */
  logout?: string | false;
  /**
   * Confirmation inside the page: `GET` the session's freshness per factor; `POST /passkey/options`,
   * `POST /passkey`, `POST /password` confirm. Default `/auth/step-up`.
   */
  stepUp?: string | false;
  /** Passkey enrolment: list, register, rename, delete. Default `/auth/passkeys`. */
  passkeys?: string | false;
  /**
   * `POST`: OpenID Connect Back-Channel Logout tokens from the provider. Default
   * `/auth/backchannel-logout`.
   */
  backchannelLogout?: string | false;
  /** `POST`: signed WorkOS webhooks (session and user events). Default `/auth/workos/events`. */
  providerEvents?: string | false;
}

/** Extras of `forRoot`/`forRootAsync`, known before any async option factory runs. */
export interface ReauthModuleExtras {
  /** Make the module's exports available everywhere. Default `true`. */
  isGlobal?: boolean;
  /** Where the callback, login and logout routes are mounted, or `false` to leave one out. */
  routes?: ReauthRoutes;
}
