import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { ReauthRequiredEvent } from 'nest-workos-reauth';

/** How many events it keeps: the newest, so that memory stays bounded. */
const KEPT = 100;

/**
 * Subscribes to the library's `reauth.required` events (emitted on the app's EventEmitter2 when
 * the app imports `EventEmitterModule`) and keeps the latest ones: where an app would write its
 * audit trail.
 */
@Injectable()
export class ReauthRequiredLog {
  private readonly events: ReauthRequiredEvent[] = [];

  @OnEvent('reauth.required')
  record(event: ReauthRequiredEvent): void {
    this.events.push(event);
    if (this.events.length > KEPT) this.events.shift();
  }

  /** The events received, oldest first. */
  get received(): readonly ReauthRequiredEvent[] {
    return this.events;
  }

  clear(): void {
    this.events.length = 0;
  }
}
