import { Injectable, Logger } from '@nestjs/common';
import { sha256Base64url } from '../crypto/digest';
import { IdentityProvider, ProviderRejectedError } from '../providers/identity-provider';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthClock } from '../core/clock';
import { SessionCookieSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { BoundedCache } from '../core/bounded-cache';
import { deepFreeze } from '../core/deep-freeze';
import { revocationKeyOf, sessionSubject, unverifiedSessionClaims } from '../core/session-claims';
import { RefreshSharing, type RefreshedSession } from './refresh-sharing';
import { SessionRevocations } from './session-revocations';
import { ReauthStore } from '../stores/reauth.store';
import { STORE_KEYS } from '../core/constants';
import { storeFailure } from './store-failure';
import type { SessionContents } from './session-unsealer';
import { InvalidAccessTokenError, TokenClaimError, tokenFailureText } from './access-token.errors';

/** A refresh either produced a new sealed session or found the session over. */
export type RefreshOutcome = RefreshedSession | { status: 'ended' };

const ENDED_CACHE_ENTRIES = 10_000;

/** The first pause of a cookie whose refreshed token does not verify, doubled each time after. */
const REFUSED_REFRESH_FIRST_PAUSE_SECONDS = 60;
const REFUSED_REFRESH_MAX_PAUSE_SECONDS = 3600;

/** A refreshed cookie whose token failed `check`: not refreshed again before `until` (ms). */
interface RefusedRefresh {
  check: string;
  /** How many refreshes of the same chain failed before this one. */
  attempt: number;
  until: number;
}

const ENDED: RefreshOutcome = Object.freeze({ status: 'ended' });

/**
 * Exchanges a session cookie's refresh token at the provider. Single-flight per cookie, so the
 * burst of requests a page load makes with one expired cookie uses the (single-use) refresh token
 * once; the new session is shared, through the store, with requests presenting that exact cookie
 * on other instances. A revoked session is never refreshed nor handed a shared refresh.
 */
@Injectable()
export class SessionRefresher {
  private readonly inflight = new Map<string, Promise<RefreshOutcome>>();
  /**
   * Cookies whose refresh token the provider refused: a spent refresh token never works again,
   * so a replayed dead cookie is answered here instead of costing a provider call per request.
   */
  private readonly ended: BoundedCache<true>;
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly options: SessionCookieSettings,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
    private readonly revocations: SessionRevocations,
    private readonly sharing: RefreshSharing,
    private readonly store: ReauthStore,
  ) {
    this.ended = new BoundedCache(ENDED_CACHE_ENTRIES, () => clock.now());
  }

  /**
   * The session in `sealed` came from a refresh of the cookie `previous`, and its access token
   * failed verification with `failure`: refreshing it again would spend another single-use
   * refresh token on a token that fails the same way (a wrong audience, a clock far off). So the
   * cookie is not refreshed while its token fails that check, for a pause that doubles with each
   * refresh of the same chain that fails again (1 minute, then 2, ... up to an hour), so that a
   * fault fixed at the provider lets the session go on. Kept in the store, for every instance.
   */
  async refusedRefreshed(
    previous: string,
    sealed: string,
    failure: InvalidAccessTokenError,
  ): Promise<void> {
    const check = failedCheck(failure);
    const before = await this.refusedRefresh(previous);
    const attempt = before === undefined ? 0 : before.attempt + 1;
    const pauseSeconds = Math.min(
      REFUSED_REFRESH_FIRST_PAUSE_SECONDS * 2 ** attempt,
      REFUSED_REFRESH_MAX_PAUSE_SECONDS,
    );
    const marker: RefusedRefresh = {
      check,
      attempt,
      until: this.clock.now() + pauseSeconds * 1000,
    };
    try {
      await this.store.set(
        STORE_KEYS.refreshRefused + sha256Base64url(sealed),
        JSON.stringify(marker),
        this.options.cookie.maxAgeSeconds,
      );
    } catch (error) {
      this.logger.warn(
        `Recording a refreshed token that does not verify failed${storeFailure(error)}: the next request with its cookie refreshes again`,
      );
    }
    this.logger.warn(
      `The provider's refreshed access token does not verify (${tokenFailureText(failure)}): its cookie is not refreshed again for ${pauseSeconds} s while its token fails the "${check}" check, so no refresh token is spent on it; requests with it answer 503`,
    );
  }

  /**
   * Whether `sealed` holds a refreshed session whose token still fails the check it failed when
   * it was issued (`failure` is how it fails now), within its pause: then it is not refreshed.
   */
  async stillUnverifiable(
    sealed: string,
    failure: InvalidAccessTokenError | undefined,
  ): Promise<boolean> {
    if (failure === undefined) return false;
    const marker = await this.refusedRefresh(sealed);
    return (
      marker !== undefined &&
      marker.check === failedCheck(failure) &&
      this.clock.now() < marker.until
    );
  }

  /** The refusal recorded for the cookie `sealed`, if any; a store that fails records none. */
  private async refusedRefresh(sealed: string): Promise<RefusedRefresh | undefined> {
    let value: string | undefined;
    try {
      value = await this.store.get(STORE_KEYS.refreshRefused + sha256Base64url(sealed));
    } catch {
      // The refresh that follows asks the store too, and answers 503 when it cannot.
      return undefined;
    }
    if (value === undefined) return undefined;
    try {
      const parsed = JSON.parse(value) as Partial<RefusedRefresh>;
      return typeof parsed.check === 'string' &&
        Number.isSafeInteger(parsed.attempt) &&
        typeof parsed.until === 'number'
        ? (parsed as RefusedRefresh)
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Refreshes the session in `sealed` (opened as `contents`), sharing one refresh among the
   * requests that present that exact cookie; `ended` for a session that is over.
   */
  refresh(sealed: string, contents: SessionContents): Promise<RefreshOutcome> {
    const refreshToken = contents.refreshToken;
    if (typeof refreshToken !== 'string' || refreshToken === '') return Promise.resolve(ENDED);
    // Bound to the exact cookie: only the requests that present it share its refresh.
    const key = sha256Base64url(sealed);
    if (this.ended.get(key)) return Promise.resolve(ENDED);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refreshOnce(key, contents).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async refreshOnce(key: string, contents: SessionContents): Promise<RefreshOutcome> {
    // The seal vouches for the token inside, expired or not: it names the session.
    const claims = unverifiedSessionClaims(contents.accessToken);
    const sessionKey = claims && revocationKeyOf(claims, contents.sessionId);
    // A user ended as a whole ends this session too: its sealed token was issued before then.
    if (sessionKey === undefined || (await this.revocations.isRevoked(sessionKey, claims))) {
      return ENDED;
    }
    const shared = await this.sharing.sharedOrTurn(key);
    if (shared) return shared;
    const who = sessionSubject(claims!, contents.sessionId);
    const startedAt = this.events.metrics.enabled ? performance.now() : 0;
    try {
      const issued = await this.provider.refresh(contents);
      this.events.metrics.refresh(startedAt, 'refreshed');
      this.events.emit({ type: 'session.refreshed', ...who });
      const { sealed, ...session } = issued;
      // Every request waiting on this refresh gets the same object.
      const outcome: RefreshOutcome = deepFreeze({
        status: 'refreshed',
        sealedSession: sealed,
        session,
      });
      await this.sharing.share(key, sealed);
      // Shared (or not): an instance that waited finds the result, or its turn, either way.
      this.sharing.release(key);
      return outcome;
    } catch (error) {
      // Another instance waiting on this refresh may try itself at once.
      this.sharing.release(key);
      if (error instanceof ProviderRejectedError) {
        this.events.metrics.refresh(startedAt, 'ended');
        // Another instance may have used the token a moment ago and shared its result.
        const shared = await this.sharing.sharedResult(key);
        if (shared) return shared;
        this.ended.set(key, true, this.clock.now() + this.options.cookie.maxAgeSeconds * 1000);
        this.events.emit({ type: 'session.revoked', cause: 'refresh_refused', ...who });
        return ENDED;
      }
      this.events.metrics.refresh(startedAt, 'unavailable');
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException(this.provider.dependency, { cause: error });
    }
  }
}

/** The check a token failed: the claim or header parameter, else what else failed. */
function failedCheck(failure: InvalidAccessTokenError): string {
  const cause = failure.cause;
  if (cause instanceof TokenClaimError) return cause.claim;
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'token';
}
