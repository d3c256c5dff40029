import type { ReauthEventListener } from './event.types';

/** The `events` option once checked: where the library's events go. */
export abstract class EventSettings {
  abstract readonly events: {
    readonly listener?: ReauthEventListener;
    /** Whether events are also emitted through `@nestjs/event-emitter` when the app has it. */
    readonly eventEmitter: boolean;
  };
}
