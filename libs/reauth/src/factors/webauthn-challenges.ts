import { Injectable } from '@nestjs/common';
import { STORE_KEYS } from '../core/constants';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthStore } from '../stores/reauth.store';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';

/** What a WebAuthn challenge is for. */
export type ChallengePurpose = 'step-up' | 'register';

/**
 * WebAuthn challenges: single-use, short-lived, and bound to the session (and user) they were
 * issued to, kept in the store so that any instance can check the answer.
 */
@Injectable()
export class WebAuthnChallenges {
  constructor(private readonly store: ReauthStore) {}

  /**
   * Remembers a challenge just issued to `caller` for `seconds`; `digest`: the bound action it
   * commits to, which the answer must come back for.
   */
  async issue(
    challenge: string,
    caller: StepUpCaller,
    purpose: ChallengePurpose,
    seconds: number,
    digest?: string,
  ): Promise<void> {
    const value = JSON.stringify({ sk: caller.sessionKey, sub: caller.sub, purpose, d: digest });
    await this.run(() => this.store.set(STORE_KEYS.webauthnChallenge + challenge, value, seconds));
  }

  /**
   * Uses up a challenge: a 400 unless it was issued to this session and user, for `purpose`, and
   * is neither spent nor expired. Taken before the answer is verified, so that no answer can be
   * tried twice. A challenge issued for a bound action is accepted only with that action's
   * `digest`, and the other way round.
   */
  async take(
    challenge: string,
    caller: StepUpCaller,
    purpose: ChallengePurpose,
    digest?: string,
  ): Promise<void> {
    const value = await this.run(() => this.store.take(STORE_KEYS.webauthnChallenge + challenge));
    let record: Record<string, unknown> | undefined;
    try {
      record = value === undefined ? undefined : (JSON.parse(value) as Record<string, unknown>);
    } catch {
      record = undefined;
    }
    if (
      record?.sk !== caller.sessionKey ||
      record.sub !== caller.sub ||
      record.purpose !== purpose ||
      record.d !== digest
    ) {
      throw new StepUpRefusal(
        'challenge_expired',
        'This confirmation was not started in this session, was already used or has expired. Start again.',
      );
    }
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }
}
