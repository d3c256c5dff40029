import { WorkOS } from '@workos-inc/node';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, sanitizeReturnTo } from '../core';
import type {
  ReauthModuleExtras,
  ReauthModuleOptions,
  ReauthOidcOptions,
  ReauthRequest,
  WorkOSClient,
} from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { OIDC_ALGORITHMS, OidcIdentityProvider } from '../providers/oidc.provider';
import {
  CONSENT_PROMPTS,
  parseClaimsRequest,
  resolveConsentPrompt,
} from '../providers/oidc-sign-in';
import { WorkOSIdentityProvider } from '../providers/workos.provider';
import { FunctionReauthClock, ReauthClock } from '../reauth.clock';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { ReauthStore } from '../stores/reauth.store';
import type { ResolvedReauthOptions } from './resolved-options';
import { ReauthMetrics, type ReauthMetricsOptions } from '../events/reauth-metrics';

export type { ResolvedReauthOptions } from './resolved-options';

export const DEFAULT_ROUTES = Object.freeze({
  callback: '/auth/callback',
  login: '/auth/login',
  logout: '/auth/logout',
});

/** The session cookie's default name, the one WorkOS's own SDKs use. */
export const DEFAULT_SESSION_COOKIE_NAME = 'wos-session';

/**
 * The cookie prefix browsers reserve for Secure, host-only cookies with `Path=/`: no other host,
 * and no plain-HTTP page, can set a cookie by that name.
 */
export const HOST_COOKIE_PREFIX = '__Host-';

const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const THIRTY_DAYS = 30 * 24 * 3600;

function fail(option: string, requirement: string): never {
  throw new TypeError(`ReauthModule: ${option} ${requirement}`);
}

function requiredString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(option, 'is required');
  return value;
}

function integerInRange(
  value: unknown,
  option: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(option, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(option, 'must be a boolean');
  return value;
}

function originOf(value: unknown, option: string): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    fail(option, `must be an origin such as "https://app.example", got ${JSON.stringify(value)}`);
  }
  const url = new URL(value);
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.href !== `${url.origin}/` ||
    !/^https?:\/\/[^/]+\/?$/.test(value)
  ) {
    fail(option, `must be an origin such as "https://app.example", got ${JSON.stringify(value)}`);
  }
  return url.origin;
}

function stringList(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((item) => typeof item !== 'string' || item === '')
  ) {
    fail(option, 'must be a non-empty string or a non-empty array of them');
  }
  return [...(list as string[])];
}

function defaultClientAddress(request: ReauthRequest): string | undefined {
  if (typeof request.ip === 'string' && request.ip !== '') return request.ip;
  const remote = request.socket?.remoteAddress;
  return typeof remote === 'string' && remote !== '' ? remote : undefined;
}

function absoluteUrl(value: string, option: string): URL {
  if (!URL.canParse(value)) fail(option, `must be an absolute http(s) URL, got "${value}"`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(option, `must be an absolute http(s) URL, got "${value}"`);
  }
  return url;
}

function routePath(
  value: unknown,
  option: string,
  fallback: string,
  optional: boolean,
): string | false {
  if (value === undefined) return fallback;
  if (value === false && optional) return false;
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9/_.~-]*$/.test(value) || value.includes('//')) {
    fail(
      option,
      optional ? 'must be a path such as "/auth/x", or false' : 'must be a path such as "/auth/x"',
    );
  }
  return value.length > 1 ? value.replace(/\/$/, '') : value;
}

/** What the module provides from the options: the checked data and the parts it configures. */
export interface ReauthSetup {
  options: ResolvedReauthOptions;
  provider: IdentityProvider;
  store: ReauthStore;
  clock: ReauthClock;
  metrics: ReauthMetrics;
}

const CLIENT_METHODS = [
  'getAuthorizationUrl',
  'authenticateWithCode',
  'authenticateWithRefreshToken',
  'getSessionFromCookie',
  'getJwksUrl',
  'getLogoutUrl',
  'revokeSession',
] as const;

