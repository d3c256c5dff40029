import { Injectable, Logger } from '@nestjs/common';
import { ReauthClock } from '../core/clock';
import { withoutStack } from '../exceptions/without-stack';
import { ReauthRequiredException } from '../exceptions/reauth-required.exception';
import type { Authentication } from '../interfaces';
import { RelayedChallengeSettings, RequestPolicySettings } from '../options/reauth-settings';
import {
  IdentityProvider,
  isStepUpProvider,
  type StepUpCapabilities,
} from '../providers/identity-provider';
import {
  parseDownstreamChallenge,
  type DownstreamChallenge,
  type DownstreamHeaders,
} from './downstream-challenge';
import { DownstreamChallengeException } from './downstream-challenge.exception';
import { beyondAllowList, decideRelay } from './relay-decision';

/**
 * A downstream API's answer, as `fetch` (`status`), axios (`status`) or Node's `http`
 * (`statusCode`) give it.
 */
export interface DownstreamResponse {
  /** The HTTP status (`fetch`, axios). */
  status?: number;
  /** The HTTP status (Node's `http.IncomingMessage`). */
  statusCode?: number;
  /** A `Headers` object (or anything with `get(name)`), or a record of header values. */
  headers: DownstreamHeaders;
}

/** The statuses a step-up challenge comes with: 401 (RFC 9470, Entra) and 403 (RFC 6750 scope). */
const CHALLENGE_STATUSES = new Set([401, 403]);

/**
 * Turns a downstream API's step-up challenge into the library's refusal for the current caller:
 * reads it, refuses what the provider cannot give or the caller's token already shows (a loop),
 * and otherwise throws `ReauthRequiredException` with what the downstream asked for, so the
 * filter answers the caller as for a guarded route. The public face is
 * `ReauthService.relayChallenge`.
 */
@Injectable()
export class ChallengeRelay {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly settings: RequestPolicySettings,
    private readonly relayed: RelayedChallengeSettings,
  ) {}

  /**
   * Resolves when `response` carries no step-up challenge; otherwise throws
   * `ReauthRequiredException` or `DownstreamChallengeException`.
   */
  async relay(
    authentication: Authentication | undefined,
    response: DownstreamResponse,
  ): Promise<void> {
    const status = response.status ?? response.statusCode;
    if (status === undefined || !CHALLENGE_STATUSES.has(status)) return;
    let challenge: DownstreamChallenge | undefined;
    try {
      challenge = parseDownstreamChallenge(response.headers);
    } catch (error) {
      if (error instanceof DownstreamChallengeException) this.logger.warn(error.detail);
      throw error;
    }
    if (challenge === undefined) return;

    const beyond = beyondAllowList(challenge, this.relayed.relayedChallenges);
    if (beyond !== undefined) {
      this.logger.warn(beyond);
      throw withoutStack(() => new DownstreamChallengeException('unsatisfiable', beyond));
    }
    const capabilities = await this.capabilities();
    const claims = authentication?.claims;
    const decision = decideRelay(challenge, claims, capabilities, {
      now: this.clock.nowSeconds(),
      toleranceSeconds: this.settings.clockToleranceSeconds,
    });
    if (decision.kind === 'refuse') {
      this.logger.warn(decision.detail);
      throw withoutStack(() => new DownstreamChallengeException(decision.reason, decision.detail));
    }
    const authTime = claims?.auth_time;
    throw withoutStack(
      () =>
        new ReauthRequiredException({
          reason: decision.reason,
          ...(challenge.maxAge !== undefined && { maxAge: challenge.maxAge }),
          ...(Number.isSafeInteger(authTime) &&
            (authTime as number) >= 0 && { authTime: authTime }),
          ...(claims && { sub: claims.sub }),
          ...(authentication?.sessionId !== undefined && { sid: authentication.sessionId }),
          ...(authentication?.user?.email !== undefined && {
            loginHint: authentication.user.email,
          }),
          ...(challenge.acrValues && { acrValues: challenge.acrValues }),
          ...(challenge.claims && { claims: challenge.claims }),
          ...(challenge.acrs && { acrs: challenge.acrs }),
          ...(challenge.scope && { scope: challenge.scope }),
        }),
    );
  }

  /** What the provider can be asked for; one that does not say is asked for `max_age` only. */
  private capabilities(): Promise<StepUpCapabilities> {
    if (isStepUpProvider(this.provider)) return this.provider.stepUpCapabilities();
    return Promise.resolve({
      claimsParameter: false,
      acrValues: [],
      scopes: false,
      name: this.provider.describe().split(',')[0],
    });
  }
}
