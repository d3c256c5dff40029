import { loadOptionalPeer } from '../core/optional-peer';
import type { ReauthDependency } from '../exceptions/reauth-unavailable.exception';
import type { ReauthEvent } from './event.types';

/** Attribute values, as OpenTelemetry takes them. */
export type ReauthMetricAttributes = Record<string, string | number | boolean>;

/**
 * The part of an OpenTelemetry `Meter` (`@opentelemetry/api`) the library uses; a `Meter` from
 * `metrics.getMeter()` is one.
 */
export interface ReauthMeter {
  /** A counter the library adds to: step-up flows, sessions, and requests refused with a 503. */
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: ReauthMetricAttributes): void };
  /** A histogram the library records durations in: token verification and session refresh. */
  createHistogram(
    name: string,
    options?: {
      description?: string;
      unit?: string;
      advice?: { explicitBucketBoundaries?: number[] };
    },
  ): { record(value: number, attributes?: ReauthMetricAttributes): void };
}

/** The `metrics` option: the meter to record with. */
export interface ReauthMetricsOptions {
  /**
   * Default: `metrics.getMeter('nest-workos-reauth')` of `@opentelemetry/api`, when that optional
   * peer is installed; it records nothing until the app registers an OpenTelemetry SDK.
   */
  meter?: ReauthMeter;
}

/** How a verification or a refresh ended, as the histograms' `reauth.outcome` attribute. */
export type VerificationOutcome = 'valid' | 'invalid' | 'unavailable';
export type RefreshOutcome = 'refreshed' | 'ended' | 'unavailable';

/** Seconds, from well under a millisecond (a signature) to a slow provider. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const METER_NAME = 'nest-workos-reauth';

/** `@opentelemetry/api`'s global meter provider, as far as it is used here. */
interface GlobalMeterProvider {
  getMeterProvider(): { getMeter(name: string): ReauthMeter };
}

interface OpenTelemetryApi {
  metrics: GlobalMeterProvider;
}

type Counter = ReturnType<ReauthMeter['createCounter']>;
type Histogram = ReturnType<ReauthMeter['createHistogram']>;

interface Instruments {
  flows: Counter;
  sessions: Counter;
  unavailable: Counter;
  signals: Counter;
  revocationView: Counter;
  verificationDuration: Histogram;
  refreshDuration: Histogram;
}

/**
 * The library's OpenTelemetry instruments. Recording never throws into a request: a meter that
 * fails, to make an instrument or to record, is ignored (an exporter's failures happen in the
 * SDK, away from requests, anyway).
 *
 * - `reauth.flows` (counter): `reauth.outcome` = `required` | `started` | `completed` | `failed`,
 *   with `reauth.reason` for `required` (the 401's reason) and `failed` (the callback's code);
 *   `confirmed` | `confirmation_refused` for confirmations in the page, with `reauth.method`
 *   (`passkey` | `password`) and, when refused, `reauth.reason` (the refusal's `error`).
 * - `reauth.sessions` (counter): `reauth.outcome` = `refreshed` | `revoked`, with
 *   `reauth.reason` for `revoked` (`sign_out` | `refresh_refused` | `backchannel_logout` |
 *   `provider_event`).
 * - `reauth.signals` (counter): the provider's signals of ended sessions, by `reauth.signal`
 *   (`oidc_backchannel_logout` | `workos_event`) and `reauth.outcome` = `accepted` | `refused`,
 *   with `reauth.reason` for `refused`.
 * - `reauth.revocation_view.changes` (counter): the local view of ended sessions becoming usable
 *   or not (`reauth.outcome` = `usable` | `unusable`); while unusable, every request asks the
 *   store.
 * - `reauth.unavailable` (counter): 503s, by `reauth.dependency` (`jwks` | `workos` | `oidc` |
 *   `store` | `passkeys` | `policy`).
 * - `reauth.token.verification.duration` (histogram, s): signature and claim checks of tokens not
 *   already verified (a cached token costs a lookup and is not recorded), by `reauth.outcome` =
 *   `valid` | `invalid` | `unavailable`.
 * - `reauth.session.refresh.duration` (histogram, s): refreshes at the provider, by
 *   `reauth.outcome` = `refreshed` | `ended` | `unavailable`.
 */
export class ReauthMetrics {
  private instruments?: Instruments;
  /** The global meter provider the instruments were made from, when following it. */
  private provider?: unknown;

  /** `false`: no metrics. Otherwise the given meter, or `@opentelemetry/api`'s when installed. */
  static create(
    options: ReauthMetricsOptions | false | undefined,
    load: (id: string) => unknown = require,
  ): ReauthMetrics {
    if (options === false) return new ReauthMetrics(undefined);
    if (options?.meter) return new ReauthMetrics(options.meter);
    const api = loadOptionalPeer<OpenTelemetryApi>('@opentelemetry/api', load);
    return new ReauthMetrics(undefined, api?.metrics);
  }

  /**
   * With `global`, the instruments follow the global meter provider: an app that registers its
   * OpenTelemetry SDK after the module is built (or replaces it) is still recorded to.
   */
  constructor(
    meter: ReauthMeter | undefined,
    private readonly global?: GlobalMeterProvider,
  ) {
    if (meter) this.instruments = instrumentsOf(meter);
  }