function makeWorkOS(options: ReauthModuleOptions): WorkOSClient {
  if (options.workos !== undefined) {
    // Structural, not instanceof: the app's SDK may be another copy or version than ours.
    const client = options.workos as Partial<WorkOSClient> | null;
    const userManagement = client?.userManagement as Record<string, unknown> | undefined;
    if (
      typeof client?.baseURL !== 'string' ||
      !userManagement ||
      CLIENT_METHODS.some((method) => typeof userManagement[method] !== 'function')
    ) {
      fail('workos', 'must be a WorkOS client instance');
    }
    return options.workos;
  }
  const apiKey = requiredString(options.apiKey, 'apiKey (or a workos client)');
  if (options.port !== undefined) integerInRange(options.port, 'port', 0, 1, 65535);
  if (options.https !== undefined && typeof options.https !== 'boolean')
    fail('https', 'must be a boolean');
  return new WorkOS(apiKey, {
    clientId: options.clientId,
    apiHostname: options.apiHostname,
    port: options.port,
    https: options.https,
    // Failing fast matters more here than riding out blips: a guard that waits on retries holds
    // the request, and a failure already answers 503 for the caller to retry.
    timeout: 10_000,
    maxRetries: 1,
  });
}

/**
 * Checks the options once at start-up. Caller mistakes throw a `TypeError` naming the option, so
 * a misconfigured app never starts.
 */
