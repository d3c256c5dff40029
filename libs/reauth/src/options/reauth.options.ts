import { DEFAULT_CLOCK_TOLERANCE_SECONDS, sanitizeReturnTo } from '../core';
import {
  absoluteUrl,
  booleanOption,
  fail,
  integerInRange,
  originOf,
  requiredString,
  routePath,
  stringList,
} from '../core/option-checks';
import type { ReauthModuleExtras, ReauthModuleOptions, ReauthRequest } from '../interfaces';
import { isPasswordConfirmer, type IdentityProvider } from '../providers/identity-provider';
import { resolveStepUp, type StepUpSettings } from './step-up-settings';
import { createOidcProvider } from '../providers/oidc/oidc.options';
import { createWorkOSProvider } from '../providers/workos/workos.options';
import { FunctionReauthClock, ReauthClock } from '../core/clock';
import { MemoryReauthStore } from '../stores/memory-reauth.store';
import { ReauthStore } from '../stores/reauth.store';
import { ReauthMetrics, type ReauthMetricsOptions } from '../events/reauth-metrics';
import type { ResolvedReauthOptions } from './resolved-options';
import { resolveProviderSignals, resolveRevocationView } from './revocation-options';
import { resolveRelayedChallenges } from './relayed-challenge-options';
import { resolvePolicySettings, type PolicySettings } from './policy-settings';
import { resolvePageSettings, type PageSettings } from '../pages/page-settings';
import {
  resolveOrganizationPolicy,
  type OrganizationPolicySettings,
} from './organization-policy-settings';

export type { ResolvedReauthOptions } from './resolved-options';

export const DEFAULT_ROUTES = Object.freeze({
  callback: '/auth/callback',
  login: '/auth/login',
  logout: '/auth/logout',
  stepUp: '/auth/step-up',
  passkeys: '/auth/passkeys',
  backchannelLogout: '/auth/backchannel-logout',
  providerEvents: '/auth/workos/events',
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

function defaultClientAddress(request: ReauthRequest): string | undefined {
  if (typeof request.ip === 'string' && request.ip !== '') return request.ip;
  const remote = request.socket?.remoteAddress;
  return typeof remote === 'string' && remote !== '' ? remote : undefined;
}

/** What the module provides from the options: the checked data and the parts it configures. */
export interface ReauthSetup {
  options: ResolvedReauthOptions;
  provider: IdentityProvider;
  store: ReauthStore;
  clock: ReauthClock;
  metrics: ReauthMetrics;
  stepUp: StepUpSettings;
  policies: PolicySettings;
  organizations: OrganizationPolicySettings;
  pages: PageSettings;
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
      ? createWorkOSProvider(options, {
          clientId,
          redirectUri: redirectUri.href,
          cookiePassword,
          audience,
        })
      : createOidcProvider(options.oidc, options, {
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
      stepUp: routePath(routes.stepUp, 'routes.stepUp', DEFAULT_ROUTES.stepUp, true),
      passkeys: routePath(routes.passkeys, 'routes.passkeys', DEFAULT_ROUTES.passkeys, true),
      backchannelLogout: routePath(
        routes.backchannelLogout,
        'routes.backchannelLogout',
        DEFAULT_ROUTES.backchannelLogout,
        true,
      ),
      providerEvents: routePath(
        routes.providerEvents,
        'routes.providerEvents',
        DEFAULT_ROUTES.providerEvents,
        true,
      ),
      prefix: redirectUri.pathname.slice(0, redirectUri.pathname.length - callback.length),
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
    providerSignals: resolveProviderSignals(options),
    revocationView: resolveRevocationView(options),
    relayedChallenges: resolveRelayedChallenges(options),
  };
  const policies = resolvePolicySettings(options);
  return {
    options: resolved,
    provider,
    store: options.store ?? new MemoryReauthStore({ now: options.now }),
    clock: new FunctionReauthClock(nowMs),
    metrics: resolveMetrics(options.metrics),
    stepUp: resolveStepUp(options.stepUp, isPasswordConfirmer(provider)),
    policies,
    organizations: Object.freeze({
      organizationPolicy: resolveOrganizationPolicy(options.organizationPolicy, policies.levels),
    }),
    pages: resolvePageSettings(options.pages),
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