  /** Whether anything may be recorded: lets hot paths skip reading the clock. */
  get enabled(): boolean {
    return this.instruments !== undefined || this.global !== undefined;
  }

  /** Counts an event. */
  count(event: ReauthEvent): void {
    const instruments = this.current();
    if (!instruments) return;
    switch (event.type) {
      case 'reauth.required':
        return add(instruments.flows, { ...OUTCOME.required, 'reauth.reason': event.reason });
      case 'reauth.started':
        return add(instruments.flows, OUTCOME.started);
      case 'reauth.completed':
        return add(instruments.flows, OUTCOME.completed);
      case 'reauth.failed':
        return add(instruments.flows, { ...OUTCOME.failed, 'reauth.reason': event.reason });
      case 'session.refreshed':
        return add(instruments.sessions, OUTCOME.refreshed);
      case 'session.revoked':
        return add(instruments.sessions, { ...OUTCOME.revoked, 'reauth.reason': event.cause });
      case 'step-up.confirmed':
        return add(instruments.flows, { ...OUTCOME.confirmed, 'reauth.method': event.method });
      case 'step-up.failed':
        return add(instruments.flows, {
          ...OUTCOME.refused,
          'reauth.method': event.method,
          'reauth.reason': event.reason,
        });
      case 'store.unavailable':
        return; // A 503 is counted with the other dependencies by `unavailable()`.
    }
  }

  /** Counts a 503. */
  unavailable(dependency: ReauthDependency): void {
    const instruments = this.current();
    if (instruments) add(instruments.unavailable, { 'reauth.dependency': dependency });
  }

  /** Counts a provider's signal of ended sessions, accepted or refused (with why). */
  signal(signal: string, outcome: 'accepted' | 'refused', reason?: string): void {
    const instruments = this.current();
    if (!instruments) return;
    add(instruments.signals, {
      'reauth.signal': signal,
      'reauth.outcome': outcome,
      ...(reason !== undefined ? { 'reauth.reason': reason } : {}),
    });
  }

  /** Counts the local view of ended sessions becoming usable, or not. */
  revocationView(usable: boolean): void {
    const instruments = this.current();
    if (instruments) {
      add(instruments.revocationView, { 'reauth.outcome': usable ? 'usable' : 'unusable' });
    }
  }

  /** Records a verification that started at `startedAt` (`performance.now()`). */
  verification(startedAt: number, outcome: VerificationOutcome): void {
    const instruments = this.current();
    if (instruments) record(instruments.verificationDuration, startedAt, outcome);
  }

  /** Records a refresh that started at `startedAt` (`performance.now()`). */
  refresh(startedAt: number, outcome: RefreshOutcome): void {
    const instruments = this.current();
    if (instruments) record(instruments.refreshDuration, startedAt, outcome);
  }

  private current(): Instruments | undefined {
    if (this.global) {
      try {
        const provider = this.global.getMeterProvider();
        if (provider !== this.provider) {
          this.provider = provider;
          this.instruments = instrumentsOf(provider.getMeter(METER_NAME));
        }
      } catch {
        return undefined;
      }
    }
    return this.instruments;
  }
}

/** The instruments, or none when the meter fails to make them: metrics never stop the app. */
function instrumentsOf(meter: ReauthMeter): Instruments | undefined {
  const advice = { explicitBucketBoundaries: LATENCY_BUCKETS };
  try {
    return {
      flows: meter.createCounter('reauth.flows', {
        description: 'Step-up flows: refusals, sign-ins started, completed and failed',
      }),
      sessions: meter.createCounter('reauth.sessions', {
        description: 'Session cookies refreshed and sessions revoked',
      }),
      unavailable: meter.createCounter('reauth.unavailable', {
        description: 'Requests refused with 503 because a dependency failed',
      }),
      signals: meter.createCounter('reauth.signals', {
        description: "The provider's signals of ended sessions, accepted or refused",
      }),
      revocationView: meter.createCounter('reauth.revocation_view.changes', {
        description: 'The local view of ended sessions becoming usable or unusable',
      }),
      verificationDuration: meter.createHistogram('reauth.token.verification.duration', {
        description: 'Verification of access tokens not already verified',
        unit: 's',
        advice,
      }),
      refreshDuration: meter.createHistogram('reauth.session.refresh.duration', {
        description: 'Refreshes of expired session cookies at the identity provider',
        unit: 's',
        advice,
      }),
    };
  } catch {
    return undefined;
  }
}

const OUTCOME = Object.freeze({
  required: { 'reauth.outcome': 'required' },
  started: { 'reauth.outcome': 'started' },
  completed: { 'reauth.outcome': 'completed' },
  failed: { 'reauth.outcome': 'failed' },
  refreshed: { 'reauth.outcome': 'refreshed' },
  revoked: { 'reauth.outcome': 'revoked' },
  confirmed: { 'reauth.outcome': 'confirmed' },
  refused: { 'reauth.outcome': 'confirmation_refused' },
});

// A meter that throws must not turn a decision into a 500: metrics are best effort.

function add(counter: Counter, attributes: ReauthMetricAttributes): void {
  try {
    counter.add(1, attributes);
  } catch {
    // Ignored, as above.
  }
}

function record(histogram: Histogram, startedAt: number, outcome: string): void {
  try {
    histogram.record((performance.now() - startedAt) / 1000, { 'reauth.outcome': outcome });
  } catch {
    // Ignored, as above.
  }
}
