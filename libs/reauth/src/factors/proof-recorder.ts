import { Injectable } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthRecords } from '../flow/reauth-records';
import { StateSealSettings } from '../options/reauth-settings';
import { FactorLedger, type FactorProof } from './factor-ledger';
import { FreshnessProofs } from './freshness-proofs';
import type { StepUpCaller } from './step-up-caller';
import { StepUpRefusal } from './step-up.errors';
import type { InPageMethod } from '../options/step-up-settings';
import { openTicket, type StepUpTicket } from './step-up-ticket';

/** What a page is told once a confirmation is recorded. */
export interface StepUpConfirmed {
  /** The confirmation was recorded. */
  status: 'confirmed';
  /** How the user confirmed. */
  method: InPageMethod;
  /** What the proof showed (RFC 8176), e.g. `['hwk', 'user', 'mfa']`. */
  amr: readonly string[];
  /** When it was given, in Unix seconds. */
  at: number;
  /** The last second it counts for. */
  expiresAt: number;
}

/**
 * Records a confirmation given in the page: an entry in the session's factor ledger and, when
 * the refusal's ticket names a `maxAge` 0 route, that route's one-time grant.
 */
@Injectable()
export class ProofRecorder {
  constructor(
    private readonly ledger: FactorLedger,
    private readonly records: ReauthRecords,
    private readonly seal: StateSealSettings,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
  ) {}

  /**
   * The ticket a confirmation came with, opened: `undefined` without one; a 400 for one that is
   * not a live ticket of this session and user (checked before anything is verified).
   */
  ticketOf(token: string | undefined, caller: StepUpCaller): StepUpTicket | undefined {
    if (token === undefined) return undefined;
    const ticket = openTicket(token, this.seal.cookiePassword, this.clock.nowSeconds());
    if (!ticket || ticket.sk !== caller.sessionKey || ticket.sub !== caller.sub) {
      throw new StepUpRefusal(
        'invalid_ticket',
        'This confirmation belongs to another session or has expired. Retry the request.',
      );
    }
    return ticket;
  }

  async record(
    caller: StepUpCaller,
    method: InPageMethod,
    amr: readonly string[],
    ticket: StepUpTicket | undefined,
  ): Promise<StepUpConfirmed> {
    const proof: FactorProof = await this.ledger.record(caller.sessionKey, caller.sub, method, amr);
    if (ticket?.maxAge === 0) {
      await this.records.grantInPage(
        caller.sessionKey,
        ticket.route,
        FreshnessProofs.grantValue(caller.sub, proof),
      );
    }
    this.events.emit({
      type: 'step-up.confirmed',
      userId: caller.sub,
      sessionId: caller.sessionId,
      route: ticket?.route,
      method,
      amr: proof.amr,
    });
    return {
      status: 'confirmed',
      method,
      amr: proof.amr,
      at: proof.at,
      expiresAt: proof.expiresAt,
    };
  }
}
