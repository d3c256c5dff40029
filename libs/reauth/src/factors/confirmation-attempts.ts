import { Injectable, Logger } from '@nestjs/common';
import { ReauthRecords } from '../flow/reauth-records';
import type { ReauthRequest } from '../interfaces';
import { SignInLimitSettings } from '../options/reauth-settings';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';

/**
 * Failed confirmations count against the sign-in limits (`signInLimits`: per user and per client
 * address, in a fixed window), like completed sign-ins: once over, every confirmation and
 * sign-in of that user or address is refused until the window ends, so a password cannot be
 * guessed through the dialog.
 */
@Injectable()
export class ConfirmationAttempts {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly records: ReauthRecords,
    private readonly limits: SignInLimitSettings,
  ) {}

  /** A 429 when the user or the address is over its limit. */
  async admit(caller: StepUpCaller, request: ReauthRequest): Promise<void> {
    const counts = await this.records.signInCounts(caller.sub, this.limits.clientAddress(request));
    this.refuseOver(counts);
  }

  /** Counts a failure (the next attempt over the limit gets the 429). */
  async failed(caller: StepUpCaller, request: ReauthRequest): Promise<void> {
    await this.records.countSignIn(caller.sub, this.limits.clientAddress(request));
  }

  private refuseOver({ byUser, byAddress }: { byUser: number; byAddress: number }): void {
    const { perUser, perAddress, windowSeconds } = this.limits.signInLimits;
    if (byUser < perUser && byAddress < perAddress) return;
    this.logger.warn(
      `Confirmation refused: over the limit of ${byUser >= perUser ? `${perUser} per user` : `${perAddress} per address`} in ${windowSeconds}s`,
    );
    throw new StepUpRefusal(
      'too_many_attempts',
      'Too many attempts. Try again later.',
      windowSeconds,
    );
  }
}
