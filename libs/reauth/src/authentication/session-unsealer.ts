import { Injectable } from '@nestjs/common';
import { IdentityProvider, type ProviderSession } from '../providers/identity-provider';
import { ReauthClock } from '../core/clock';
import { BoundedCache } from '../core/bounded-cache';
import { deepFreeze } from '../core/deep-freeze';

/** What a sealed session cookie holds, opened. */
export type SessionContents = ProviderSession;

const UNSEALED_CACHE_ENTRIES = 10_000;
const UNSEALED_CACHE_MS = 10 * 60_000;
// The end of a sealed cookie: WorkOS's seal ends with its HMAC, the library's own with the
// AES-GCM tag, so two cookies that differ end differently (and a hit is compared in full).
const UNSEALED_KEY_LENGTH = 64;

/**
 * Opens sealed sessions at the provider, and remembers the ones that opened: a sealed value
 * always opens to the same contents, so remembering them cannot change a decision (the token
 * inside is still verified on every request); only cookies that did open are kept, frozen, since
 * every request with the cookie gets the same object.
 */
@Injectable()
export class SessionUnsealer {
  private readonly unsealed: BoundedCache<{ sealed: string; session: SessionContents }>;

  constructor(
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
  ) {
    this.unsealed = new BoundedCache(UNSEALED_CACHE_ENTRIES, () => clock.now());
  }

  /** Opens a sealed session; `undefined` when it is not one of ours (tampered, other password). */
  async unseal(sealed: string): Promise<SessionContents | undefined> {
    // Looked up by the seal's end (its authentication tag or MAC: hashing a few KB of cookie on
    // every request costs more), then the whole cookie must be the one that was opened.
    const key = sealed.slice(-UNSEALED_KEY_LENGTH);
    const cached = this.unsealed.get(key);
    if (cached && cached.sealed === sealed) return cached.session;
    const session = await this.provider.unseal(sealed);
    if (!session) return undefined;
    deepFreeze(session);
    // Never past the seal's own expiry: it would open no more after that.
    const until = Math.min(
      this.clock.now() + UNSEALED_CACHE_MS,
      session.sealExpiresAt === undefined ? Infinity : (session.sealExpiresAt + 1) * 1000,
    );
    this.unsealed.set(key, { sealed, session }, until);
    return session;
  }
}
