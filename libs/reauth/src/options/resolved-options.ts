import type { EventSettings } from '../events/event-settings';
import type { ReauthRequest } from '../interfaces';

/**
 * The module's options after one check at start-up: plain data every part of the library reads.
 * The parts with behaviour (provider, store, clock, metrics) are injected on their own, and each
 * injectable takes only its slice of this (see reauth-settings.ts).
 */
export interface ResolvedReauthOptions {
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  clockToleranceSeconds: number;
  cookie: { name: string; secure: boolean; domain?: string; maxAgeSeconds: number };
  fallbackReturnTo: string;
  logoutReturnTo: string;
  tokenExtractor?: (request: ReauthRequest) => string | undefined;
  jwksTimeoutMs: number;
  zeroMaxAgeGrantSeconds: number;
  routes: {
    callback: string;
    login: string | false;
    logout: string | false;
    stepUp: string | false;
    passkeys: string | false;
    backchannelLogout: string | false;
    providerEvents: string | false;
    /** The app's global prefix, as `redirectUri` shows it: what the routes' URLs start with. */
    prefix: string;
  };
  /** The app's own origin (from `redirectUri`) and the trusted ones, for the same-origin checks. */
  allowedOrigins: ReadonlySet<string>;
  allowCrossOrigin: boolean;
  allowImpersonation: boolean;
  signInLimits: { perUser: number; perAddress: number; windowSeconds: number };
  clientAddress: (request: ReauthRequest) => string | undefined;
  events: EventSettings['events'];
  checkProviderOnStart: boolean;
  providerSignals: {
    workosWebhookSecret?: string;
    backchannelLogout: boolean;
    perAddressPerMinute: number;
  };
  revocationView: { maxEntries: number; heartbeatMs: number } | false;
  /** What a relayed downstream challenge may add to the user's sign-in besides acr and max_age. */
  relayedChallenges: { scopes: ReadonlySet<string>; claims: ReadonlySet<string> };
}
