import { createHmac } from 'node:crypto';
import { type EmulatorClock } from './clock';
import { randomId } from './ids';

/** The events the emulator sends, as WorkOS names them. */
export const WEBHOOK_EVENTS = ['session.revoked', 'user.deleted'] as const;

/** One of {@link WEBHOOK_EVENTS}. */
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** Where events go: a URL that receives them signed with its secret, as a WorkOS endpoint. */
export interface WebhookEndpointOptions {
  /** An absolute http(s) URL; the emulator `POST`s each event there. */
  url: string;
  /** The endpoint's secret: the key of the `WorkOS-Signature` HMAC. */
  secret: string;
  /** The events it receives; default every one of {@link WEBHOOK_EVENTS}. */
  events?: readonly WebhookEventName[];
}

/** An endpoint as the emulator shows it: never with its secret. */
export interface WebhookEndpoint {
  /** The emulator's id for it (`we_...`). */
  id: string;
  /** Where each event is `POST`ed. */
  url: string;
  /** The events it receives. */
  events: WebhookEventName[];
}

/** An event in WorkOS's JSON shape: what the body of a delivery is. */
export interface WebhookEvent {
  /** The event's id (`event_...`): one per event, the same on every retry. */
  id: string;
  /** What happened: `session.revoked` or `user.deleted`. */
  event: WebhookEventName;
  /** The object the event is about, as the API returns it (snake_case). */
  data: Record<string, unknown>;
  /** When it happened, by the emulator's clock (ISO 8601). */
  created_at: string;
}

/** One try at delivering an event. */
export interface WebhookAttempt {
  /** When it was sent, by the emulator's clock (ISO 8601). */
  at: string;
  /** The endpoint's answer, when it gave one. */
  status?: number;
  /** Why there was no answer: a refused connection, a timeout. */
  error?: string;
}

/** The delivery of one event to one endpoint, with every attempt so far. */
export interface WebhookDelivery {
  /** The delivery's id. */
  id: string;
  /** The {@link WebhookEndpoint} it goes to. */
  endpointId: string;
  /** That endpoint's URL. */
  url: string;
  /** The id of the event delivered. */
  eventId: string;
  /** The name of the event delivered. */
  event: WebhookEventName;
  /** `pending` while an attempt is running or a retry is due; then `delivered` or `failed`. */
  state: 'pending' | 'delivered' | 'failed';
  /** Every attempt so far, oldest first. */
  attempts: WebhookAttempt[];
}

/** How deliveries are tried. */
export interface WebhookDeliverySettings {
  /** Waits before each retry, in ms; one retry per entry. */
  retryDelaysMs: readonly number[];
  /** How long one attempt may take, in ms. */
  timeoutMs: number;
  log: (line: string) => void;
}

/** The most deliveries the log keeps; older ones are dropped first. */
const DELIVERY_LOG_SIZE = 1000;
const ENDPOINT_LIMIT = 100;

interface RegisteredEndpoint {
  id: string;
  url: string;
  secret: string;
  events: readonly WebhookEventName[];
}

/**
 * The `WorkOS-Signature` header of `body` sent at `timestampMs`: `t=<ms>, v1=<hex>`, where `v1` is
 * the HMAC-SHA256, keyed with the endpoint's secret, of `<t>.<body>` (the body exactly as sent).
 */
export function signWebhook(body: string, secret: string, timestampMs: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex');
  return `t=${timestampMs}, v1=${signature}`;
}

