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
import type { SessionContents } from './session-unsealer';
import { InvalidAccessTokenError, TokenClaimError, tokenFailureText } from './access-token.errors';

/** A refresh either produced a new sealed session or found the session over. */
export type RefreshOutcome = RefreshedSession | { status: 'ended' };

const ENDED_CACHE_ENTRIES = 10_000;

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
  /**
   * Cookies a refresh just issued whose access token failed verification, by the check that
   * failed: refreshing them again would spend another single-use refresh token on a token that
   * fails the same way (a wrong audience, a clock far off), on every request.
   */
  private readonly unverifiable: BoundedCache<string>;
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly options: SessionCookieSettings,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
    private readonly revocations: SessionRevocations,
    private readonly sharing: RefreshSharing,
  ) {
    this.ended = new BoundedCache(ENDED_CACHE_ENTRIES, () => clock.now());
    this.unverifiable = new BoundedCache(ENDED_CACHE_ENTRIES, () => clock.now());
  }

  /**
   * The session in `sealed` came from a refresh, and its access token failed verification with
   * `failure`: the same cookie is not refreshed again while its token fails the same check.
   */
  refusedRefreshed(sealed: string, failure: InvalidAccessTokenError): void {
    const check = failedCheck(failure);
    this.unverifiable.set(
      sha256Base64url(sealed),
      check,
      this.clock.now() + this.options.cookie.maxAgeSeconds * 1000,
    );
    this.logger.warn(
      `The provider's refreshed access token does not verify (${tokenFailureText(failure)}): its cookie is not refreshed again while its token fails the "${check}" check, so no refresh token is spent on it; requests with it answer 503`,
    );
  }

  /**
   * Whether `sealed` holds a refreshed session whose token still fails the check it failed when
   * it was issued (`failure` is how it fails now): then it is not refreshed.
   */
  stillUnverifiable(sealed: string, failure: InvalidAccessTokenError | undefined): boolean {
    if (failure === undefined) return false;
    const check = this.unverifiable.get(sha256Base64url(sealed));
    return check !== undefined && check === failedCheck(failure);
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
