/** DI token of the checked options ({@link ResolvedReauthOptions}): plain data. */
export const REAUTH_RESOLVED_OPTIONS = Symbol('REAUTH_RESOLVED_OPTIONS');

/** DI token of what the options configure: options, provider, store and clock together. */
export const REAUTH_SETUP = Symbol('REAUTH_SETUP');

/** Metadata key of `@RequireRecentAuth()` / `@RequireSignIn()`. */
export const RECENT_AUTH_METADATA_KEY = 'nest-reauth:recent-auth';

/** Metadata key that marks the library's own controllers, which the inventory never flags. */
export const OWN_ROUTES_METADATA_KEY = 'nest-reauth:own-routes';

/** Prefixes of the keys the library writes to its store. */
export const STORE_KEYS = Object.freeze({
  usedState: 'reauth:state:',
  grant: 'reauth:grant:',
  action: 'reauth:action:',
  refresh: 'reauth:refresh:',
  refreshLock: 'reauth:refresh-lock:',
  refreshRefused: 'reauth:refresh-refused:',
  limit: 'reauth:limit:',
  factor: 'reauth:factor:',
  webauthnChallenge: 'reauth:webauthn:',
  passwordPending: 'reauth:password:',
  // Ended sessions and the generation of that list share a Redis Cluster hash tag (`{...}`):
  // one slot, so a failover that loses one loses the other (see SessionRevocations).
  revokedSession: 'reauth:{revocations}:revoked:',
  revokedUser: 'reauth:{revocations}:user:',
  generation: 'reauth:{revocations}:generation',
  // How many ends were written, counted with each in one step: a count that goes back shows
  // writes lost in a failover to a replica that had not received them.
  revocationCount: 'reauth:{revocations}:count',
  // Ids of provider signals already acted on (single use), and their count per client address.
  signalSeen: 'reauth:signal:seen:',
  signalCount: 'reauth:signal:count:',
});