export function resolveReauthSetup(
  options: ReauthModuleOptions,
  extras: ReauthModuleExtras = {},
): ReauthSetup {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  const clientId = requiredString(options.clientId, 'clientId');
  const redirectUri = absoluteUrl(
    requiredString(options.redirectUri, 'redirectUri'),
    'redirectUri',
  );
  const cookiePassword = requiredString(options.cookiePassword, 'cookiePassword');
  if (cookiePassword.length < 32) fail('cookiePassword', 'must be at least 32 characters long');
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now', 'must be a function');
  if (options.store !== undefined && !(options.store instanceof ReauthStore)) {
    fail('store', 'must extend ReauthStore');
  }
  if (options.tokenExtractor !== undefined && typeof options.tokenExtractor !== 'function') {
    fail('tokenExtractor', 'must be a function');
  }
  const cookie = options.cookie ?? {};
  if (cookie.secure !== undefined && typeof cookie.secure !== 'boolean')
    fail('cookie.secure', 'must be a boolean');
  const secure = cookie.secure ?? redirectUri.protocol === 'https:';
  const cookieName =
    cookie.name ??
    (secure && cookie.domain === undefined
      ? HOST_COOKIE_PREFIX + DEFAULT_SESSION_COOKIE_NAME
      : DEFAULT_SESSION_COOKIE_NAME);
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))
    fail('cookie.name', 'must be a cookie name');
  if (cookieName.startsWith(HOST_COOKIE_PREFIX) && (!secure || cookie.domain !== undefined)) {
    fail(
      'cookie.name',
      `starts with ${HOST_COOKIE_PREFIX}, which needs a Secure cookie without a domain`,
    );
  }
  if (cookie.domain !== undefined && (typeof cookie.domain !== 'string' || cookie.domain === '')) {
    fail('cookie.domain', 'must be a non-empty string');
  }
  const fallbackReturnTo = sanitizeReturnTo(options.fallbackReturnTo ?? '/');
  if (fallbackReturnTo === null) fail('fallbackReturnTo', 'must be a same-origin path such as "/"');
  const logoutReturnTo = absoluteUrl(
    options.logoutReturnTo ?? `${redirectUri.origin}/`,
    'logoutReturnTo',
  ).href;

  if (options.clientAddress !== undefined && typeof options.clientAddress !== 'function') {
    fail('clientAddress', 'must be a function');
  }
  if (options.trustedOrigins !== undefined && !Array.isArray(options.trustedOrigins)) {
    fail('trustedOrigins', 'must be an array of origins');
  }
  const allowedOrigins = new Set([
    redirectUri.origin,
    ...(options.trustedOrigins ?? []).map((origin, i) => originOf(origin, `trustedOrigins[${i}]`)),
  ]);
  const limits: unknown = options.signInLimits ?? {};
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    fail('signInLimits', 'must be an object');
  }
  const { perUser, perAddress, windowSeconds } = limits as NonNullable<
    ReauthModuleOptions['signInLimits']
  >;

  const routes = extras.routes ?? {};
  const callback = routePath(
    routes.callback,
    'routes.callback',
    DEFAULT_ROUTES.callback,
    false,
  ) as string;
  // With a global prefix, redirectUri's path is the prefix followed by the callback route.
  if (!redirectUri.pathname.endsWith(callback)) {
    fail(
      'routes.callback',
      `(${callback}) must be the path of redirectUri (${redirectUri.pathname}), or its end when the app has a global prefix`,
    );
  }
  const clockToleranceSeconds = integerInRange(
    options.clockToleranceSeconds,
    'clockToleranceSeconds',
    DEFAULT_CLOCK_TOLERANCE_SECONDS,
    0,
    300,
  );
  const nowMs = options.now ?? Date.now;
  const cookieMaxAgeSeconds = integerInRange(
    cookie.maxAgeSeconds,
    'cookie.maxAgeSeconds',
    THIRTY_DAYS,
    60,
    400 * 24 * 3600,
  );
  const audience = stringList(options.audience, 'audience');
  const provider =
    options.oidc === undefined
      ? workosProvider(options, {
          clientId,
          redirectUri: redirectUri.href,
          cookiePassword,
          audience,
        })
      : oidcProvider(options.oidc, options, {
          clientId,
          redirectUri: redirectUri.href,
          cookiePassword,
          audience,
          clockToleranceSeconds,
          nowMs,
          cookieMaxAgeSeconds,
        });
  const resolved: ResolvedReauthOptions = {
    clientId,
    redirectUri: redirectUri.href,
    cookiePassword,
    clockToleranceSeconds,
    cookie: {
      name: cookieName,
      secure,
      domain: cookie.domain,
      maxAgeSeconds: cookieMaxAgeSeconds,
    },
    fallbackReturnTo,
    logoutReturnTo,
    tokenExtractor: options.tokenExtractor,
    jwksTimeoutMs: integerInRange(options.jwksTimeoutMs, 'jwksTimeoutMs', 5000, 100, 60_000),
    zeroMaxAgeGrantSeconds: integerInRange(
      options.zeroMaxAgeGrantSeconds,
      'zeroMaxAgeGrantSeconds',
      300,
      10,
      3600,
    ),
    routes: {
      callback,
      login: routePath(routes.login, 'routes.login', DEFAULT_ROUTES.login, true),
      logout: routePath(routes.logout, 'routes.logout', DEFAULT_ROUTES.logout, true),
    },
    allowedOrigins,
    allowCrossOrigin: booleanOption(options.allowCrossOrigin, 'allowCrossOrigin', false),
    allowImpersonation: booleanOption(options.allowImpersonation, 'allowImpersonation', false),
    signInLimits: {
      perUser: integerInRange(perUser, 'signInLimits.perUser', 30, 1, 100_000),
      perAddress: integerInRange(perAddress, 'signInLimits.perAddress', 120, 1, 1_000_000),
      windowSeconds: integerInRange(windowSeconds, 'signInLimits.windowSeconds', 600, 10, 86_400),
    },
    clientAddress: options.clientAddress ?? defaultClientAddress,
    events: resolveEvents(options.events),
    checkProviderOnStart: booleanOption(
      options.checkProviderOnStart,
      'checkProviderOnStart',
      false,
    ),
  };
  return {
    options: resolved,
    provider,
    store: options.store ?? new MemoryReauthStore({ now: options.now }),
    clock: new FunctionReauthClock(nowMs),
    metrics: resolveMetrics(options.metrics),
  };
}

