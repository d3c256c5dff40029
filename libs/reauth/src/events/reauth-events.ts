import { Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { describeError } from '../core/describe-error';
import { loadOptionalPeer } from '../core/optional-peer';
import { ReauthClock } from '../core/clock';
import type { ReauthDependency } from '../exceptions/reauth-unavailable.exception';
import type { ReauthEvent, ReauthEventInput, ReauthEventListener } from './event.types';
import { EventSettings } from './event-settings';
import { ReauthMetrics } from './reauth-metrics';

/** `@nestjs/event-emitter`'s emitter, as far as it is used here. */
interface EventEmitterLike {
  /** Settles once every handler settled; rejects if one rejects (an `@OnEvent` that throws). */
  emitAsync(event: string, ...values: unknown[]): Promise<unknown>;
}

/** A failing listener is reported at most this often, so a broken one cannot flood the log. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Hands the library's events to the app's listener (the `events.listener` option) and, when the
 * app registers `EventEmitterModule` of `@nestjs/event-emitter`, emits them there by name
 * (`emitAsync`, so an `@OnEvent` handler's rejection is caught here too), and counts them in the
 * metrics. Delivery waits for the current request's work to yield
 * (`setImmediate`), so a listener runs after the decision and never inside it; its errors and
 * rejections are caught and logged (rate-limited), its promises never awaited.
 */
@Injectable()
export class ReauthEvents implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReauthModule');
  private readonly listener?: (event: ReauthEvent) => unknown;
  private emitter?: EventEmitterLike;
  private lastFailureLoggedAt = -Infinity;
  private failuresSinceLog = 0;
  /** What was reported for a request already: one GraphQL request refuses many fields at once. */
  private readonly reported = new WeakMap<object, Set<string>>();

  constructor(
    private readonly options: EventSettings,
    private readonly clock: ReauthClock,
    readonly metrics: ReauthMetrics,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {
    this.listener = asFunction(options.events.listener);
  }

  onApplicationBootstrap(): void {
    if (!this.options.events.eventEmitter || !this.moduleRef) return;
    const peer = loadOptionalPeer<{ EventEmitter2: abstract new () => EventEmitterLike }>(
      '@nestjs/event-emitter',
    );
    if (!peer) return;
    try {
      this.emitter = this.moduleRef.get(peer.EventEmitter2, { strict: false });
    } catch {
      // The app has not registered EventEmitterModule: the listener option alone receives events.
    }
  }

  /** Whether anyone receives events beyond the metrics. */
  get delivering(): boolean {
    return this.listener !== undefined || this.emitter !== undefined;
  }

  /** Counts the event and schedules its delivery; never throws, never waits. */
  emit(input: ReauthEventInput): void {
    const event = Object.freeze({ ...input, time: new Date(this.clock.now()) }) as ReauthEvent;
    this.metrics.count(event);
    if (!this.delivering) return;
    setImmediate(() => this.deliver(event));
  }

  /**
   * Like {@link emit}, once per `request` and `key`: a GraphQL request whose fields are refused
   * (or fail) together is one refusal, however many aliases it repeats.
   */
  emitOnce(request: object | undefined, key: string, input: ReauthEventInput): void {
    if (this.firstTime(request, key)) this.emit(input);
  }

  /**
   * A 503: counted by dependency; the store's also becomes a `store.unavailable` event. False
   * when `request` was reported already.
   */
  unavailable(dependency: ReauthDependency, request?: object): boolean {
    if (!this.firstTime(request, `unavailable:${dependency}`)) return false;
    this.metrics.unavailable(dependency);
    if (dependency === 'store') this.emit({ type: 'store.unavailable', effect: 'refused' });
    return true;
  }

  private firstTime(request: object | undefined, key: string): boolean {
    if (request === undefined) return true;
    let keys = this.reported.get(request);
    if (!keys) this.reported.set(request, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  private deliver(event: ReauthEvent): void {
    if (this.listener) this.settle(() => this.listener!(event), 'listener');
    if (this.emitter) {
      this.settle(() => this.emitter!.emitAsync(event.type, event), '@OnEvent handler');
    }
  }

  private settle(call: () => unknown, who: string): void {
    try {
      const result = call();
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.failed(who, error));
    } catch (error) {
      this.failed(who, error);
    }
  }

  private failed(who: string, error: unknown): void {
    this.failuresSinceLog++;
    const now = this.clock.now();
    if (now - this.lastFailureLoggedAt < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLoggedAt = now;
    const count = this.failuresSinceLog;
    this.failuresSinceLog = 0;
    // The error's name only: an app's message could quote whatever the handler was holding.
    this.logger.warn(
      `A reauth event ${who} failed with ${describeError(error)}${count > 1 ? ` (${count} failures since the last report)` : ''}; requests are not affected`,
    );
  }
}

function asFunction(
  listener: ReauthEventListener | undefined,
): ((event: ReauthEvent) => unknown) | undefined {
  if (listener === undefined) return undefined;
  if (typeof listener === 'function') return listener;
  return (event) => listener.onReauthEvent(event);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
