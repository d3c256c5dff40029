import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { describeError } from '../reauth.errors';
import { loadOptionalPeer } from '../optional-peer';
import { ReauthClock } from '../reauth.clock';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import type { ReauthDependency } from '../reauth-unavailable.exception';
import type { ReauthEvent, ReauthEventInput, ReauthEventListener } from './reauth-event';
import { ReauthMetrics } from './reauth-metrics';

/** `@nestjs/event-emitter`'s emitter, as far as it is used here. */
interface EventEmitterLike {
  emit(event: string, ...values: unknown[]): unknown;
}

/** A failing listener is reported at most this often, so a broken one cannot flood the log. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Hands the library's events to the app's listener (the `events.listener` option) and, when the
 * app registers `EventEmitterModule` of `@nestjs/event-emitter`, emits them there by name, and
 * counts them in the metrics. Delivery waits for the current request's work to yield
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

  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
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

  /** A 503: counted by dependency; the store's also becomes a `store.unavailable` event. */
  unavailable(
    dependency: ReauthDependency,
    details: { userId?: string; sessionId?: string; route?: string } = {},
  ): void {
    this.metrics.unavailable(dependency);
    if (dependency === 'store')
      this.emit({ type: 'store.unavailable', effect: 'refused', ...details });
  }

  private deliver(event: ReauthEvent): void {
    if (this.listener) this.settle(() => this.listener!(event), 'listener');
    if (this.emitter)
      this.settle(() => this.emitter!.emit(event.type, event), 'EventEmitter2 handler');
  }

  private settle(call: () => unknown, who: string): void {
    try {
      const result = call();
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => this.failed(who, error));
      } else if (Array.isArray(result)) {
        // EventEmitter2's emitAsync, or a listener returning several promises.
        for (const item of result) {
          if (isThenable(item)) item.then(undefined, (error: unknown) => this.failed(who, error));
        }
      }
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