function resolveEvents(events: unknown): ResolvedReauthOptions['events'] {
  if (events === undefined) return { eventEmitter: true };
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    fail('events', 'must be an object');
  }
  const { listener, eventEmitter } = events as NonNullable<ReauthModuleOptions['events']>;
  if (
    listener !== undefined &&
    typeof listener !== 'function' &&
    typeof (listener as { onReauthEvent?: unknown } | null)?.onReauthEvent !== 'function'
  ) {
    fail('events.listener', 'must be a function or an object with an onReauthEvent method');
  }
  return { listener, eventEmitter: booleanOption(eventEmitter, 'events.eventEmitter', true) };
}

/** The instruments of the `metrics` option, once it is checked. */
function resolveMetrics(metrics: unknown): ReauthMetrics {
  if (metrics !== undefined && metrics !== false) checkMetricsOption(metrics);
  return ReauthMetrics.create(metrics as ReauthMetricsOptions | false | undefined);
}

function checkMetricsOption(metrics: unknown): void {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    fail('metrics', 'must be false or an object');
  }
  const { meter } = metrics as { meter?: unknown };
  if (meter === undefined) return;
  const { createCounter, createHistogram } = (meter ?? {}) as Record<string, unknown>;
  if (typeof createCounter !== 'function' || typeof createHistogram !== 'function') {
    fail('metrics.meter', 'must be an OpenTelemetry Meter (createCounter, createHistogram)');
  }
}

/** The checked options alone (what the module injects as plain data). */
export function resolveReauthOptions(
  options: ReauthModuleOptions,
  extras: ReauthModuleExtras = {},
): ResolvedReauthOptions {
  return resolveReauthSetup(options, extras).options;
}

interface ProviderBasics {
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  audience?: string[];
}

function workosProvider(options: ReauthModuleOptions, basics: ProviderBasics): IdentityProvider {
  const workos = makeWorkOS(options);
  const issuers = options.issuers ?? [`${workos.baseURL}/user_management/${basics.clientId}`];
  if (
    !Array.isArray(issuers) ||
    issuers.length === 0 ||
    issuers.some((i) => typeof i !== 'string' || i === '')
  ) {
    fail('issuers', 'must be a non-empty array of strings');
  }
  return new WorkOSIdentityProvider({ workos, ...basics, issuers: [...issuers] });
}

const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
const ACCESS_TOKEN_TYPES = ['auto', 'at+jwt', 'any'] as const;
const DEFAULT_OIDC_SCOPE = ['openid', 'profile', 'email', 'offline_access'] as const;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// Parameters the library sets itself; an extra one may not replace them.
const RESERVED_AUTHORIZATION_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'max_age',
  'prompt',
  'acr_values',
  'login_hint',
  'response_mode',
  'request',
  'request_uri',
]);

