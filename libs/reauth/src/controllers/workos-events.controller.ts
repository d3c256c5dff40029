import { Controller, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ProviderSignals } from '../authentication/provider-signals';
import { ReauthClock } from '../core/clock';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { HttpResponses } from '../http/http-responses';
import { NO_STORE_HEADERS } from '../http/problem-page';
import type { ReauthRequest } from '../interfaces';
import { ProviderSignalSettings } from '../options/reauth-settings';
import { IdentityProvider } from '../providers/identity-provider';
import {
  readWorkOSEvent,
  WORKOS_EVENT_ID_TTL_SECONDS,
  WORKOS_EVENT_REFUSALS,
  type WorkOSEventRefusal,
} from '../providers/workos/workos-events';

const SIGNAL = 'workos_event';

/** A request as Nest gives it to an app created with `rawBody: true`. */
type EventRequest = ReauthRequest & { rawBody?: unknown };

/** The answer to one delivery. */
interface Answer {
  status: number;
  body: object;
  retryAfterSeconds?: number;
}

const RECEIVED: Answer = { status: 200, body: { received: true } };
const NOT_FOUND: Answer = {
  status: 404,
  body: { statusCode: 404, error: 'not_found', message: 'Not Found' },
};
const UNAVAILABLE: Answer = {
  status: 503,
  body: {
    statusCode: 503,
    error: 'temporarily_unavailable',
    message: 'The event could not be recorded; nothing was ended. Send it again.',
  },
  retryAfterSeconds: 5,
};

/**
 * `POST <routes.providerEvents>` (default `/auth/workos/events`): WorkOS's webhooks. A verified
 * `session.revoked` ends its session and `user.deleted` every session of its user signed in
 * before it, on every instance (see `ProviderSignals`); other events are answered 200 and left
 * alone. Each event id acts once: WorkOS retries deliveries, and a duplicate is answered 200.
 *
 * Answers: 200 `{"received":true}`; 400 for a missing, malformed, stale, future or wrong
 * signature, a body that is not a WorkOS event, or a missing raw body (the app must be created
 * with `rawBody: true`); 413 past 64 KiB; 415 for a body that is not JSON; 429 past
 * `providerSignals.perAddressPerMinute`; 503 when the store fails, so that WorkOS tries again;
 * 404 unless the provider is WorkOS and `providerSignals.workosWebhookSecret` is set.
 */
@Controller()
export class WorkosEventsController {
  private readonly logger = new Logger('ReauthModule');
  private rawBodyAdviceGiven = false;

  constructor(
    protected readonly signals: ProviderSignals,
    protected readonly settings: ProviderSignalSettings,
    protected readonly provider: IdentityProvider,
    protected readonly clock: ReauthClock,
    protected readonly responses: HttpResponses,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() request: EventRequest, @Res() response: unknown): Promise<void> {
    const secret = this.secret();
    const answer = secret === undefined ? NOT_FOUND : await this.answer(request, secret);
    this.responses.setHeaders(response, NO_STORE_HEADERS);
    if (answer.retryAfterSeconds !== undefined) {
      this.responses.setHeaders(response, { 'Retry-After': String(answer.retryAfterSeconds) });
    }
    this.responses.json(response, answer.status, answer.body);
  }

  /** The endpoint secret, when the provider is WorkOS and the app configured one. */
  protected secret(): string | undefined {
    if (this.provider.dependency !== 'workos') return undefined;
    return this.settings.providerSignals.workosWebhookSecret;
  }

  private async answer(request: EventRequest, secret: string): Promise<Answer> {
    try {
      const address = this.settings.clientAddress(request);
      if (address !== undefined && !(await this.signals.withinLimit(SIGNAL, address))) {
        return { ...this.refuse('too_many_requests'), retryAfterSeconds: 60 };
      }
      const event = readWorkOSEvent(
        { headers: request.headers, rawBody: request.rawBody },
        { secret, nowMs: this.clock.now() },
      );
      if (typeof event === 'string') {
        if (event === 'raw_body_missing') this.adviseRawBody();
        return this.refuse(event);
      }
      // A replay is answered as a first delivery is: WorkOS retries, and must not see an error.
      // endOnce releases an id whose end could not be recorded, so that a retry is not a replay.
      if (event.ended !== undefined) {
        await this.signals.endOnce(event.id, WORKOS_EVENT_ID_TTL_SECONDS, {
          signal: SIGNAL,
          ...event.ended,
        });
      }
      return RECEIVED;
    } catch (error) {
      if (!(error instanceof ReauthUnavailableException)) throw error;
      this.signals.refused(SIGNAL, `${error.dependency}_unavailable`);
      return UNAVAILABLE;
    }
  }

  private refuse(reason: WorkOSEventRefusal): Answer {
    this.signals.refused(SIGNAL, reason);
    const { status, message } = WORKOS_EVENT_REFUSALS[reason];
    return { status, body: { statusCode: status, error: reason, message } };
  }

  /** Once per instance: how to keep the raw body, which every delivery needs. */
  private adviseRawBody(): void {
    if (this.rawBodyAdviceGiven) return;
    this.rawBodyAdviceGiven = true;
    this.logger.warn(
      'WorkOS events cannot be verified without the raw request body: create the app with NestFactory.create(AppModule, { rawBody: true }). Every delivery is refused with 400 until then.',
    );
  }
}
