import { Injectable, Logger } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { describeError } from '../core/describe-error';
import type { ReauthRequiredDetails } from '../exceptions/reauth-required.exception';
import { sessionKeyOf } from '../flow/reauth-records';
import { RouteSettings, StateSealSettings } from '../options/reauth-settings';
import { StepUpSettings } from '../options/step-up-settings';
import { sealTicket, TICKET_SECONDS } from './step-up-ticket';

/** A way to confirm, as a refusal lists it for the page. */
export type StepUpMethodOffer =
  | { kind: 'passkey'; optionsUrl: string; confirmUrl: string }
  | { kind: 'password'; confirmUrl: string }
  | { kind: 'provider'; url: string };

/** The `stepUp` member of a JSON 401 (and of a GraphQL error's `extensions`). */
export interface StepUpOffer {
  /** Sent back with a confirmation: binds it to this session and route. */
  ticket: string;
  /** The ways to confirm, in-page ones first, the provider last. */
  methods: StepUpMethodOffer[];
}

/**
 * What a refusal offers the page: the in-page methods the route accepts that this user can use
 * (a passkey only once one is enrolled), then the provider. Nothing when the route accepts no
 * in-page method, so a client without in-page support behaves as before.
 */
@Injectable()
export class StepUpOffers {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly settings: StepUpSettings,
    private readonly routes: RouteSettings,
    private readonly seal: StateSealSettings,
    private readonly clock: ReauthClock,
  ) {}

  /** The offer for a refusal whose re-authentication at the provider starts at `providerUrl`. */
  async offer(
    details: Readonly<ReauthRequiredDetails>,
    providerUrl: string,
  ): Promise<StepUpOffer | undefined> {
    const { methods, sub, sid, route, maxAge } = details;
    const base = this.stepUpPath();
    if (!methods?.length || sub === undefined || sid === undefined || route === undefined) {
      return undefined;
    }
    if (maxAge === undefined || base === undefined) return undefined;
    const offers: StepUpMethodOffer[] = [];
    if (methods.includes('passkey') && (await this.hasPasskey(sub))) {
      offers.push({
        kind: 'passkey',
        optionsUrl: `${base}/passkey/options`,
        confirmUrl: `${base}/passkey`,
      });
    }
    if (methods.includes('password') && this.settings.password) {
      offers.push({ kind: 'password', confirmUrl: `${base}/password` });
    }
    if (offers.length === 0) return undefined;
    offers.push({ kind: 'provider', url: providerUrl });
    const ticket = sealTicket(
      {
        sk: sessionKeyOf(sid, sub),
        sub,
        route,
        maxAge,
        ...(details.boundAction ? { d: details.boundAction.digest } : {}),
        exp: this.clock.nowSeconds() + TICKET_SECONDS,
      },
      this.seal.cookiePassword,
    );
    return { ticket, methods: offers };
  }

  /** The step-up routes' URL path, with the app's global prefix; `undefined` when not mounted. */
  stepUpPath(): string | undefined {
    const { stepUp, prefix } = this.routes.routes;
    return stepUp === false ? undefined : `${prefix}${stepUp}`;
  }

  /**
   * Whether the user enrolled a passkey. A credential store that fails leaves the passkey out
   * (the provider is still offered) rather than failing the refusal.
   */
  private async hasPasskey(sub: string): Promise<boolean> {
    const passkeys = this.settings.passkeys;
    if (!passkeys) return false;
    try {
      return (await passkeys.credentials.listByUser(sub)).length > 0;
    } catch (error) {
      this.logger.warn(`Passkey credentials could not be read: ${describeError(error)}`);
      return false;
    }
  }
}
