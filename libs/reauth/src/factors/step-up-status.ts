import { Injectable } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { FactorLedger } from './factor-ledger';
import { FreshnessProofs } from './freshness-proofs';
import { credentialsCall } from './passkey-confirmation';
import type { StepUpCaller } from './step-up-caller';
import { StepUpSettings, type InPageMethod } from '../options/step-up-settings';

/** One kind of proof of the session, as the status route shows it (Unix seconds). */
export interface ProofStatus {
  /** When it was given. */
  at: number;
  /** What it showed (RFC 8176), when known. */
  amr?: readonly string[];
  /** The last second an in-page proof counts for; a sign-in has none of its own. */
  expiresAt?: number;
}

/** What `GET <routes.stepUp>` answers. */
export interface StepUpStatusBody {
  /** The signed-in user (the token's `sub`). */
  userId: string;
  /** The server's time, so a page can count down without trusting its own clock. */
  now: number;
  /** The in-page methods this user can confirm with now (a password only after a password sign-in). */
  methods: InPageMethod[];
  /** The latest proof of each kind: the sign-in at the provider, and in-page confirmations. */
  factors: Partial<Record<'provider' | InPageMethod, ProofStatus>>;
}

/**
 * The session's freshness per factor, for a page that shows "confirmed for 4 more minutes"
 * before it asks, and the methods it may offer.
 */
@Injectable()
export class StepUpStatus {
  constructor(
    private readonly ledger: FactorLedger,
    private readonly proofs: FreshnessProofs,
    private readonly settings: StepUpSettings,
    private readonly clock: ReauthClock,
  ) {}

  async of(caller: StepUpCaller): Promise<StepUpStatusBody> {
    const { claims } = caller.authentication;
    const factors: StepUpStatusBody['factors'] = {};
    if (Number.isSafeInteger(claims.auth_time)) {
      factors.provider = {
        at: claims.auth_time!,
        ...(Array.isArray(claims.amr) ? { amr: claims.amr } : {}),
      };
    }
    for (const proof of await this.ledger.read(caller.sessionKey, caller.sub)) {
      factors[proof.method] ??= { at: proof.at, amr: proof.amr, expiresAt: proof.expiresAt };
    }
    return {
      userId: caller.sub,
      now: this.clock.nowSeconds(),
      methods: await this.methods(caller),
      factors,
    };
  }

  private async methods(caller: StepUpCaller): Promise<InPageMethod[]> {
    const methods: InPageMethod[] = [];
    for (const method of this.proofs.enabledMethods()) {
      if (method === 'password') {
        if (caller.authentication.signInMethod === 'Password') methods.push(method);
      } else if (await this.hasPasskey(caller.sub)) methods.push(method);
    }
    return methods;
  }

  /** As in a refusal: a credential store that fails leaves the passkey out. */
  private async hasPasskey(sub: string): Promise<boolean> {
    const passkeys = this.settings.passkeys;
    if (!passkeys) return false;
    try {
      return (await credentialsCall(() => passkeys.credentials.listByUser(sub))).length > 0;
    } catch {
      return false;
    }
  }
}