/** The URL without its query or credentials, for log lines. */
function printable(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Sends events to the configured endpoints as WorkOS does: a `POST` of the JSON event with a
 * `WorkOS-Signature`, in the background (the API call that caused the event never waits), retried
 * after a non-2xx answer or no answer, each attempt signed anew at its own time.
 */
export class WebhookDispatcher {
  private readonly registered = new Map<string, RegisteredEndpoint>();
  private readonly log: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly waiting = new Set<() => void>();
  private pending = 0;
  private closed = false;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly settings: WebhookDeliverySettings,
    endpoints: readonly WebhookEndpointOptions[] = [],
  ) {
    for (const endpoint of endpoints) this.addEndpoint(endpoint);
  }

  /** Registers an endpoint (checked by {@link parseWebhookEndpoint}); returns its id. */
  addEndpoint(endpoint: WebhookEndpointOptions): string {
    if (this.registered.size >= ENDPOINT_LIMIT) {
      throw new RangeError(`at most ${ENDPOINT_LIMIT} webhook endpoints`);
    }
    const id = randomId('we');
    this.registered.set(id, {
      id,
      url: endpoint.url,
      secret: endpoint.secret,
      events: [...(endpoint.events ?? WEBHOOK_EVENTS)],
    });
    return id;
  }

  /** Forgets an endpoint; deliveries already under way finish. False when none has the id. */
  removeEndpoint(id: string): boolean {
    return this.registered.delete(id);
  }

  endpoints(): WebhookEndpoint[] {
    return [...this.registered.values()].map(({ id, url, events }) => ({
      id,
      url,
      events: [...events],
    }));
  }

  /**
   * Makes the event and starts its deliveries to every endpoint that receives it; returns at
   * once, before any delivery is tried.
   */
  send(name: WebhookEventName, data: Record<string, unknown>): WebhookEvent {
    const event: WebhookEvent = {
      id: randomId('event'),
      event: name,
      data,
      created_at: new Date(this.clock.nowMs()).toISOString(),
    };
    if (this.closed) return event;
    const body = JSON.stringify(event);
    for (const endpoint of this.registered.values()) {
      if (!endpoint.events.includes(name)) continue;
      const delivery: WebhookDelivery = {
        id: randomId('delivery'),
        endpointId: endpoint.id,
        url: endpoint.url,
        eventId: event.id,
        event: name,
        state: 'pending',
        attempts: [],
      };
      this.log.push(delivery);
      if (this.log.length > DELIVERY_LOG_SIZE) this.log.shift();
      this.pending++;
      this.schedule(() => this.attempt(delivery, endpoint, body), 0);
    }
    return event;
  }

  /** Copies of the deliveries, oldest first. */
  deliveries(): WebhookDelivery[] {
    return this.log.map((delivery) => ({
      ...delivery,
      attempts: delivery.attempts.map((attempt) => ({ ...attempt })),
    }));
  }

  /** Resolves once no delivery is pending: each one delivered, or failed after its retries. */
  settled(): Promise<WebhookDelivery[]> {
    if (this.pending === 0) return Promise.resolve(this.deliveries());
    return new Promise((resolve) => {
      this.waiting.add(() => resolve(this.deliveries()));
    });
  }

  /** Stops every retry and attempt; pending deliveries end as failed. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    for (const delivery of this.log) {
      if (delivery.state === 'pending') delivery.state = 'failed';
    }
    this.pending = 0;
    this.release();
  }

  private schedule(run: () => Promise<void>, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(
    delivery: WebhookDelivery,
    endpoint: RegisteredEndpoint,
    body: string,
  ): Promise<void> {
    const sentAtMs = this.clock.nowMs();
    const attempt: WebhookAttempt = { at: new Date(sentAtMs).toISOString() };
    delivery.attempts.push(attempt);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'authkit-emulator',
          'workos-signature': signWebhook(body, endpoint.secret, sentAtMs),
        },
        body,
        // WorkOS counts a redirect as a failed delivery, like any other answer but a 2xx.
        redirect: 'manual',
        signal: controller.signal,
      });
      attempt.status = response.status;
      await response.body?.cancel();
    } catch (error) {
      attempt.error = controller.signal.aborted
        ? this.closed
          ? 'emulator closed'
          : `no answer within ${this.settings.timeoutMs} ms`
        : ((error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).name);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (this.closed) return;
    const delivered = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
    this.settings.log(
      `webhook ${delivery.event} ${printable(delivery.url)} ${attempt.status ?? attempt.error}`,
    );
    const retry = delivery.attempts.length - 1;
    if (!delivered && retry < this.settings.retryDelaysMs.length) {
      this.schedule(
        () => this.attempt(delivery, endpoint, body),
        this.settings.retryDelaysMs[retry],
      );
      return;
    }
    delivery.state = delivered ? 'delivered' : 'failed';
    this.pending--;
    this.release();
  }

  private release(): void {
    if (this.pending > 0) return;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const resolve of waiting) resolve();
  }
}

/** Checks an endpoint from the options or the test controls; a `TypeError` names the bad field. */
export function parseWebhookEndpoint(input: unknown, where: string): WebhookEndpointOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${where} must be an object`);
  }
  const { url, secret, events, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new TypeError(`${where}: unknown field "${unknown}"`);
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' && url.length <= 2048 ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError(`${where}.url must be an absolute http(s) URL`);
  }
  if (typeof secret !== 'string' || secret.length === 0 || secret.length > 1024) {
    throw new TypeError(`${where}.secret must be a non-empty string of at most 1024 characters`);
  }
  if (
    events !== undefined &&
    (!Array.isArray(events) ||
      events.length === 0 ||
      events.some((event) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(event)))
  ) {
    throw new TypeError(
      `${where}.events must be a non-empty array of ${WEBHOOK_EVENTS.map((e) => `"${e}"`).join(', ')}`,
    );
  }
  return {
    url: parsed.href,
    secret,
    ...(events === undefined ? {} : { events: [...new Set(events as WebhookEventName[])] }),
  };
}
