import type { Provider } from '@nestjs/common';
import { EventSettings } from '../events/event-settings';
import type { ReauthRequest } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS } from '../core/constants';
import type { ResolvedReauthOptions } from './resolved-options';

// Each class is a DI token and the type of one slice of the checked options: an injectable
// names the slice it reads, so a service that sets cookies never holds the sign-in limits, and
// a service that logs events never holds the cookie password. Field names are those of
// ResolvedReauthOptions.

/** The session cookie's attributes, and the clock tolerance its tokens are checked with. */
export abstract class SessionCookieSettings {
  abstract readonly cookie: {
    readonly name: string;
    readonly secure: boolean;
    readonly domain?: string;
    readonly maxAgeSeconds: number;
  };
  abstract readonly clockToleranceSeconds: number;
}

/** How access tokens are verified: clock tolerance and the JWKS fetch's timeout. */
export abstract class AccessTokenSettings {
  abstract readonly clockToleranceSeconds: number;
  abstract readonly jwksTimeoutMs: number;
}

/** Where a request's token comes from before the header and the cookie: the app's extractor. */
export abstract class TokenSourceSettings {
  abstract readonly tokenExtractor?: (request: ReauthRequest) => string | undefined;
}

/** Where users are sent: the callback URL, the fallback return path, the sign-out destination. */
export abstract class RedirectSettings {
  abstract readonly redirectUri: string;
  abstract readonly fallbackReturnTo: string;
  abstract readonly logoutReturnTo: string;
}

/** What seals a re-authentication state, and the tolerance its expiry is read with. */
export abstract class StateSealSettings {
  abstract readonly cookiePassword: string;
  abstract readonly clockToleranceSeconds: number;
}

/** Which requests a marked route accepts: origins, impersonation, clock tolerance. */
export abstract class RequestPolicySettings {
  /** The app's own origin (from `redirectUri`) and the trusted ones. */
  abstract readonly allowedOrigins: ReadonlySet<string>;
  abstract readonly allowCrossOrigin: boolean;
  abstract readonly allowImpersonation: boolean;
  abstract readonly clockToleranceSeconds: number;
}

/** How many sign-ins a user and an address may start, and how a request's address is read. */
export abstract class SignInLimitSettings {
  abstract readonly signInLimits: {
    readonly perUser: number;
    readonly perAddress: number;
    readonly windowSeconds: number;
  };
  abstract readonly clientAddress: (request: ReauthRequest) => string | undefined;
  abstract readonly clockToleranceSeconds: number;
}

/** How long the grant of a `maxAge: 0` re-authentication lasts. */
export abstract class GrantSettings {
  abstract readonly zeroMaxAgeGrantSeconds: number;
}

/** The paths of the library's routes (`false` for a route the app does not mount). */
export abstract class RouteSettings {
  abstract readonly routes: {
    readonly callback: string;
    readonly login: string | false;
    readonly logout: string | false;
    readonly stepUp: string | false;
    readonly passkeys: string | false;
    readonly prefix: string;
  };
}

/** Whether the app starts only once the provider answered, and how long the JWKS may take. */
export abstract class ProviderCheckSettings {
  abstract readonly checkProviderOnStart: boolean;
  abstract readonly jwksTimeoutMs: number;
}

/** The provider of one slice: the named fields, copied out of the checked options. */
function slice<T>(
  token: abstract new () => T,
  keys: readonly (keyof T & keyof ResolvedReauthOptions)[],
): Provider {
  return {
    provide: token,
    useFactory: (options: ResolvedReauthOptions): T =>
      Object.freeze(Object.fromEntries(keys.map((key) => [key, options[key]]))) as T,
    inject: [REAUTH_RESOLVED_OPTIONS],
  };
}

/** The module's providers of every slice. */
/** The provider's signals of ended sessions: their options, and how long an end is recorded. */
export abstract class ProviderSignalSettings {
  abstract readonly providerSignals: ResolvedReauthOptions['providerSignals'];
  abstract readonly cookie: SessionCookieSettings['cookie'];
  abstract readonly clientAddress: (request: ReauthRequest) => string | undefined;
}

/** The scopes and claims a relayed downstream challenge may ask the user's sign-in for. */
export abstract class RelayedChallengeSettings {
  abstract readonly relayedChallenges: ResolvedReauthOptions['relayedChallenges'];
}

/** How ended sessions are looked up: the local view's options, or `false`. */
export abstract class RevocationSettings {
  abstract readonly revocationView: ResolvedReauthOptions['revocationView'];
}

export const SETTINGS_PROVIDERS: readonly Provider[] = [
  slice(SessionCookieSettings, ['cookie', 'clockToleranceSeconds']),
  slice(AccessTokenSettings, ['clockToleranceSeconds', 'jwksTimeoutMs']),
  slice(TokenSourceSettings, ['tokenExtractor']),
  slice(RedirectSettings, ['redirectUri', 'fallbackReturnTo', 'logoutReturnTo']),
  slice(StateSealSettings, ['cookiePassword', 'clockToleranceSeconds']),
  slice(RequestPolicySettings, [
    'allowedOrigins',
    'allowCrossOrigin',
    'allowImpersonation',
    'clockToleranceSeconds',
  ]),
  slice(SignInLimitSettings, ['signInLimits', 'clientAddress', 'clockToleranceSeconds']),
  slice(GrantSettings, ['zeroMaxAgeGrantSeconds']),
  slice(RouteSettings, ['routes']),
  slice(ProviderCheckSettings, ['checkProviderOnStart', 'jwksTimeoutMs']),
  slice(EventSettings, ['events']),
  slice(ProviderSignalSettings, ['providerSignals', 'cookie', 'clientAddress']),
  slice(RevocationSettings, ['revocationView']),
  slice(RelayedChallengeSettings, ['relayedChallenges']),
];