function oidcProvider(
  oidc: ReauthOidcOptions,
  options: ReauthModuleOptions,
  basics: ProviderBasics & {
    clockToleranceSeconds: number;
    nowMs: () => number;
    cookieMaxAgeSeconds: number;
  },
): IdentityProvider {
  if (typeof oidc !== 'object' || oidc === null) fail('oidc', 'must be an object');
  for (const option of ['workos', 'apiKey', 'apiHostname', 'port', 'https', 'issuers'] as const) {
    if (options[option] !== undefined) fail(option, 'is for WorkOS and cannot be used with oidc');
  }
  const issuer = absoluteUrl(requiredString(oidc.issuer, 'oidc.issuer'), 'oidc.issuer');
  if (issuer.protocol === 'http:' && !isLoopback(issuer.hostname)) {
    fail('oidc.issuer', `must be https (plain http only on localhost), got "${issuer.href}"`);
  }
  if (oidc.issuer.includes('?') || oidc.issuer.includes('#')) {
    fail('oidc.issuer', 'must be an issuer identifier, without query or fragment');
  }
  if (issuer.username !== '' || issuer.password !== '') {
    fail('oidc.issuer', 'must not carry credentials');
  }
  const method =
    oidc.tokenEndpointAuthMethod ?? (oidc.clientSecret ? 'client_secret_basic' : 'none');
  if (!TOKEN_ENDPOINT_AUTH_METHODS.includes(method)) {
    fail(
      'oidc.tokenEndpointAuthMethod',
      `must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
    );
  }
  if (method !== 'none') requiredString(oidc.clientSecret, 'oidc.clientSecret');
  if (method === 'none' && oidc.clientSecret !== undefined) {
    fail('oidc.clientSecret', 'cannot be used with tokenEndpointAuthMethod "none"');
  }
  const scope = stringList(
    typeof oidc.scope === 'string' ? oidc.scope.split(/\s+/).filter(Boolean) : oidc.scope,
    'oidc.scope',
  ) ?? [...DEFAULT_OIDC_SCOPE];
  if (scope.some((token) => !SCOPE_TOKEN.test(token))) fail('oidc.scope', 'must be scope tokens');
  if (!scope.includes('openid')) scope.unshift('openid');
  const algorithms = stringList(oidc.algorithms, 'oidc.algorithms') ?? [...OIDC_ALGORITHMS];
  const unsupported = algorithms.find(
    (alg) => !(OIDC_ALGORITHMS as readonly string[]).includes(alg),
  );
  if (unsupported !== undefined) {
    fail('oidc.algorithms', `must be among ${OIDC_ALGORITHMS.join(', ')}, got "${unsupported}"`);
  }
  const extra = oidc.authorizationParams ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    fail('oidc.authorizationParams', 'must be an object of strings');
  }
  for (const [name, value] of Object.entries(extra)) {
    if (typeof value !== 'string') fail(`oidc.authorizationParams.${name}`, 'must be a string');
    if (RESERVED_AUTHORIZATION_PARAMS.has(name)) {
      fail(`oidc.authorizationParams.${name}`, 'is set by the library');
    }
  }
  if (extra.claims !== undefined) {
    try {
      parseClaimsRequest(extra.claims);
    } catch (error) {
      fail(
        'oidc.authorizationParams.claims',
        `must be a claims request of OpenID Connect Core 5.5: ${(error as Error).message}`,
      );
    }
  }
  const consentPrompt = oneOf(oidc.consentPrompt, 'oidc.consentPrompt', CONSENT_PROMPTS, 'auto');
  const accessTokenType = oneOf(
    oidc.accessTokenType,
    'oidc.accessTokenType',
    ACCESS_TOKEN_TYPES,
    'auto',
  );
  const audience = stringList(oidc.audience, 'oidc.audience') ?? basics.audience;
  if (oidc.audience !== undefined && basics.audience !== undefined) {
    fail('audience', 'and oidc.audience cannot both be given');
  }
  return new OidcIdentityProvider({
    issuer: issuer.href,
    configuredIssuer: oidc.issuer,
    clientId: basics.clientId,
    clientSecret: oidc.clientSecret,
    tokenEndpointAuthMethod: method,
    redirectUri: basics.redirectUri,
    cookiePassword: basics.cookiePassword,
    scope,
    defaultScope: oidc.scope === undefined,
    consentPrompt: resolveConsentPrompt(consentPrompt, issuer),
    audience,
    algorithms,
    accessTokenType,
    authorizationParams: { ...extra },
    clockToleranceSeconds: basics.clockToleranceSeconds,
    nowMs: basics.nowMs,
    sessionLifetimeSeconds: basics.cookieMaxAgeSeconds,
    discoveryTimeoutMs: integerInRange(oidc.timeoutMs, 'oidc.timeoutMs', 10_000, 100, 60_000),
  });
}

function oneOf<const T extends string>(
  value: unknown,
  option: string,
  values: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!values.includes(value as T)) {
    fail(option, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return value as T;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
