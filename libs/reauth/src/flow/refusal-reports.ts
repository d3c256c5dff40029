import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '../core/describe-error';
import { InvalidAccessTokenError, tokenFailureText } from '../authentication/access-token.errors';
import { ReauthEvents } from '../events/reauth-events';
import { IdentityProvider } from '../providers/identity-provider';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';
import { type ReauthRequiredException } from '../exceptions/reauth-required.exception';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { PolicySettings } from '../options/policy-settings';
import { explanationText } from '../policies/refusal-explanation';

/** The debug header of a refusal (with the module's `explainRefusals.header`). */
export const EXPLAIN_HEADER = 'Reauth-Explain';

/**
 * What answering a refusal reports, on HTTP and GraphQL alike: the `reauth.required` event, the
 * log line and count of a 503, and the 503 that an unexpected error while answering becomes.
 * `request` makes the refused fields of one GraphQL request one report.
 */
@Injectable()
export class RefusalReports {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly events: ReauthEvents,
    private readonly provider: IdentityProvider,
    private readonly policies: PolicySettings,
  ) {}

  /**
   * Emits `reauth.required` (once per request, when `request` is given), and with the module's
   * `explainRefusals.log` logs its explanation at debug level.
   */
  required(exception: ReauthRequiredException, request?: object): void {
    const { details } = exception;
    if (this.policies.explainRefusals.log && exception.explanation) {
      this.logger.debug(
        `Refused ${exception.explanation.route}: ${explanationText(exception.explanation)}`,
      );
    }
    this.events.emitOnce(request, 'reauth.required', {
      type: 'reauth.required',
      reason: details.reason,
      userId: details.sub,
      sessionId: details.sid,
      route: details.route,
      maxAge: details.maxAge,
      acrValues: details.acrValues,
    });
  }

  /** Logs and counts a 503 (once per request, when `request` is given). */
  unavailable(exception: ReauthUnavailableException, request?: object): void {
    if (!this.events.unavailable(exception.dependency, request)) return;
    this.logger.warn(
      exception.cause instanceof ReauthStoreFullError
        ? `Authentication unavailable: the store is full (${exception.cause.maxEntries} live entries); size it for the peak sign-in rate`
        : exception.cause instanceof InvalidAccessTokenError
          ? `Authentication unavailable: a token the provider just issued does not verify: ${tokenFailureText(exception.cause)}`
          : `Authentication unavailable: ${exception.dependency} failed with ${describeError(exception.cause)}`,
    );
  }

  /**
   * The 503 an error thrown while starting a re-authentication becomes: starting one asks only
   * the identity provider, so an unexpected error is reported as the provider's.
   */
  asUnavailable(error: unknown): ReauthUnavailableException {
    return error instanceof ReauthUnavailableException
      ? error
      : new ReauthUnavailableException(this.provider.dependency, { cause: error });
  }

  /** The `Reauth-Explain` header's value, when the module's `explainRefusals.header` asks. */
  explainHeader(exception: ReauthRequiredException): string | undefined {
    return this.policies.explainRefusals.header && exception.explanation
      ? explanationText(exception.explanation)
      : undefined;
  }

  /** Logs a 403. */
  forbidden(what: string, reason: string): void {
    this.logger.warn(`Refused ${what}: ${reason}`);
  }
}
